package graceful.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void defaultsWhenNothingIsSet() {
        Settings s = Settings.read(null, Map.of(), Map.of());
        assertEquals(Duration.ofSeconds(30), s.drainTimeout);
        assertEquals(Duration.ofSeconds(60), s.readyTimeout);
        assertEquals("info", s.logLevel);
        assertTrue(s.closeKeepAlive);
        assertTrue(s.problems.isEmpty());
    }

    @Test
    void agentArgumentsBeatSystemPropertiesWhichBeatTheEnvironment() {
        Map<String, String> env = Map.of("GRACEFUL_DRAIN_TIMEOUT", "1m", "GRACEFUL_READY_TIMEOUT", "7s", "GRACEFUL_LOG_LEVEL", "warn");
        Map<String, String> props = Map.of("graceful.drainTimeout", "10s", "graceful.readyTimeout", "500ms");
        Settings s = Settings.read("drainTimeout=2s", props, env);
        assertEquals(Duration.ofSeconds(2), s.drainTimeout);
        assertEquals(Duration.ofMillis(500), s.readyTimeout);
        assertEquals("warn", s.logLevel);
    }

    @Test
    void aMalformedValueNamesTheSettingTheValueAndTheFormAndKeepsTheDefault() {
        Settings s = Settings.read(null, Map.of("graceful.drainTimeout", "thirty"), Map.of());
        assertEquals(Duration.ofSeconds(30), s.drainTimeout);
        assertEquals(1, s.problems.size());
        String line = s.problems.get(0);
        assertTrue(line.contains("graceful.drainTimeout") && line.contains("'thirty'") && line.contains("30s"), line);
    }

    @Test
    void unknownAndShapelessAgentArgumentsAreReported() {
        Settings s = Settings.read("drainTimout=5s,oops", Map.of(), Map.of());
        assertEquals(2, s.problems.size(), s.problems.toString());
        assertTrue(s.problems.toString().contains("drainTimout"));
        assertTrue(s.problems.toString().contains("'oops'"));
    }

    @Test
    void environmentNamesAreUpperSnakeCase() {
        assertEquals("GRACEFUL_DRAIN_TIMEOUT", Settings.environmentName("drainTimeout"));
    }

    @Test
    void durationsTakeMillisecondsSecondsMinutesAndHours() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofMinutes(2), Durations.parse(" 2m "));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("30"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("1.5s"));
    }

    @Test
    void restartSignalAndPidfile() {
        Settings s = Settings.read("restartSignal=SIGUSR1,pidfile=/run/app.pid", Map.of(), Map.of());
        assertEquals("USR1", s.restartSignal);
        assertEquals(java.nio.file.Path.of("/run/app.pid"), s.pidfile);
        Settings defaults = Settings.read(null, Map.of(), Map.of());
        assertEquals("HUP", defaults.restartSignal);
        assertEquals(null, defaults.pidfile);
    }

    @Test
    void aBadRestartSignalOrPidfileIsNamedAndTheDefaultApplies() {
        Settings s = Settings.read("restartSignal=USR2,pidfile=app.pid", Map.of(), Map.of());
        assertEquals("HUP", s.restartSignal);
        assertEquals(null, s.pidfile);
        assertTrue(s.problems.stream().anyMatch(p -> p.contains("restartSignal='USR2'") && p.contains("HUP or USR1")), s.problems.toString());
        assertTrue(s.problems.stream().anyMatch(p -> p.contains("pidfile='app.pid'") && p.contains("absolute path")), s.problems.toString());
    }

    @Test
    void restartModeIsSpawnUnlessSetToExec() {
        assertEquals("spawn", Settings.read(null, Map.of(), Map.of()).restartMode);
        assertTrue(!Settings.read(null, Map.of(), Map.of()).samePid());
        assertTrue(Settings.read("restartMode=exec", Map.of(), Map.of()).samePid());
        assertTrue(Settings.read(null, Map.of("graceful.restartMode", "EXEC"), Map.of()).samePid());
        assertTrue(Settings.read(null, Map.of(), Map.of("GRACEFUL_RESTART_MODE", "exec")).samePid());
        Settings bad = Settings.read("restartMode=fork", Map.of(), Map.of());
        assertEquals("spawn", bad.restartMode);
        assertEquals(1, bad.problems.size());
        assertTrue(bad.problems.get(0).contains("'fork'") && bad.problems.get(0).contains("spawn or exec"), bad.problems.get(0));
    }
}

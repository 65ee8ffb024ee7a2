package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SIGTERM while a restart is under way: the new JVM, not ready yet, is stopped first, then the
 * old one stops gracefully. Nothing is left running: no new JVM orphaned by its parent's exit.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StopDuringUpgradeIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void termDuringAnUpgradeStopsTheNewJvmFirst(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("stop-during-upgrade-" + jdk.getFileName());
        String where = "; server log " + log;
        Path hang = dir.resolve("hang");
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log,
                "-Dgraceful.it.hangIfExists=" + hang))) {
            long old = server.firstGenerationPid();
            Files.createFile(hang); // the new JVM will hang before it binds: never ready
            server.hup(old);
            assertTrue(Await.until(() -> !ProcFs.childrenOrNone(old).isEmpty(), Duration.ofSeconds(20)),
                    "the HUP started no new JVM" + where + ServerLog.gracefulLines(log));
            List<Long> children = ProcFs.childrenOrNone(old);

            server.signal(old, "TERM");
            OptionalInt exit = server.awaitFirstGenerationExit(Duration.ofSeconds(30));
            assertEquals(OptionalInt.of(143), exit, "the old JVM stops with the TERM status" + where
                    + ServerLog.gracefulLines(log));
            assertTrue(ServerLog.contains(log, "first stopping the new JVM"),
                    "expected the new JVM to be stopped first" + where + ServerLog.gracefulLines(log));
            for (long child : children) {
                assertFalse(ProcFs.alive(child), "the new JVM " + child + " must not outlive its parent" + where);
            }
            assertTrue(server.livePids().isEmpty(), "nothing left running: " + server.livePids() + where);
        }
    }
}

package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code -Xrs} leaves SIGHUP to the OS, so graceful cannot offer restarts; the app must still
 * start and serve as without the agent, and graceful says once why restarts are off. (No HUP is
 * sent: under -Xrs its default action ends the JVM, with or without graceful.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class XrsIT {
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void underXrsTheAppServesAndGracefulSaysRestartsAreOff(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("xrs-" + jdk.getFileName());
        String where = "; server log " + log;
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log, "-Xrs"))) {
            assertEquals(server.firstGenerationPid(), server.pid(), "the app serves" + where);
            assertEquals(200, HttpProbe.get(server.port(), "/slow?ms=10").status(), "the app serves" + where);
            assertTrue(ServerLog.await(log, "restarts unavailable", Duration.ofSeconds(5)),
                    "expected a 'restarts unavailable' line" + where + ServerLog.gracefulLines(log));
        }
    }
}

package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A new release that never becomes ready (it hangs before binding): after {@code readyTimeout}
 * the old JVM stops it and serves on without a failed request; the next HUP, with the release
 * fixed, restarts as usual.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadyTimeoutIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void aNewJvmThatNeverGetsReadyIsStoppedAndTheOldServesOn(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("ready-timeout-" + jdk.getFileName());
        String where = "; server log " + log;
        Path hang = dir.resolve("hang"); // absent: the first generation starts normally
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log,
                "-Dgraceful.readyTimeout=3s", "-Dgraceful.it.hangIfExists=" + hang))) {
            long old = server.pid();
            LoadClient load = new LoadClient(server.port(), Duration.ofSeconds(100));
            load.start();
            long fresh;
            try {
                Files.createFile(hang);
                server.hup(old);
                // readyTimeout 3 s, plus up to 5 s until KILL, plus slack for a busy machine.
                assertTrue(ServerLog.await(log, "rollback:", Duration.ofSeconds(20)),
                        "no rollback within 20 s of a HUP whose new JVM hangs" + where + ServerLog.gracefulLines(log));
                assertTrue(ServerLog.inOrder(log, "was not ready within", "rollback:"),
                        "expected 'was not ready within', then 'rollback:'" + where + ServerLog.gracefulLines(log));
                assertEquals(old, server.pid(), "the old JVM serves on" + where);
                assertTrue(Await.until(() -> ProcFs.childrenOrNone(old).isEmpty(), Duration.ofSeconds(10)),
                        "the hung new JVM must be stopped and reaped: children of " + old + " are "
                                + ProcFs.childrenOrNone(old) + where);

                Files.delete(hang);
                fresh = Restarts.handOver(server, old, where);
            } finally {
                load.stop();
            }
            Restarts.assertNoFailedRequests(load, where);
            assertEquals(List.of(fresh), server.livePids(), "exactly the new generation is left" + where);
        }
    }
}

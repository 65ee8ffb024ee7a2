package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One upgrade at a time: a burst of HUPs to one JVM (a deploy script that retries, or several
 * that race) starts exactly one new generation; the others are ignored with a log line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HupStormIT {
    private static final int HUPS = 20;
    /** 20 HUPs spread over about one second (each kill also takes a few ms to run). */
    private static final long PAUSE_BETWEEN_HUPS_MILLIS = 40;

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void manyHupsAtOnceStartOneNewGeneration(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("hup-storm-" + jdk.getFileName());
        String where = "; server log " + log;
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log))) {
            long old = server.pid();
            LoadClient load = new LoadClient(server.port(), Duration.ofSeconds(100));
            load.start();
            int sent = 0;
            long fresh;
            try {
                for (; sent < HUPS; sent++) {
                    try {
                        server.hup(old);
                    } catch (IllegalArgumentException | IOException gone) {
                        if (ProcFs.alive(old)) {
                            throw gone;
                        }
                        break; // the hand-over finished within the burst: nothing left to signal
                    }
                    Thread.sleep(PAUSE_BETWEEN_HUPS_MILLIS);
                }
                fresh = server.awaitPidOtherThan(old, Restarts.NEW_PID_TIMEOUT).orElseThrow(() -> new AssertionError(
                        "no new pid answered after the HUPs" + where + ServerLog.gracefulLines(log)));
                assertTrue(server.awaitGone(old, Restarts.OLD_PID_GONE_TIMEOUT), "the old JVM did not exit" + where);
                Thread.sleep(2_000); // time for a second, unwanted generation to show up
            } finally {
                load.stop();
            }
            assertTrue(sent >= 2, "only " + sent + " HUP(s) reached the old JVM before it exited: no storm" + where);
            Restarts.assertNoFailedRequests(load, where);
            assertEquals(List.of(old, fresh), load.pidsSeen(), "exactly one new generation after " + sent + " HUPs"
                    + where + ServerLog.gracefulLines(log));
            assertEquals(List.of(fresh), server.livePids(), "exactly one server process left" + where);
            assertTrue(ServerLog.contains(log, "ignored"), "the extra HUPs must be logged as ignored" + where
                    + ServerLog.gracefulLines(log));
        }
    }
}

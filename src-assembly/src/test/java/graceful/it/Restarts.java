package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;

/** The steps and checks most restart tests share. */
final class Restarts {
    static final Duration NEW_PID_TIMEOUT = Duration.ofSeconds(30);
    /** graceful's default drain deadline (30 s) plus time for the JVM to exit. */
    static final Duration OLD_PID_GONE_TIMEOUT = Duration.ofSeconds(35);
    /** An old JVM still there this long after the new one answered is stuck or slow: its threads are dumped. */
    private static final Duration SLOW_DRAIN = Duration.ofSeconds(5);
    /** What the selector-driven it-apps print when their listener is closed or its key cancelled under them. */
    private static final String APP_LOST_ITS_LISTENER = ": lost its listener";

    private Restarts() {}

    /** HUP to {@code oldPid}; returns the new pid once it answers and the old JVM has exited. */
    static long handOver(ServerProcess server, long oldPid, String where) throws Exception {
        server.hup(oldPid);
        long newPid = server.awaitPidOtherThan(oldPid, NEW_PID_TIMEOUT).orElseThrow(() -> new AssertionError(
                "no new pid answered within " + NEW_PID_TIMEOUT + " of HUP to " + oldPid + where
                        + ServerLog.gracefulLines(server.logFile())));
        if (!server.awaitGone(oldPid, SLOW_DRAIN)) {
            String dump = server.threadDump(oldPid);
            System.out.println("old pid " + oldPid + " still running " + SLOW_DRAIN + " after the new pid answered; " + dump + where);
            assertTrue(server.awaitGone(oldPid, OLD_PID_GONE_TIMEOUT.minus(SLOW_DRAIN)), "old pid " + oldPid
                    + " still running " + OLD_PID_GONE_TIMEOUT + " after the new pid " + newPid + " answered; " + dump + where);
        }
        return newPid;
    }

    /** No error in wrk's kept-alive connections; the message carries wrk's report and graceful's lines. */
    static void assertNoKeepAliveErrors(WrkLoad.Result wrk, String where, Path log) {
        assertEquals(0, wrk.errorCount(), "the keep-alive client (wrk) saw errors " + wrk.errors() + where + "\n"
                + wrk.output() + ServerLog.gracefulLines(log));
    }

    /**
     * The selector-driven it-apps (nio, netty41, netty42) print a line when their listener is
     * closed or its key cancelled under them: graceful stops their accepting without either.
     * Netty answers a cancelled key by closing its server channel, and an app written like its
     * examples then shuts its event loops down with every connection in flight.
     */
    static void assertAppKeptItsListener(Path log, String where) {
        assertEquals("", ServerLog.linesWith(log, APP_LOST_ITS_LISTENER),
                "the app saw its listener closed or its key cancelled" + where + ServerLog.gracefulLines(log));
    }

    static void assertNoFailedRequests(LoadClient load, String where) {
        assertEquals(0, load.failures(), load.failures() + " of " + (load.successes() + load.failures())
                + " requests failed" + where + "; first failures:\n  " + String.join("\n  ", load.failureSamples()));
    }
}

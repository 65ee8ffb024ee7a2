package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.ServerProcess;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An idle keep-alive connection would keep the old JVM forever: {@code drainTimeout} bounds
 * its wait, after which it exits and the connection ends.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DrainDeadlineIT {
    private static final long DRAIN_TIMEOUT_MILLIS = 2_000;
    /** The old JVM exits this soon after the new one answers: the deadline, less polling slack... */
    private static final long MIN_EXIT_MILLIS = 1_000;
    /** ...and at most the deadline plus time to exit on a busy machine. */
    private static final long MAX_EXIT_MILLIS = 10_000;

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void theOldJvmExitsAtTheDrainDeadlineDespiteAnIdleConnection(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("drain-deadline-" + jdk.getFileName());
        String where = "; server log " + log;
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log,
                "-Dgraceful.drainTimeout=" + DRAIN_TIMEOUT_MILLIS + "ms"))) {
            long old = server.pid();
            try (Socket held = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                held.setSoTimeout(5_000);
                assertEquals("pid=" + old, KeepAliveHttp.get(held), "the held connection is the old JVM's" + where);

                server.hup(old);
                long fresh = server.awaitPidOtherThan(old, Restarts.NEW_PID_TIMEOUT).orElseThrow(
                        () -> new AssertionError("no new pid answered after HUP" + where + ServerLog.gracefulLines(log)));
                long answered = System.nanoTime();
                assertTrue(server.awaitGone(old, Duration.ofMillis(MAX_EXIT_MILLIS)), "the old JVM still runs "
                        + MAX_EXIT_MILLIS + " ms after the new pid " + fresh + " answered" + where + ServerLog.gracefulLines(log));
                long exitedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
                assertTrue(exitedAfter >= MIN_EXIT_MILLIS, "the old JVM exited " + exitedAfter + " ms after the new pid"
                        + " answered, before the drain deadline of " + DRAIN_TIMEOUT_MILLIS + " ms" + where);
                assertTrue(ServerLog.contains(log, "drain deadline"), "expected a 'drain deadline' line" + where
                        + ServerLog.gracefulLines(log));
                assertEquals(-1, readEofOrReset(held, where), "the held connection must end with the old JVM" + where);
            }
        }
    }

    /** The next byte from the server, or -1 at end of stream or on a reset: both mean closed. */
    private static int readEofOrReset(Socket socket, String where) throws Exception {
        try {
            return socket.getInputStream().read();
        } catch (SocketTimeoutException open) {
            throw new AssertionError("the held connection is still open after the old JVM exited" + where, open);
        } catch (SocketException reset) {
            return -1;
        }
    }
}

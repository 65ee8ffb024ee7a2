package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A new release that listens on other ports than the old one: it inherits the main port, binds
 * its new second port B itself, and never binds the old second port A. It must still become
 * ready ({@code readySettle} after its last bind), take over, and then close A, which it
 * inherited but does not use, so that A refuses connections instead of queueing them forever.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ListenersChangeIT {
    private static final Duration A_CLOSED_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void aNewReleaseWithOtherPortsTakesOverAndClosesThePortItDropped(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("listeners-change-" + jdk.getFileName());
        String where = "; server log " + log;
        int portA = ServerProcess.freePort();
        int portB = ServerProcess.freePort();
        Path extraPorts = dir.resolve("extra-ports");
        Files.writeString(extraPorts, String.valueOf(portA));
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log,
                "-Dgraceful.it.extraPortsFile=" + extraPorts, "-Dgraceful.readySettle=1s",
                // Bounds the cost of a JVM that never gets ready; ready is due about 1 s after start.
                "-Dgraceful.readyTimeout=20s"))) {
            long old = server.pid();
            assertEquals(old, HttpProbe.pidAnswering(portA), "the first generation serves port A" + where);
            LoadClient load = new LoadClient(server.port(), Duration.ofSeconds(100));
            load.start();
            long fresh;
            try {
                replace(extraPorts, String.valueOf(portB)); // the new release: port B instead of A
                fresh = Restarts.handOver(server, old, where);
            } finally {
                load.stop();
            }
            Restarts.assertNoFailedRequests(load, where);
            assertEquals(fresh, HttpProbe.pidAnswering(portB), "the new generation serves port B" + where);
            assertTrue(Await.until(() -> refuses(portA), A_CLOSED_TIMEOUT), "port A, which the new release does not"
                    + " bind, still accepts connections " + A_CLOSED_TIMEOUT + " after the old JVM exited" + where
                    + ServerLog.gracefulLines(log));
            assertTrue(ServerLog.contains(log, "does not bind"), "expected a 'does not bind' line about port A" + where
                    + ServerLog.gracefulLines(log));
            assertEquals(List.of(fresh), server.livePids(), "exactly the new generation is left" + where);
        }
    }

    /** Write aside, then rename over: the new JVM reads the old content or the new, never a partial file. */
    private static void replace(Path file, String content) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** True if a connect to the port is refused (nothing listens), false if it is accepted or times out. */
    private static boolean refuses(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }
}

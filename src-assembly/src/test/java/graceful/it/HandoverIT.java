package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.ServerProcess;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the new JVM gets on a restart: the listening socket and nothing else of the old JVM's
 * (no accepted connection, no pipe), and no blocked signals. And what the old JVM does with a
 * connection it still holds: serve it until the client closes it, then exit.
 */
class HandoverIT {
    static Stream<Path> jdks() {
        return ItEnvironment.jdks().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theNewJvmGetsTheListenerOnlyAndTheOldOneServesWhatItHoldsUntilItCloses(Path jdk) throws Exception {
        ItEnvironment.requireJdk(jdk);
        Path log = ItEnvironment.freshLogFile("handover-" + jdk.getFileName());
        int port = ServerProcess.freePort();
        try (ServerProcess server = ServerProcess.start(new ServerProcess.Spec(
                jdk, ItEnvironment.gracefulJar(), ItEnvironment.itAppsJar(), "blocking", port, log))) {
            long old = server.pid();
            try (Socket held = new Socket(InetAddress.getLoopbackAddress(), port)) {
                held.setSoTimeout(15_000);
                assertEquals("pid=" + old, KeepAliveHttp.get(held), "the held connection is served by the first JVM");
                Set<String> oldSockets = ProcFs.sockets(old);
                assertTrue(oldSockets.size() >= 2, "the old JVM holds the listener and the held connection: " + oldSockets);

                server.hup(old);
                long fresh = server.awaitPidOtherThan(old, Duration.ofSeconds(30)).orElseThrow(
                        () -> new AssertionError("no new JVM answered after HUP; log: " + log));

                Set<String> shared = new HashSet<>(ProcFs.sockets(fresh));
                shared.retainAll(oldSockets);
                assertEquals(1, shared.size(), "the new JVM must share only the listening socket with the old one, shares "
                        + shared + "; log: " + log);

                Thread.sleep(1_000);
                assertTrue(ProcFs.alive(old), "the old JVM must wait for the connection it holds; log: " + log);
                assertEquals("pid=" + old, KeepAliveHttp.get(held), "the held connection is still served by the old JVM");

                long dumpsBefore = count(log, "Full thread dump");
                new ProcessBuilder("kill", "-QUIT", String.valueOf(fresh)).inheritIO().start().waitFor();
                assertTrue(waitFor(() -> count(log, "Full thread dump") > dumpsBefore, Duration.ofSeconds(10)),
                        "SIGQUIT must reach the new JVM (it must not inherit a blocked signal mask); log: " + log);
            }
            assertTrue(server.awaitGone(old, Duration.ofSeconds(10)),
                    "the old JVM must exit soon after its last connection closed; log: " + log);
            assertEquals(1, server.livePids().size(), "exactly one server process left; log: " + log);
        }
    }

    private static long count(Path log, String text) {
        try {
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream().filter(l -> l.contains(text)).count();
        } catch (Exception e) {
            return 0;
        }
    }

    interface Condition {
        boolean holds();
    }

    /** Also used by RollbackIT; the polling itself is {@link Await#until}. */
    static boolean waitFor(Condition condition, Duration timeout) throws InterruptedException {
        return Await.until(condition::holds, timeout);
    }
}

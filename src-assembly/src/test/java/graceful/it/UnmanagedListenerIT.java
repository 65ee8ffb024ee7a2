package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A listener graceful cannot hand over (here JDK 17's legacy PlainSocketImpl, which bypasses the
 * JDK methods graceful hooks) must not cost a failed request: graceful refuses the restart,
 * names the port, and starts no new JVM that would fail to bind it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnmanagedListenerIT {
    /** How long after the HUP the test watches for a new generation that should never come. */
    private static final Duration WATCH = Duration.ofSeconds(4);

    /** {@code jdk.net.usePlainSocketImpl} exists up to JDK 17 (JEP 353 kept it; JDK 18 removed it). */
    static Stream<Path> jdksWithPlainSocketImpl() {
        return ItEnvironment.jdks().stream().filter(jdk -> ItEnvironment.featureVersion(jdk) <= 17);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdksWithPlainSocketImpl")
    void aListenerGracefulDoesNotManageMakesItRefuseTheRestart(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("unmanaged-listener-" + jdk.getFileName());
        String where = "; server log " + log;
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "blocking", log,
                "-Djdk.net.usePlainSocketImpl=true"))) {
            long old = server.pid();
            LoadClient load = new LoadClient(server.port(), Duration.ofSeconds(60));
            load.start();
            Set<Long> generations = new TreeSet<>();
            try {
                server.hup(old);
                long end = System.nanoTime() + WATCH.toNanos();
                while (System.nanoTime() - end < 0) {
                    generations.addAll(server.livePids());
                    Thread.sleep(50);
                }
            } finally {
                load.stop();
            }
            assertEquals(Set.of(old), generations, "no new JVM may start" + where + ServerLog.gracefulLines(log));
            String refusal = ServerLog.linesWith(log, "not managed by graceful");
            assertTrue(refusal.contains(String.valueOf(server.port())), "expected a 'not managed by graceful' line"
                    + " naming port " + server.port() + where + ServerLog.gracefulLines(log));
            // Netty's native epoll transport is the common case (it cannot be built here): the line says what to do.
            assertTrue(refusal.contains("-Dio.netty.transport.noNative=true"), "the refusal names Netty's workaround: "
                    + refusal + where);
            assertEquals(old, server.pid(), "the old JVM serves on" + where);
            Restarts.assertNoFailedRequests(load, where);
            assertEquals(List.of(old), server.livePids(), "exactly the old JVM is left" + where);
        }
    }
}

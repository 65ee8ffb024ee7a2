package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's story with a bad release: a broken app.jar is dropped in and HUP sent; the new JVM
 * dies before it is ready, the old one serves on without a single failed request and reaps it;
 * the fixed jar goes in, and the next HUP restarts as usual.
 */
class RollbackIT {
    static Stream<Path> jdks() {
        return ItEnvironment.jdks().stream();
    }

    @TempDir
    Path release;

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aBrokenJarRollsBackAndTheFixedOneRestarts(Path jdk) throws Exception {
        ItEnvironment.requireJdk(jdk);
        Path log = ItEnvironment.freshLogFile("rollback-" + jdk.getFileName());
        Path appJar = release.resolve("app.jar");
        install(ItEnvironment.itAppsJar(), appJar);
        int port = ServerProcess.freePort();
        try (ServerProcess server = ServerProcess.start(new ServerProcess.Spec(
                jdk, ItEnvironment.gracefulJar(), appJar, "httpserver", port, log))) {
            LoadClient load = new LoadClient(port, Duration.ofSeconds(90));
            load.start();
            try {
                long first = server.pid();

                Path broken = release.resolve("broken.jar");
                Files.writeString(broken, "this is not a jar");
                install(broken, appJar);
                server.hup(first);
                assertTrue(HandoverIT.waitFor(() -> logHas(log, "rollback"), Duration.ofSeconds(30)),
                        "expected a rollback line; log: " + log);
                assertTrue(logHas(log, "exit status 1"), "the rollback line names the child's exit status; log: " + log);
                assertEquals(first, server.pid(), "the old JVM serves on");
                assertTrue(HandoverIT.waitFor(() -> childrenOf(first).isEmpty(), Duration.ofSeconds(5)),
                        "the dead child must be reaped, not left a zombie: children " + childrenOf(first));

                install(ItEnvironment.itAppsJar(), appJar);
                server.hup(first);
                long second = server.awaitPidOtherThan(first, Duration.ofSeconds(30)).orElseThrow(
                        () -> new AssertionError("the HUP after the fix restarted nothing; log: " + log));
                assertTrue(server.awaitGone(first, Duration.ofSeconds(35)), "the old JVM exits; log: " + log);
                assertEquals(List.of(second), server.livePids(), "exactly one server process left; log: " + log);
            } finally {
                load.stop();
            }
            assertEquals(0, load.failures(), "failed requests: " + load.failureSamples() + "; log: " + log);
            assertEquals(2, load.pidsSeen().size(), "two generations served: " + load.pidsSeen());
        }
    }

    /** Replaces the jar the way a deploy should: write aside, then rename over (never overwrite in place). */
    private static void install(Path source, Path appJar) throws Exception {
        Path next = appJar.resolveSibling(appJar.getFileName() + ".next");
        Files.copy(source, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, appJar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean logHas(Path log, String text) {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1).contains(text);
        } catch (Exception e) {
            return false;
        }
    }

    private static List<Long> childrenOf(long pid) {
        try {
            return ProcFs.children(pid);
        } catch (Exception gone) {
            return List.of();
        }
    }
}

package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
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
 * The java binary the server runs from is deleted (a JDK removed or moved under a running
 * server) and HUP sent: graceful cannot start a new JVM, says the executable is gone, and the old
 * one serves on without a failed request and without a new process. Once the binary is back, the
 * next HUP restarts as usual. The JDK is a stand-in in a temporary directory (its own copy of
 * bin/java, everything else linked to the real JDK), so that deleting its java harms no one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JavaGoneIT {
    private static final Duration ROLLBACK_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path standInJdk;

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void aDeletedJavaBinaryRollsBackAndARestoredOneRestarts(Path jdk) throws Exception {
        Path realJava = ItEnvironment.requireJdk(jdk).resolve("bin/java");
        Path log = ItEnvironment.freshLogFile("java-gone-" + jdk.getFileName());
        String where = "; server log " + log;
        buildStandIn(jdk, log);
        // As /proc/pid/exe and graceful's lines name it (no symbolic link in the way).
        Path java = standInJdk.toRealPath().resolve("bin/java");
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(standInJdk, "httpserver", log))) {
            long first = server.pid();
            assertEquals(java.toString(), ProcFs.executable(first),
                    "test setup: the server runs the stand-in's java" + where);
            LoadClient load = new LoadClient(server.port(), Duration.ofSeconds(100));
            load.start();
            long second;
            try {
                Files.delete(java);
                server.hup(first);
                assertTrue(ServerLog.await(log, "is gone", ROLLBACK_TIMEOUT), "no line saying the java executable "
                        + java + " is gone within " + ROLLBACK_TIMEOUT + " of HUP to " + first + where
                        + ServerLog.gracefulLines(log));
                assertTrue(ServerLog.linesWith(log, "rollback:").lines()
                                .anyMatch(line -> line.contains("is gone") && line.contains(java.toString())),
                        "expected a rollback line naming " + java + " as gone" + where + ServerLog.gracefulLines(log));
                assertEquals(first, server.pid(), "the old JVM serves on" + where);
                assertEquals(List.of(first), server.livePids(), "no new JVM appeared" + where);
                assertEquals(List.of(), ProcFs.children(first), "the old JVM started no process" + where);

                Files.copy(realJava, java, StandardCopyOption.COPY_ATTRIBUTES);
                second = Restarts.handOver(server, first, where);
            } finally {
                load.stop();
            }
            Restarts.assertNoFailedRequests(load, where);
            assertEquals(List.of(second), server.livePids(), "exactly the new generation is left" + where);
            assertEquals(java.toString(), ProcFs.executable(second), "the new JVM runs the restored java" + where);
        }
    }

    /**
     * {@code standInJdk}: bin/java a copy of the JDK's, every other entry of the JDK home a
     * symbolic link to the real one (the launcher finds its home from its own path, then lib/ and
     * the rest through the links). Checked by running {@code java -version} from there, its
     * output appended to {@code log}.
     */
    private void buildStandIn(Path jdk, Path log) throws IOException, InterruptedException {
        Files.createDirectories(standInJdk.resolve("bin"));
        Files.copy(jdk.resolve("bin/java"), standInJdk.resolve("bin/java"), StandardCopyOption.COPY_ATTRIBUTES);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(jdk)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals("bin")) {
                    Files.createSymbolicLink(standInJdk.resolve(entry.getFileName().toString()), entry);
                }
            }
        }
        Process version = new ProcessBuilder(standInJdk.resolve("bin/java").toString(), "-version")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        if (!version.waitFor(30, TimeUnit.SECONDS)) {
            version.destroyForcibly();
            version.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("test setup: " + standInJdk + "/bin/java -version did not finish within 30 s;"
                    + " log " + log);
        }
        assertEquals(0, version.exitValue(), "test setup: the stand-in JDK " + standInJdk + " does not run"
                + " (java -version exited " + version.exitValue() + "); its output is in the log " + log);
    }
}

package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import graceful.itapps.harness.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * graceful adds nothing to the app's stdout and stderr but its own log lines: no JDK warning about
 * what graceful does (native access, JEP 472, for jffi's {@code System.load} at the first restart;
 * {@code sun.misc.Unsafe}, JEP 498; class data sharing, when a jar is appended to the boot class
 * path) over a JVM's whole life: start, two restarts, a stop.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NoWarningsIT {
    private static final int RESTARTS = 2;
    /** Besides any line starting with {@code WARNING:} (how the JDK starts its warnings). */
    private static final List<String> FORBIDDEN = List.of("restricted method", "sun.misc.Unsafe", "CDS",
            "Sharing is only supported");

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void startRestartsAndStopPrintNoWarning(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("no-warnings-" + jdk.getFileName());
        restartTwiceAndStop(ItEnvironment.spec(jdk, "httpserver", log), " [on " + jdk + "; server log " + log + "]");
        assertNoWarning(log, jdk);
    }

    /** Under nohup, graceful's first native call (to handle SIGHUP again) is at startup, not at the first restart. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void underNohupNothingWarnsEither(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("no-warnings-nohup-" + jdk.getFileName());
        restartTwiceAndStop(ItEnvironment.spec(jdk, "httpserver", log).withLauncher(List.of("nohup")),
                " [under nohup on " + jdk + "; server log " + log + "]");
        assertNoWarning(log, jdk);
    }

    /**
     * With {@code --illegal-native-access=deny} (JDK 22 and later), a restricted call from a module
     * without native access throws instead of warning: restarts working then shows graceful's jffi
     * has native access of its own, not merely that a warning went missing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void restartsWorkWhenTheJdkDeniesIllegalNativeAccess(Path jdk) throws Exception {
        assumeTrue(ItEnvironment.featureVersion(ItEnvironment.requireJdk(jdk)) >= 22,
                "--illegal-native-access exists from JDK 22 on");
        Path log = ItEnvironment.freshLogFile("no-warnings-deny-" + jdk.getFileName());
        restartTwiceAndStop(ItEnvironment.spec(jdk, "httpserver", log, "--illegal-native-access=deny"),
                " [on " + jdk + " with --illegal-native-access=deny; server log " + log + "]");
        assertNoWarning(log, jdk);
    }

    private static void restartTwiceAndStop(ServerProcess.Spec spec, String where) throws Exception {
        try (ServerProcess server = ServerProcess.start(spec)) {
            long pid = server.pid();
            for (int i = 0; i < RESTARTS; i++) {
                pid = Restarts.handOver(server, pid, where);
            }
            server.signal(pid, "TERM");
            assertTrue(server.awaitGone(pid, Restarts.OLD_PID_GONE_TIMEOUT),
                    "pid " + pid + " still running " + Restarts.OLD_PID_GONE_TIMEOUT + " after SIGTERM" + where);
        }
        assertTrue(ServerLog.contains(spec.logFile(), "stopping gracefully"),
                "expected the last JVM's 'stopping gracefully' line" + where + ServerLog.gracefulLines(spec.logFile()));
    }

    /**
     * Every line of every generation, but the harness's own ({@code # ... starting: <command>}):
     * none is a JDK warning, mentions one of {@link #FORBIDDEN}, or is a failure line of graceful's
     * bootstrap ({@code graceful: ...}, e.g. when its jffi module could not be defined).
     */
    private static void assertNoWarning(Path log, Path jdk) throws Exception {
        List<String> offending = Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
                .filter(line -> !line.startsWith("# "))
                .filter(line -> line.startsWith("WARNING:") || line.startsWith("graceful:")
                        || FORBIDDEN.stream().anyMatch(line::contains))
                .collect(Collectors.toList());
        assertEquals(List.of(), offending, "lines on stdout/stderr that graceful must not cause, on " + jdk
                + "; server log " + log);
    }
}

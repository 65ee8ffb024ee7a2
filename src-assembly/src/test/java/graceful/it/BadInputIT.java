package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.ServerProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restart variables graceful did not make for this JVM (copied into another process's
 * environment, forged, or garbage) must never stop the app: it binds normally, and graceful says
 * why it ignored them. Each JVM here is a first start with no graceful parent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputIT {
    /** Any socket inode: the fd the forged variables name is never that socket. */
    private static final String FORGED_INODE = "12345";

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void garbageVariablesAreIgnored(Path jdk) throws Exception {
        Map<String, String> garbage = Map.of(
                "GRACEFUL_INHERIT_PARENT_PID", "abc",
                "GRACEFUL_INHERIT_GENERATION", "1",
                "GRACEFUL_INHERIT_READY_FD", "-1",
                "GRACEFUL_INHERIT_LISTENERS", "3/nowhere");
        Path log = ItEnvironment.freshLogFile("bad-input-garbage-" + jdk.getFileName());
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log)
                .withExtraEnvironment(garbage))) {
            assertLogHas(log, "ignoring the restart variables");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void variablesMadeForAnotherParentAreIgnored(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("bad-input-other-parent-" + jdk.getFileName());
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log);
        try (ServerProcess server = ServerProcess.start(spec.withExtraEnvironment(wellFormed(1, spec.port())))) {
            assertLogHas(log, "this JVM's parent is pid " + ProcessHandle.current().pid());
        }
    }

    /**
     * The right parent pid (this test JVM, as when graceful itself starts a child), but fd 3 is a
     * regular file where a listening socket is named, and fd 4 a pipe as the ready fd. bash sets
     * up both, then execs java, so this JVM stays bash's parent.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void anFdThatIsNotTheNamedSocketIsNotInherited(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("bad-input-not-a-socket-" + jdk.getFileName());
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log);
        // The process substitution's cat outlives bash's exec as java's child, draining the ready byte.
        List<String> fdsThenJava = List.of("/bin/bash", "-c",
                "exec 3</etc/hostname 4> >(exec cat >/dev/null); exec \"$@\"", "bash");
        try (ServerProcess server = ServerProcess.start(spec.withLauncher(fdsThenJava)
                .withExtraEnvironment(wellFormed(ProcessHandle.current().pid(), spec.port())))) {
            assertEquals(ProcessHandle.current().pid(), ProcFs.parentPid(server.firstGenerationPid()),
                    "test setup: the JVM's parent must be this test JVM, as the variables say; log " + log);
            assertLogHas(log, "not inheriting");
            assertLogHas(log, "not the parent's socket");
        }
    }

    /**
     * Restart variables as graceful writes them: fd 3 the listener on the app's own port (were it
     * wrongly inherited, the app's bind would break), fd 4 the ready pipe.
     */
    private static Map<String, String> wellFormed(long parentPid, int port) {
        return Map.of(
                "GRACEFUL_INHERIT_PARENT_PID", String.valueOf(parentPid),
                "GRACEFUL_INHERIT_GENERATION", "2",
                "GRACEFUL_INHERIT_READY_FD", "4",
                "GRACEFUL_INHERIT_LISTENERS", "3/127.0.0.1/" + port + "/" + FORGED_INODE);
    }

    private static void assertLogHas(Path log, String text) {
        assertTrue(ServerLog.contains(log, text), "expected '" + text + "' in the server log " + log
                + ServerLog.gracefulLines(log));
    }
}

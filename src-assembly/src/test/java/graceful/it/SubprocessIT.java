package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.ServerProcess;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a JVM graceful started hands on to the app's own subprocesses: none of the restart
 * variables (a subprocess that is itself a JVM under graceful must not see them) and no socket.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SubprocessIT {
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void theAppsSubprocessesInheritNoRestartVariableAndNoSocket(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("subprocess-" + jdk.getFileName());
        String where = "; server log " + log;
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log))) {
            long child = Restarts.handOver(server, server.pid(), where); // a JVM graceful started

            HttpProbe.Response spawn = HttpProbe.get(server.port(), "/spawn");
            assertEquals(200, spawn.status(), "GET /spawn: " + spawn.body() + where);
            assertEquals(child, spawn.pid(), "GET /spawn must be answered by the new generation" + where);
            assertEquals("", linesWith(spawn.body(), "GRACEFUL_INHERIT_"),
                    "a subprocess of the app sees the restart variables" + where);
            assertEquals("", linesWith(spawn.body(), "socket:"), "a subprocess of the app holds sockets" + where);
            assertTrue(spawn.body().contains("PATH="), "the spawned env printed nothing? " + spawn.body() + where);
        }
    }

    private static String linesWith(String text, String part) {
        return text.lines().filter(line -> line.contains(part)).collect(Collectors.joining("\n"));
    }
}

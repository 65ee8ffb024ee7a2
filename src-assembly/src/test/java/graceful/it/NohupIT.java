package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server started under {@code nohup} (SIGHUP ignored from the start, as many init scripts do)
 * restarts on HUP like any other, twice in a row (the second from a generation graceful started).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NohupIT {
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void aServerStartedUnderNohupRestartsOnHup(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("nohup-" + jdk.getFileName());
        String where = "; server log " + log;
        // nohup sets SIGHUP to ignored and execs java: the pid started is the JVM's.
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log).withLauncher(List.of("nohup"));
        try (ServerProcess server = ServerProcess.start(spec)) {
            long first = server.pid();
            LoadClient load = new LoadClient(server.port(), Duration.ofSeconds(100));
            load.start();
            long third;
            try {
                long second = Restarts.handOver(server, first, where);
                third = Restarts.handOver(server, second, where);
            } finally {
                load.stop();
            }
            Restarts.assertNoFailedRequests(load, where);
            assertEquals(List.of(third), server.livePids(), "exactly the newest generation is left" + where);
        }
    }
}

package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SIGTERM and SIGINT stop the server gracefully: it stops accepting, finishes the requests in
 * flight, and exits with the status a plain JVM has for the signal. {@code stopOnTerm=false}
 * gives back the plain JVM's immediate exit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GracefulStopIT {
    /** Long enough to be certainly in flight when the signal arrives and to outlast a hasty exit. */
    private static final long SLOW_MILLIS = 8_000;
    private static final long SLOW_REQUEST_HEAD_START_MILLIS = 200;
    /** graceful's default drain deadline (30 s), plus time to exit. */
    private static final Duration GRACEFUL_EXIT_TIMEOUT = Duration.ofSeconds(35);
    private static final Duration IMMEDIATE_EXIT_TIMEOUT = Duration.ofSeconds(5);
    private static final int SIGINT = 2;

    /** TERM on each JDK; INT, handled by the same code, on the first JDK only. */
    static Stream<Arguments> signals() {
        List<Path> jdks = ItEnvironment.jdks();
        return Stream.concat(jdks.stream().map(jdk -> Arguments.of("TERM", 143, jdk)),
                Stream.of(Arguments.of("INT", 130, jdks.get(0))));
    }

    @ParameterizedTest(name = "SIG{0} on {2}")
    @MethodSource("signals")
    void aStopSignalLetsTheRequestInFlightFinish(String signal, int exitStatus, Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("graceful-stop-" + signal + "-" + jdk.getFileName());
        String where = "; server log " + log;
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log))) {
            long pid = server.firstGenerationPid();
            // A JVM started with SIGINT ignored (e.g. by a shell running mvn in the background)
            // ignores it with or without graceful: nothing to test then.
            assumeFalse(signal.equals("INT") && ProcFs.ignoresSignal(pid, SIGINT),
                    "SIGINT is ignored in the server process, inherited from this test JVM");
            LoadClient load = new LoadClient(server.port(), Duration.ofSeconds(60));
            load.start();
            OptionalInt exit;
            HttpProbe.Response slow;
            try {
                Background<HttpProbe.Response> inFlight = Background.start("slow-request",
                        () -> HttpProbe.get(server.port(), "/slow?ms=" + SLOW_MILLIS));
                Thread.sleep(SLOW_REQUEST_HEAD_START_MILLIS);
                server.signal(pid, signal);
                exit = server.awaitFirstGenerationExit(GRACEFUL_EXIT_TIMEOUT);
                slow = inFlight.await(HttpProbe.CONNECT_TIMEOUT_MILLIS + HttpProbe.READ_TIMEOUT_MILLIS,
                        "the request in flight at SIG" + signal + where + ServerLog.gracefulLines(log));
            } finally {
                // Requests after the listener closed fail (connection refused): a stopped service.
                load.stop();
            }
            assertEquals(200, slow.status(), "the request in flight at SIG" + signal + " answered " + slow + where);
            assertEquals(pid, slow.pid(), "the request in flight was answered by another pid" + where);
            assertEquals(OptionalInt.of(exitStatus), exit, "exit status after SIG" + signal + " (empty: still running "
                    + GRACEFUL_EXIT_TIMEOUT + " later)" + where + ServerLog.gracefulLines(log));
            assertTrue(ServerLog.contains(log, "stopping"), "expected a 'stopping' line" + where
                    + ServerLog.gracefulLines(log));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void withStopOnTermOffTermEndsTheJvmAtOnce(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("term-plain-" + jdk.getFileName());
        String where = "; server log " + log;
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log,
                "-Dgraceful.stopOnTerm=false"))) {
            long pid = server.firstGenerationPid();
            // Whether this request fails does not matter: it shows the JVM does not wait for it.
            Background.start("slow-request", () -> HttpProbe.get(server.port(), "/slow?ms=" + SLOW_MILLIS));
            Thread.sleep(SLOW_REQUEST_HEAD_START_MILLIS);
            server.signal(pid, "TERM");
            assertEquals(OptionalInt.of(143), server.awaitFirstGenerationExit(IMMEDIATE_EXIT_TIMEOUT),
                    "with stopOnTerm=false, SIGTERM must end the JVM at once with 143 (empty: still running "
                            + IMMEDIATE_EXIT_TIMEOUT + " later)" + where + ServerLog.gracefulLines(log));
        }
    }
}

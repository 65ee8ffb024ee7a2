package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keep-alive clients across restarts: wrk holds 8 connections open and sends request after
 * request on each, while a fresh-connection client runs beside it; 5 HUPs. Neither client may
 * see a single error, wrk's connections must reach every generation (they leave each old JVM
 * after a response marked {@code Connection: close}), and each old JVM must be gone within 10 s
 * of its HUP, long before the 30 s drain deadline that an idle-looking but busy connection
 * would otherwise run into.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KeepAliveIT {
    private static final int RESTARTS = 5;
    private static final int CONNECTIONS = 8;
    private static final Duration OLD_JVM_GONE_WITHIN = Duration.ofSeconds(10);
    /** Bounds wrk should the test itself hang; stop() ends it long before. */
    private static final Duration WRK_MAX_DURATION = Duration.ofMinutes(3);
    /** Lets wrk's connections settle on each new generation before the next HUP. */
    private static final long BETWEEN_RESTARTS_MILLIS = 500;

    private static final List<String> APPS = List.of("httpserver", "blocking", "nio", "jetty12", "tomcat11", "netty42", "undertow");

    private static final Map<String, String> REPORT = new LinkedHashMap<>();

    /** {@code -Dgraceful.it.keepAlive=jetty12,nio} runs those apps only (all when unset). */
    private static final String ONLY_PROPERTY = "graceful.it.keepAlive";

    static Stream<Arguments> appsOnEachJdk() {
        return ItEnvironment.appsOnEachJdk(APPS, ONLY_PROPERTY);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsOnEachJdk")
    void keepAliveConnectionsMoveToEachNewJvmWithoutAnError(String app, Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("keep-alive-" + app + "-" + jdk.getFileName());
        String where = " [" + app + " on " + jdk + "; server log " + log + "]";
        ServerProcess.Spec spec = ItEnvironment.anyAppSpec(jdk, app, log);
        List<Long> goneAfterMillis = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(spec);
             WrkLoad wrk = WrkLoad.start(spec.port(), CONNECTIONS, WRK_MAX_DURATION,
                     log.resolveSibling("keep-alive-" + app + "-" + jdk.getFileName() + "-wrk.txt"))) {
            List<Long> generations = new ArrayList<>(List.of(server.pid()));
            LoadClient fresh = new LoadClient(spec.port(), 2, WRK_MAX_DURATION);
            fresh.start();
            WrkLoad.Result keepAlive;
            try {
                Thread.sleep(BETWEEN_RESTARTS_MILLIS);
                for (int restart = 1; restart <= RESTARTS; restart++) {
                    long oldPid = generations.get(generations.size() - 1);
                    long hup = System.nanoTime();
                    long newPid = Restarts.handOver(server, oldPid, where);
                    goneAfterMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hup));
                    generations.add(newPid);
                    Thread.sleep(BETWEEN_RESTARTS_MILLIS);
                }
            } finally {
                keepAlive = wrk.stop();
                fresh.stop();
            }
            REPORT.put(app + " on " + jdk.getFileName(), String.format(Locale.ROOT,
                    "%-28s wrk %d requests, errors %s; fresh connections %d ok, %d failed; old JVM gone after %s ms%n    %s",
                    app + " on " + jdk.getFileName(), keepAlive.requests(), keepAlive.errors(), fresh.successes(),
                    fresh.failures(), goneAfterMillis, drains(log)));

            Restarts.assertNoKeepAliveErrors(keepAlive, where, log);
            Restarts.assertAppKeptItsListener(log, where);
            Restarts.assertNoFailedRequests(fresh, where);
            assertTrue(keepAlive.responsesByPid().keySet().containsAll(generations), "wrk's kept-alive connections"
                    + " must reach every generation " + generations + ", but only these answered: "
                    + keepAlive.responsesByPid() + where);
            for (int i = 0; i < goneAfterMillis.size(); i++) {
                assertTrue(goneAfterMillis.get(i) <= OLD_JVM_GONE_WITHIN.toMillis(), "HUP " + (i + 1) + ": the old JVM "
                        + generations.get(i) + " was gone only " + goneAfterMillis.get(i) + " ms after its HUP, not within "
                        + OLD_JVM_GONE_WITHIN + where + ServerLog.gracefulLines(log));
            }
            assertEquals(List.of(generations.get(RESTARTS)), server.livePids(), "only the newest generation may be left" + where);
        }
    }

    /** graceful's drain lines, e.g. "drained 8 connection(s) in 40 ms (8 of them told by ...)". */
    private static String drains(Path log) throws IOException {
        return Files.readAllLines(log).stream().filter(line -> line.contains("drained ") || line.contains("drain deadline"))
                .map(line -> line.substring(line.indexOf("graceful[")))
                .collect(Collectors.joining("\n    "));
    }

    @AfterAll
    static void summary() throws IOException {
        StringBuilder text = new StringBuilder("graceful keep-alive restarts: wrk with " + CONNECTIONS + " kept-alive"
                + " connections plus a fresh-connection client, " + RESTARTS + " HUPs per case\n\n");
        REPORT.values().forEach(line -> text.append(line).append('\n'));
        Files.writeString(Path.of(System.getProperty("graceful.it.logs"), "keep-alive-summary.txt"), text);
        System.out.println(text);
    }
}

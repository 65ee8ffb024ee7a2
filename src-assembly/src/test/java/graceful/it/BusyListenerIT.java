package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restarts while the listener is busy accepting: fresh connections pour in from 4 threads beside
 * 64 kept-alive wrk connections that ask for 1 ms of work each, unpaced, so a selector-driven
 * server has its listener's key among the selected keys almost whenever its drain may start. The
 * servers: the JDK's HttpServer with its default executor (every exchange runs on the dispatcher
 * thread, between its select and its accept), a plain NIO loop, Netty 4.2 and 4.1. Closing a
 * listener under such a selector thread made the JDK's HttpServer spin and leave every kept-alive
 * connection unanswered until the drain deadline; cancelling its key while it was selected made
 * Netty close its server channel, and an app written like Netty's examples then shut down with
 * its connections in flight (see StopAccepting). 5 HUPs per case: each old JVM gone within 10 s of
 * its HUP, no client sees an error, and no app sees its listener closed or its key cancelled (the
 * nio and Netty apps print a line if they do).
 *
 * <p>The races it guards against are ones of timing: against the old close, this test and its
 * variants did not catch the HttpServer's in 7 runs, while KeepAliveIT's httpserver cases did in 1
 * run of 12, and a hand-run trial (a fresh JVM, 2 s of this load from wrk and curl loops, one HUP)
 * in 3 of 18. The last check does not depend on timing: graceful no longer closes or cancels a
 * selector-driven listener at all, and the nio app reported each close of the code before.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BusyListenerIT {
    private static final List<String> APPS = List.of("httpserver-inline", "nio", "netty42", "netty41");
    /** {@code -Dgraceful.it.busyListener=httpserver-inline} runs that app only (all when unset). */
    private static final String ONLY_PROPERTY = "graceful.it.busyListener";
    private static final int RESTARTS = 5;
    private static final int FRESH_CONNECTION_THREADS = 4;
    private static final int KEPT_ALIVE_CONNECTIONS = 64;
    /**
     * 1 ms of work per request keeps a selector thread that runs handlers itself (httpserver-inline,
     * nio) busy between its select and its next accept nearly all the time.
     */
    private static final String KEPT_ALIVE_PATH = "/slow?ms=1";
    private static final Duration OLD_JVM_GONE_WITHIN = Duration.ofSeconds(10);
    private static final long BETWEEN_RESTARTS_MILLIS = 1000;
    /** Bounds both clients should the test itself hang; they are stopped long before. */
    private static final Duration LOAD_MAX_DURATION = Duration.ofMinutes(4);

    static Stream<Arguments> appsOnEachJdk() {
        return ItEnvironment.appsOnEachJdk(APPS, ONLY_PROPERTY);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsOnEachJdk")
    void aListenerStopsAcceptingMidAcceptWithoutHangingAConnection(String app, Path jdk) throws Exception {
        String name = "busy-listener-" + app + "-" + jdk.getFileName();
        Path log = ItEnvironment.freshLogFile(name);
        String where = " [" + app + " on " + jdk + "; server log " + log + "]";
        ServerProcess.Spec spec = ItEnvironment.anyAppSpec(jdk, app, log);
        List<String> slowDrains = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(spec);
             WrkLoad wrk = WrkLoad.startUnpaced(spec.port(), KEPT_ALIVE_PATH, KEPT_ALIVE_CONNECTIONS, LOAD_MAX_DURATION,
                     log.resolveSibling(name + "-wrk.txt"))) {
            LoadClient fresh = new LoadClient(spec.port(), FRESH_CONNECTION_THREADS, LOAD_MAX_DURATION);
            fresh.start();
            WrkLoad.Result keptAlive;
            try {
                long pid = server.pid();
                for (int restart = 1; restart <= RESTARTS; restart++) {
                    Thread.sleep(BETWEEN_RESTARTS_MILLIS);
                    long hup = System.nanoTime();
                    long next = Restarts.handOver(server, pid, where);
                    long goneAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hup);
                    if (goneAfterMillis > OLD_JVM_GONE_WITHIN.toMillis()) {
                        slowDrains.add("HUP " + restart + ": pid " + pid + " gone after " + goneAfterMillis + " ms");
                    }
                    pid = next;
                }
            } finally {
                keptAlive = wrk.stop();
                fresh.stop();
            }
            assertEquals(List.of(), slowDrains, "old JVMs gone only after more than " + OLD_JVM_GONE_WITHIN + where
                    + ServerLog.gracefulLines(log));
            Restarts.assertNoKeepAliveErrors(keptAlive, where, log);
            Restarts.assertAppKeptItsListener(log, where);
            Restarts.assertNoFailedRequests(fresh, where);
        }
    }
}

package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's promise, checked on each it-app and each JDK: under steady load, {@code kill -HUP}
 * hands the server over to a new JVM three times without a single failed request, a request in
 * flight at the HUP is finished by the old JVM, and one server process remains.
 */
// A safety net only: every wait below is bounded, and a healthy run takes well under 40 s.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RestartIT {

    private static final List<String> APPS = List.of("httpserver", "blocking", "nio");
    private static final int RESTARTS = 3;

    /**
     * Long enough to still be open when the new JVM answers, so the old JVM has to drain it: a
     * hand-over takes 1.5 to 4.5 s on a busy 2-core machine, and a 1.5 s request would usually be
     * over before the old JVM even stopped accepting, testing nothing about the drain.
     */
    private static final long SLOW_MILLIS = 8_000;
    /** Lets the old JVM accept the slow request before it is told to hand over. */
    private static final long SLOW_REQUEST_HEAD_START_MILLIS = 200;

    private static final Duration NEW_PID_TIMEOUT = Duration.ofSeconds(30);
    /** graceful's drain deadline (30 s) plus time for the JVM to exit. */
    private static final Duration OLD_PID_GONE_TIMEOUT = Duration.ofSeconds(35);
    /** Bounds the load should every wait run to its limit; stop() ends it long before. */
    private static final Duration LOAD_MAX_DURATION = Duration.ofMinutes(4);

    static Stream<Arguments> appsOnEachJdk() {
        List<Path> jdks = ItEnvironment.jdks();
        return APPS.stream().flatMap(app -> jdks.stream().map(jdk -> Arguments.of(app, jdk)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsOnEachJdk")
    void hupHandsOverToANewJvmWithoutFailingARequest(String app, Path javaHome) throws Exception {
        Path log = ItEnvironment.freshLogFile(app + "-" + javaHome.getFileName());
        String where = " [" + app + " on " + javaHome + "; server log " + log + "]";

        // Start the app under graceful.
        try (ServerProcess server = ServerProcess.start(new ServerProcess.Spec(
                ItEnvironment.requireJdk(javaHome), ItEnvironment.gracefulJar(), ItEnvironment.itAppsJar(),
                app, ServerProcess.freePort(), log))) {
            List<Long> generations = new ArrayList<>(List.of(server.pid()));

            // Load it: every request on a fresh connection, so every one goes through the listener.
            LoadClient load = new LoadClient(server.port(), LOAD_MAX_DURATION);
            load.start();
            try {
                for (int restart = 1; restart <= RESTARTS; restart++) {
                    long oldPid = generations.get(generations.size() - 1);
                    generations.add(restartWithARequestInFlight(server, oldPid, "HUP " + restart + " to " + oldPid + where));
                }
            } finally {
                load.stop();
            }

            assertEquals(0, load.failures(), load.failures() + " of " + (load.successes() + load.failures())
                    + " requests failed" + where + "; first failures:\n  " + String.join("\n  ", load.failureSamples()));
            assertEquals(RESTARTS + 1, new HashSet<>(generations).size(),
                    "each HUP must bring a new pid; generations " + generations + where);
            assertEquals(generations, load.pidsSeen(),
                    "the load must have been served by each generation in turn" + where);
            assertEquals(List.of(generations.get(RESTARTS)), server.livePids(),
                    "exactly the newest generation must be left running" + where);
        }
    }

    /**
     * One hand-over: a slow request goes to the old JVM, the HUP follows; returns the new pid once
     * it answers, the old JVM has exited and the slow request has been answered by the old JVM.
     */
    private static long restartWithARequestInFlight(ServerProcess server, long oldPid, String what) throws Exception {
        SlowRequest slowRequest = SlowRequest.start(server.port());
        Thread.sleep(SLOW_REQUEST_HEAD_START_MILLIS);

        server.hup(oldPid);
        long newPid = server.awaitPidOtherThan(oldPid, NEW_PID_TIMEOUT).orElseThrow(() -> new AssertionError(
                "no new pid answered within " + NEW_PID_TIMEOUT + " of " + what));
        long newPidAnsweredNanos = System.nanoTime();
        assertTrue(server.awaitGone(oldPid, OLD_PID_GONE_TIMEOUT),
                "old pid still running " + OLD_PID_GONE_TIMEOUT + " after the new pid " + newPid + " answered; " + what);

        HttpProbe.Response slow = slowRequest.await(what);
        assertEquals(200, slow.status(), "the request in flight failed: " + slow + "; " + what);
        assertEquals(oldPid, slow.pid(), "the request in flight must be finished by the old JVM; " + what);
        assertTrue(slowRequest.finishedNanos - newPidAnsweredNanos > 0, "the request in flight finished before the new"
                + " pid answered, so the old JVM's drain was not tested; raise SLOW_MILLIS; " + what);
        return newPid;
    }

    /** A {@code GET /slow} on its own thread, remembering when its response arrived. */
    private static final class SlowRequest {
        private final FutureTask<HttpProbe.Response> response;
        private volatile long finishedNanos;

        private SlowRequest(int port) {
            response = new FutureTask<>(() -> {
                HttpProbe.Response slow = HttpProbe.get(port, "/slow?ms=" + SLOW_MILLIS);
                finishedNanos = System.nanoTime();
                return slow;
            });
        }

        static SlowRequest start(int port) {
            SlowRequest request = new SlowRequest(port);
            Thread thread = new Thread(request.response, "slow-request");
            thread.setDaemon(true);
            thread.start();
            return request;
        }

        /** The response; the old JVM is gone by now, so it has answered or failed. */
        HttpProbe.Response await(String what) throws InterruptedException {
            try {
                return response.get(HttpProbe.CONNECT_TIMEOUT_MILLIS + HttpProbe.READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError("the request in flight failed: " + e.getCause() + "; " + what, e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError("the request in flight did not finish; " + what, e);
            }
        }
    }
}

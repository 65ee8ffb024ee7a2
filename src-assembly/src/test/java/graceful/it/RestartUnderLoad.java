package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The README's promise as RestartIT and CompatibilityIT check it: under steady load,
 * {@code kill -HUP} hands the server over to a new JVM again and again without a single failed
 * request, a request in flight at each HUP is finished by the old JVM, and one server process
 * remains.
 */
final class RestartUnderLoad {

    /** Lets the old JVM accept the slow request before it is told to hand over. */
    private static final long SLOW_REQUEST_HEAD_START_MILLIS = 200;

    private static final Duration NEW_PID_TIMEOUT = Duration.ofSeconds(30);
    /** graceful's drain deadline (30 s) plus time for the JVM to exit. */
    private static final Duration OLD_PID_GONE_TIMEOUT = Duration.ofSeconds(35);
    /** Bounds the load should every wait run to its limit; stop() ends it long before. */
    private static final Duration LOAD_MAX_DURATION = Duration.ofMinutes(4);

    /**
     * What one hand-over took, each counted from just before the HUP was sent: until the new pid
     * answered {@code GET /}, until the request in flight was answered, until the old pid was gone.
     */
    record HandOver(long oldPid, long newPid, Duration newPidAnswered, Duration slowRequestFinished,
                    Duration oldPidGone) {
    }

    private RestartUnderLoad() {
    }

    /**
     * Starts {@code spec} (under graceful), puts load on it and HUPs it {@code restarts} times,
     * each with a request of {@code slowMillis} in flight; fails the test unless every request
     * succeeded, each HUP brought a new pid that served in turn, and only the newest is left.
     * Each hand-over is added to {@code handOvers} as soon as it is done, so a caller still has
     * the ones before a failure.
     */
    static void run(ServerProcess.Spec spec, int restarts, long slowMillis, String where, List<HandOver> handOvers)
            throws Exception {
        run(spec, restarts, slowMillis, where, handOvers, (server, pid) -> {
        });
    }

    /**
     * A look at one generation while it serves under the load: called with the first generation's
     * pid once the load runs, and with each new pid once its hand-over is done (the old JVM gone).
     */
    @FunctionalInterface
    interface GenerationCheck {
        void check(ServerProcess server, long pid) throws Exception;
    }

    /**
     * {@link #run(ServerProcess.Spec, int, long, String, List)}, calling {@code eachGeneration} on
     * every generation as it serves; returns the number of requests the load client made.
     */
    static long run(ServerProcess.Spec spec, int restarts, long slowMillis, String where, List<HandOver> handOvers,
                    GenerationCheck eachGeneration) throws Exception {
        // Start the app under graceful.
        try (ServerProcess server = ServerProcess.start(spec)) {
            List<Long> generations = new ArrayList<>(List.of(server.pid()));

            // Load it: every request on a fresh connection, so every one goes through the listener.
            LoadClient load = new LoadClient(server.port(), LOAD_MAX_DURATION);
            load.start();
            try {
                eachGeneration.check(server, generations.get(0));
                for (int restart = 1; restart <= restarts; restart++) {
                    long oldPid = generations.get(generations.size() - 1);
                    HandOver handOver = restartWithARequestInFlight(server, oldPid, slowMillis,
                            "HUP " + restart + " to " + oldPid + where);
                    handOvers.add(handOver);
                    generations.add(handOver.newPid());
                    eachGeneration.check(server, handOver.newPid());
                }
            } finally {
                load.stop();
            }

            assertEquals(0, load.failures(), load.failures() + " of " + (load.successes() + load.failures())
                    + " requests failed" + where + "; first failures:\n  " + String.join("\n  ", load.failureSamples()));
            assertEquals(restarts + 1, new HashSet<>(generations).size(),
                    "each HUP must bring a new pid; generations " + generations + where);
            assertEquals(generations, load.pidsSeen(),
                    "the load must have been served by each generation in turn" + where);
            assertEquals(List.of(generations.get(restarts)), server.livePids(),
                    "exactly the newest generation must be left running" + where);
            return load.successes() + load.failures();
        }
    }

    /**
     * One hand-over: a slow request goes to the old JVM, the HUP follows; returns once the new pid
     * answers, the old JVM has exited and the slow request has been answered by the old JVM.
     */
    private static HandOver restartWithARequestInFlight(ServerProcess server, long oldPid, long slowMillis, String what)
            throws Exception {
        SlowRequest slowRequest = SlowRequest.start(server.port(), slowMillis);
        Thread.sleep(SLOW_REQUEST_HEAD_START_MILLIS);

        long hupNanos = System.nanoTime();
        server.hup(oldPid);
        long newPid = server.awaitPidOtherThan(oldPid, NEW_PID_TIMEOUT).orElseThrow(() -> new AssertionError(
                "no new pid answered within " + NEW_PID_TIMEOUT + " of " + what));
        long newPidAnsweredNanos = System.nanoTime();
        assertTrue(server.awaitGone(oldPid, OLD_PID_GONE_TIMEOUT),
                "old pid still running " + OLD_PID_GONE_TIMEOUT + " after the new pid " + newPid + " answered; " + what);
        long oldPidGoneNanos = System.nanoTime();

        HttpProbe.Response slow = slowRequest.await(what);
        assertEquals(200, slow.status(), "the request in flight failed: " + slow + "; " + what);
        assertEquals(oldPid, slow.pid(), "the request in flight must be finished by the old JVM; " + what);
        assertTrue(slowRequest.finishedNanos - newPidAnsweredNanos > 0, "the request in flight finished before the new"
                + " pid answered, so the old JVM's drain was not tested; raise SLOW_MILLIS; " + what);
        return new HandOver(oldPid, newPid, Duration.ofNanos(newPidAnsweredNanos - hupNanos),
                Duration.ofNanos(slowRequest.finishedNanos - hupNanos), Duration.ofNanos(oldPidGoneNanos - hupNanos));
    }

    /** A {@code GET /slow} on its own thread, remembering when its response arrived. */
    private static final class SlowRequest {
        private final FutureTask<HttpProbe.Response> response;
        private volatile long finishedNanos;

        private SlowRequest(int port, long slowMillis) {
            response = new FutureTask<>(() -> {
                HttpProbe.Response slow = HttpProbe.get(port, "/slow?ms=" + slowMillis);
                finishedNanos = System.nanoTime();
                return slow;
            });
        }

        static SlowRequest start(int port, long slowMillis) {
            SlowRequest request = new SlowRequest(port, slowMillis);
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

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
import java.util.Locale;
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

    /** A check run after each hand-over, while the load still runs: e.g. what the new JVM did with a listener. */
    @FunctionalInterface
    interface AfterHandOver {
        AfterHandOver NOTHING = (server, handOver) -> {
        };

        void check(ServerProcess server, HandOver handOver) throws Exception;
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
        run(spec, List.of(), restarts, slowMillis, where, handOvers, AfterHandOver.NOTHING);
    }

    /**
     * As {@link #run(ServerProcess.Spec, int, long, String, List)}, with the same load, request
     * in flight at each HUP and checks also on each of {@code alsoLoaded} (another listener of the
     * app, or its listener reached another way, e.g. over IPv4 and IPv6), and {@code afterEach}
     * run after each hand-over.
     */
    static void run(ServerProcess.Spec spec, List<HttpProbe.Target> alsoLoaded, int restarts, long slowMillis,
                    String where, List<HandOver> handOvers, AfterHandOver afterEach) throws Exception {
        run(spec, alsoLoaded, restarts, slowMillis, where, handOvers, (server, pid) -> {
        }, afterEach);
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
        return run(spec, List.of(), restarts, slowMillis, where, handOvers, eachGeneration, AfterHandOver.NOTHING);
    }

    private static long run(ServerProcess.Spec spec, List<HttpProbe.Target> alsoLoaded, int restarts, long slowMillis,
                            String where, List<HandOver> handOvers, GenerationCheck eachGeneration,
                            AfterHandOver afterEach) throws Exception {
        // Start the app under graceful.
        try (ServerProcess server = ServerProcess.start(spec)) {
            List<Long> generations = new ArrayList<>(List.of(server.pid()));
            List<HttpProbe.Target> targets = new ArrayList<>(List.of(server.target()));
            targets.addAll(alsoLoaded);

            // Load it: every request on a fresh connection, so every one goes through the listener.
            // Several targets share the usual number of load threads, so the machine is no busier.
            int threads = Math.max(2, LoadClient.DEFAULT_THREADS / targets.size());
            List<LoadClient> loads = targets.stream().map(target -> new LoadClient(target, threads, LOAD_MAX_DURATION))
                    .toList();
            loads.forEach(LoadClient::start);
            try {
                eachGeneration.check(server, generations.get(0));
                for (int restart = 1; restart <= restarts; restart++) {
                    long oldPid = generations.get(generations.size() - 1);
                    HandOver handOver = restartWithRequestsInFlight(server, targets, oldPid, slowMillis,
                            "HUP " + restart + " to " + oldPid + where);
                    handOvers.add(handOver);
                    generations.add(handOver.newPid());
                    afterEach.check(server, handOver);
                    eachGeneration.check(server, handOver.newPid());
                }
            } finally {
                for (LoadClient load : loads) {
                    load.stop();
                }
            }

            for (LoadClient load : loads) {
                String at = (targets.size() > 1 ? " at " + load.target() : "") + where;
                assertEquals(0, load.failures(), load.failures() + " of " + (load.successes() + load.failures())
                        + " requests failed" + at + "; first failures:\n  " + String.join("\n  ", load.failureSamples()));
                assertEquals(generations, load.pidsSeen(),
                        "the load must have been served by each generation in turn" + at);
            }
            assertEquals(restarts + 1, new HashSet<>(generations).size(),
                    "each HUP must bring a new pid; generations " + generations + where);
            assertEquals(List.of(generations.get(restarts)), server.livePids(),
                    "exactly the newest generation must be left running" + where);
            Restarts.assertAppKeptItsListener(spec.logFile(), where);
            return loads.stream().mapToLong(load -> load.successes() + load.failures()).sum();
        }
    }

    /**
     * The hand-overs' times, one {@code ; HUP n: ...} part each, for a report line: when the new
     * pid answered and the old pid was gone, and how long after the request in flight that was.
     */
    static String timings(List<HandOver> handOvers, long slowMillis) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < handOvers.size(); i++) {
            HandOver handOver = handOvers.get(i);
            text.append(String.format(Locale.ROOT, "; HUP %d: new pid answers %5d ms, old pid gone %5d ms"
                            + " (%d ms after its %d ms request in flight was answered)", i + 1,
                    handOver.newPidAnswered().toMillis(), handOver.oldPidGone().toMillis(),
                    handOver.oldPidGone().minus(handOver.slowRequestFinished()).toMillis(), slowMillis));
        }
        return text.toString();
    }

    /**
     * One hand-over: a slow request to each target goes to the old JVM, the HUP follows; returns
     * once the new pid answers, the old JVM has exited and each slow request has been answered by
     * the old JVM (the hand-over's {@code slowRequestFinished} is the last of them).
     */
    private static HandOver restartWithRequestsInFlight(ServerProcess server, List<HttpProbe.Target> targets,
                                                        long oldPid, long slowMillis, String what) throws Exception {
        List<SlowRequest> slowRequests = targets.stream().map(target -> SlowRequest.start(target, slowMillis)).toList();
        Thread.sleep(SLOW_REQUEST_HEAD_START_MILLIS);

        long hupNanos = System.nanoTime();
        server.hup(oldPid);
        long newPid = server.awaitPidOtherThan(oldPid, NEW_PID_TIMEOUT).orElseThrow(() -> new AssertionError(
                "no new pid answered within " + NEW_PID_TIMEOUT + " of " + what));
        long newPidAnsweredNanos = System.nanoTime();
        assertTrue(server.awaitGone(oldPid, OLD_PID_GONE_TIMEOUT),
                "old pid still running " + OLD_PID_GONE_TIMEOUT + " after the new pid " + newPid + " answered; " + what);
        long oldPidGoneNanos = System.nanoTime();

        long lastFinishedNanos = hupNanos;
        for (SlowRequest slowRequest : slowRequests) {
            String at = (targets.size() > 1 ? " at " + slowRequest.target : "") + "; " + what;
            HttpProbe.Response slow = slowRequest.await(at);
            assertEquals(200, slow.status(), "the request in flight failed: " + slow + at);
            assertEquals(oldPid, slow.pid(), "the request in flight must be finished by the old JVM" + at);
            assertTrue(slowRequest.finishedNanos - newPidAnsweredNanos > 0, "the request in flight finished before the new"
                    + " pid answered, so the old JVM's drain was not tested; raise SLOW_MILLIS" + at);
            lastFinishedNanos = Math.max(lastFinishedNanos, slowRequest.finishedNanos);
        }
        return new HandOver(oldPid, newPid, Duration.ofNanos(newPidAnsweredNanos - hupNanos),
                Duration.ofNanos(lastFinishedNanos - hupNanos), Duration.ofNanos(oldPidGoneNanos - hupNanos));
    }

    /** A {@code GET /slow} on its own thread, remembering when its response arrived. */
    private static final class SlowRequest {
        private final HttpProbe.Target target;
        private final FutureTask<HttpProbe.Response> response;
        private volatile long finishedNanos;

        private SlowRequest(HttpProbe.Target target, long slowMillis) {
            this.target = target;
            response = new FutureTask<>(() -> {
                HttpProbe.Response slow = HttpProbe.get(target, "/slow?ms=" + slowMillis);
                finishedNanos = System.nanoTime();
                return slow;
            });
        }

        static SlowRequest start(HttpProbe.Target target, long slowMillis) {
            SlowRequest request = new SlowRequest(target, slowMillis);
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
                throw new AssertionError("the request in flight failed: " + e.getCause() + what, e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError("the request in flight did not finish" + what, e);
            }
        }
    }
}

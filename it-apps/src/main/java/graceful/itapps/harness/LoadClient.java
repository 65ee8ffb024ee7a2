package graceful.itapps.harness;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Steady load on {@code GET /} at 127.0.0.1:port or at a {@link HttpProbe.Target}: a few
 * threads, each looping {@link HttpProbe} (a fresh connection per request, so every request
 * tests the listener), until stopped or until a maximum duration. Counts successes per answering pid and failures, and keeps the first
 * failures' messages.
 */
public final class LoadClient {

    public static final int DEFAULT_THREADS = 4;
    public static final int MAX_FAILURE_SAMPLES = 20;

    /**
     * Pause between one thread's requests: leaves CPU on a small machine to the JVMs under test
     * (the next generation must start while the load runs) and keeps the rate of new
     * connections well within the loopback's ephemeral ports.
     */
    private static final long PAUSE_BETWEEN_REQUESTS_MILLIS = 2;

    /** Pause after a failure, so a server that is down does not turn the load into a busy spin. */
    private static final long PAUSE_AFTER_FAILURE_MILLIS = 20;

    private final HttpProbe.Target target;
    private final int threadCount;
    private final Duration maxDuration;

    private final Map<Long, LongAdder> successesByPid = new ConcurrentHashMap<>();
    private final List<Long> pidsInFirstSeenOrder = new CopyOnWriteArrayList<>();
    private final Map<Long, LongAdder> failuresByNewestPid = new ConcurrentHashMap<>();
    private final LongAdder failures = new LongAdder();
    private final List<String> failureSamples = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private volatile boolean stopped;
    private volatile long startNanos;

    public LoadClient(HttpProbe.Target target, int threadCount, Duration maxDuration) {
        this.target = target;
        this.threadCount = threadCount;
        this.maxDuration = maxDuration;
    }

    public LoadClient(int port, int threadCount, Duration maxDuration) {
        this(HttpProbe.Target.loopback(port), threadCount, maxDuration);
    }

    public LoadClient(int port, Duration maxDuration) {
        this(port, DEFAULT_THREADS, maxDuration);
    }

    /** Where the load goes. */
    public HttpProbe.Target target() {
        return target;
    }

    public synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        startNanos = System.nanoTime();
        long deadline = startNanos + maxDuration.toNanos();
        for (int i = 0; i < threadCount; i++) {
            Thread thread = new Thread(() -> loop(deadline), "load-client-" + i);
            thread.setDaemon(true); // a test that forgets stop() must not hang its JVM
            threads.add(thread);
            thread.start();
        }
    }

    /** Stops the threads and waits for their requests in flight (each bounded by the probe's timeouts). */
    public synchronized void stop() throws InterruptedException {
        stopped = true;
        long joinMillis = HttpProbe.CONNECT_TIMEOUT_MILLIS + HttpProbe.READ_TIMEOUT_MILLIS + 1_000;
        for (Thread thread : threads) {
            thread.join(joinMillis);
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not stop within " + joinMillis + " ms");
            }
        }
    }

    public long successes() {
        return successesByPid.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Successful requests per answering pid, in the order the pids were first seen. */
    public Map<Long, Long> successesByPid() {
        Map<Long, Long> byPid = new LinkedHashMap<>();
        for (long pid : pidsInFirstSeenOrder) {
            byPid.put(pid, successesByPid.get(pid).sum());
        }
        return byPid;
    }

    public long failures() {
        return failures.sum();
    }

    /**
     * Failures per generation: each failure counts against the newest pid seen when it happened
     * (-1 before any pid answered), since a failed request has no pid of its own.
     */
    public Map<Long, Long> failuresByNewestPid() {
        Map<Long, Long> byPid = new LinkedHashMap<>();
        failuresByNewestPid.forEach((pid, count) -> byPid.put(pid, count.sum()));
        return byPid;
    }

    /** Every pid that answered, in the order first seen. */
    public List<Long> pidsSeen() {
        return List.copyOf(pidsInFirstSeenOrder);
    }

    /** The first {@value #MAX_FAILURE_SAMPLES} failures, each with its time. */
    public List<String> failureSamples() {
        return List.copyOf(failureSamples);
    }

    private void loop(long deadlineNanos) {
        while (!stopped && System.nanoTime() - deadlineNanos < 0) {
            boolean failed = !requestOnce();
            if (!pause(failed ? PAUSE_AFTER_FAILURE_MILLIS : PAUSE_BETWEEN_REQUESTS_MILLIS)) {
                return;
            }
        }
    }

    /** One request; true if it succeeded. */
    private boolean requestOnce() {
        try {
            HttpProbe.Response response = HttpProbe.get(target, "/");
            if (response.status() == 200 && response.pid() >= 0) {
                recordSuccess(response.pid());
                return true;
            }
            recordFailure("HTTP " + response.status() + ": " + response.body().strip());
        } catch (IOException | RuntimeException e) {
            recordFailure(e.toString());
        }
        return false;
    }

    private void recordSuccess(long pid) {
        LongAdder count = successesByPid.get(pid);
        if (count == null) {
            synchronized (pidsInFirstSeenOrder) { // so first-seen order and the map agree
                count = successesByPid.computeIfAbsent(pid, newPid -> {
                    pidsInFirstSeenOrder.add(newPid);
                    return new LongAdder();
                });
            }
        }
        count.increment();
    }

    private void recordFailure(String message) {
        failures.increment();
        long newestPid = pidsInFirstSeenOrder.isEmpty() ? -1 : pidsInFirstSeenOrder.get(pidsInFirstSeenOrder.size() - 1);
        failuresByNewestPid.computeIfAbsent(newestPid, pid -> new LongAdder()).increment();
        if (failureSamples.size() < MAX_FAILURE_SAMPLES) {
            long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
            String sample = Instant.now() + " (+" + elapsedMillis + " ms) " + Thread.currentThread().getName()
                    + ": " + message;
            synchronized (failureSamples) {
                if (failureSamples.size() < MAX_FAILURE_SAMPLES) {
                    failureSamples.add(sample);
                }
            }
        }
    }

    /** Sleeps; false if interrupted, which ends that thread's loop. */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

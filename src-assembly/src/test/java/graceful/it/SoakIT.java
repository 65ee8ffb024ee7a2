package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many restarts in a row under load: none fails a request, and no generation carries more fds or
 * threads than the one before it (a leak would grow with each hand-over: an inherited fd never
 * closed, a thread graceful left behind). {@code -Dgraceful.soak.restarts=N} (default 10) runs more.
 */
class SoakIT {
    private static final int RESTARTS = Integer.getInteger("graceful.soak.restarts", 10);
    /** Room for what varies by itself: JIT and GC threads, a load connection or two. */
    private static final int TOLERANCE = 5;
    /** When to sample a generation: once it has settled, ~1 s after it answered. */
    private static final long SETTLE_MILLIS = 700;
    /** Samples per generation, 100 ms apart; the minimum filters out the load's connections in flight. */
    private static final int SAMPLES = 5;

    /** A generation's fd and thread counts. */
    record Usage(long pid, int fds, int threads) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void manyRestartsFailNothingAndLeakNothing(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("soak-" + jdk.getFileName());
        String where = "; server log " + log;
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log))) {
            List<Long> generations = new ArrayList<>(List.of(server.pid()));
            List<Usage> usage = new ArrayList<>(); // of each generation graceful started
            LoadClient load = new LoadClient(server.port(), Duration.ofSeconds(60 + RESTARTS * 70L));
            load.start();
            try {
                for (int restart = 1; restart <= RESTARTS; restart++) {
                    long fresh = Restarts.handOver(server, generations.get(generations.size() - 1),
                            " (restart " + restart + ")" + where);
                    generations.add(fresh);
                    Thread.sleep(SETTLE_MILLIS);
                    usage.add(sample(fresh));
                }
            } finally {
                load.stop();
            }
            System.out.println("SoakIT on " + jdk + ", per generation after the first:");
            usage.forEach(u -> System.out.println("  pid " + u.pid() + ": " + u.fds() + " fds, " + u.threads() + " threads"));

            Restarts.assertNoFailedRequests(load, where);
            assertEquals(generations, load.pidsSeen(), "each generation served in turn" + where);
            assertEquals(List.of(generations.get(RESTARTS)), server.livePids(), "exactly the newest is left" + where);
            Usage second = usage.get(0);
            Usage last = usage.get(usage.size() - 1);
            assertTrue(last.fds() <= second.fds() + TOLERANCE, "fds grow with the generation: " + usage + where);
            assertTrue(last.threads() <= second.threads() + TOLERANCE, "threads grow with the generation: " + usage + where);
        }
    }

    private static Usage sample(long pid) throws Exception {
        int fds = Integer.MAX_VALUE;
        int threads = Integer.MAX_VALUE;
        for (int i = 0; i < SAMPLES; i++) {
            fds = Math.min(fds, ProcFs.fdCount(pid));
            threads = Math.min(threads, ProcFs.threadCount(pid));
            Thread.sleep(100);
        }
        return new Usage(pid, fds, threads);
    }
}

package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * restartMode=exec: on HUP the JVM stops accepting without closing the shared listener, drains,
 * and replaces its own image with the same command line, keeping its pid and its listeners.
 * Under fresh-connection load and with a request in flight at each HUP: no request fails (new
 * connections wait in the listener's queue while the new image starts), the request in flight is
 * finished by the old image, the pid and the process (its start time) stay, a new generation
 * serves, and there is still exactly one process, which has started none. Also as PID 1 of a PID
 * namespace, where the default mode refuses to restart.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SamePidIT {
    private static final List<String> APPS = List.of("httpserver", "blocking", "nio");
    private static final int RESTARTS = 2;
    /** Long enough that the drain has to wait for it, short enough that queued clients (15 s read timeout) wait less. */
    private static final long SLOW_MILLIS = 3_000;
    private static final long SLOW_REQUEST_HEAD_START_MILLIS = 200;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String EXEC = "-Dgraceful.restartMode=exec";
    private static final long HUP_INTERVAL_MILLIS = 25;

    static Stream<Arguments> appsOnEachJdk() {
        List<Path> jdks = ItEnvironment.jdks();
        return APPS.stream().flatMap(app -> jdks.stream().map(jdk -> Arguments.of(app, jdk)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsOnEachJdk")
    void hupReplacesTheProcessImageInPlaceWithoutFailingARequest(String app, Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("samepid-" + app + "-" + jdk.getFileName());
        String where = " [" + app + " on " + jdk + "; server log " + log + "]";
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, app, log, EXEC))) {
            long pid = server.firstGenerationPid();
            assertEquals(pid, server.pid(), "test setup: the JVM the harness started answers" + where);
            long started = ProcFs.startTicks(pid);
            LoadClient load = new LoadClient(server.port(), Duration.ofMinutes(3));
            LatencyProbe probe = new LatencyProbe(server.target());
            load.start();
            probe.start();
            List<String> report = new ArrayList<>();
            try {
                for (int generation = 2; generation <= RESTARTS + 1; generation++) {
                    String what = "HUP " + (generation - 1) + where;
                    report.add(restartInPlace(server, log, pid, generation, probe, what));
                    assertEquals(pid, server.pid(), "the same pid answers after the restart; " + what);
                    assertEquals(started, ProcFs.startTicks(pid), "the same process (start time), not a new one with"
                            + " its pid; " + what);
                    assertEquals(List.of(pid), server.livePids(), "exactly the one process; " + what);
                    assertEquals(List.of(), childrenOf(pid), "the process started no other; " + what);
                    assertEquals(generation, countLines(log, app + " listening on"),
                            "the app started once per generation (a new image, not the old one serving on); " + what
                                    + ServerLog.gracefulLines(log));
                }
            } finally {
                load.stop();
                probe.stop();
            }
            Restarts.assertNoFailedRequests(load, where);
            assertEquals(0, probe.failures.get(), probe.failures.get() + " of the latency probe's requests failed" + where);
            assertEquals(List.of(pid), load.pidsSeen(), "only the one pid answered" + where);
            assertFalse(ServerLog.contains(log, "restart refused") || ServerLog.contains(log, "rollback"),
                    "no refusal or rollback" + where + ServerLog.gracefulLines(log));
            System.out.println("SamePidIT " + app + " on " + jdk.getFileName() + ": " + (load.successes() + probe.count.get())
                    + " requests, 0 failed; " + String.join("; ", report));
        }
    }

    /**
     * Java as PID 1 of its PID namespace (see Pid1IT): the default mode refuses to restart there;
     * exec mode replaces PID 1 in place, which keeps the namespace and everything in it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void aJvmThatIsPid1RestartsInPlace(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("samepid-pid1-" + jdk.getFileName());
        String where = " [pid 1 on " + jdk + "; server log " + log + "]";
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log, EXEC)
                .withLauncher(List.of("unshare", "--pid", "--fork", "--mount-proc"));
        try (ServerProcess server = ServerProcess.start(spec)) {
            List<Long> jvms = jvms(server);
            assertEquals(1, jvms.size(), "test setup: one JVM with the marker, found " + jvms + where);
            long jvm = jvms.get(0);
            List<Long> nsPids = ProcFs.namespacePids(jvm);
            assertEquals(1L, nsPids.get(nsPids.size() - 1), "test setup: the JVM is PID 1 of its namespace" + where);
            assertFalse(ServerLog.contains(log, "restarts will be refused"), "no PID 1 warning in exec mode" + where
                    + ServerLog.gracefulLines(log));
            long started = ProcFs.startTicks(jvm);
            LoadClient load = new LoadClient(server.port(), Duration.ofMinutes(2));
            load.start();
            try {
                long hup = System.nanoTime();
                server.hup(jvm);
                // Inside the namespace graceful's log names pid 1.
                assertTrue(ServerLog.await(log, "[pid 1 gen 2] ready", READY_TIMEOUT), "no generation 2 ready within "
                        + READY_TIMEOUT + where + ServerLog.gracefulLines(log));
                long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hup);
                assertEquals(1, server.pid(), "PID 1 answers after the restart" + where);
                assertEquals(List.of(jvm), jvms(server), "still exactly the one JVM, the same host pid" + where);
                assertEquals(started, ProcFs.startTicks(jvm), "the same process" + where);
                System.out.println("SamePidIT pid 1 on " + jdk.getFileName() + ": generation 2 ready " + readyMillis
                        + " ms after the HUP");
            } finally {
                load.stop();
            }
            Restarts.assertNoFailedRequests(load, where);
            assertEquals(List.of(1L), load.pidsSeen(), "only PID 1 answered" + where);
        }
    }

    /**
     * The operator sends HUP again and again (an impatient script, a reload loop) from the first HUP
     * until the new image is ready: during the drain, the exec, and the new image's JVM startup.
     * None of them may end the process (a default HUP disposition would, between the exec and
     * graceful's premain); the new image still becomes ready, serves, and restarts again on a HUP
     * sent as soon as it says it is ready.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void hupsDuringTheNewImagesStartupDoNotEndTheProcess(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("samepid-hups-" + jdk.getFileName());
        String where = " [httpserver on " + jdk + "; server log " + log + "]";
        try (ServerProcess server = ServerProcess.start(ItEnvironment.spec(jdk, "httpserver", log, EXEC))) {
            long pid = server.firstGenerationPid();
            LoadClient load = new LoadClient(server.port(), Duration.ofMinutes(2));
            load.start();
            int hups = 0;
            try {
                String ready = "[pid " + pid + " gen 2] ready";
                long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
                while (!ServerLog.contains(log, ready) && System.nanoTime() < deadline) {
                    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the process ended after " + hups + " HUP(s)" + where
                            + ServerLog.gracefulLines(log));
                    hupDirectly(pid);
                    hups++;
                    Thread.sleep(HUP_INTERVAL_MILLIS);
                }
                assertTrue(ServerLog.contains(log, ready), "no '" + ready + "' within " + READY_TIMEOUT + where
                        + ServerLog.gracefulLines(log));
                // The new image handles HUP again just before it logs ready, so the loop's last HUP
                // may already have restarted it once more: let that restart finish, then HUP it.
                int latest = awaitLastRestartReady(log, pid, where);
                hupDirectly(pid);
                assertTrue(ServerLog.await(log, "[pid " + pid + " gen " + (latest + 1) + "] ready", READY_TIMEOUT),
                        "a HUP after the new image handles it again restarts it" + where + ServerLog.gracefulLines(log));
                assertEquals(pid, server.pid(), "the same pid answers" + where);
            } finally {
                load.stop();
            }
            Restarts.assertNoFailedRequests(load, where);
            System.out.println("SamePidIT repeated HUPs on " + jdk.getFileName() + ": " + hups + " HUPs before generation 2"
                    + " was ready, process alive; " + load.successes() + " requests, 0 failed");
        }
    }

    /**
     * The generation that serves once no same-pid restart is under way: the highest one to have
     * logged ready, once it is also the highest one started, twice 200 ms apart.
     */
    private static int awaitLastRestartReady(Path log, long pid, String where) throws InterruptedException {
        Pattern started = Pattern.compile("same pid " + pid + ", generation (\\d+)\\)");
        Pattern ready = Pattern.compile("\\[pid " + pid + " gen (\\d+)\\] ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int stableFor = 0;
        while (true) {
            String lines = ServerLog.linesWith(log, "graceful[pid " + pid);
            int highestStarted = highest(started, lines);
            int highestReady = highest(ready, lines);
            stableFor = highestReady >= highestStarted ? stableFor + 1 : 0;
            if (stableFor == 2) {
                return highestReady;
            }
            assertTrue(System.nanoTime() < deadline, "generation " + highestStarted + " never became ready" + where
                    + ServerLog.gracefulLines(log));
            Thread.sleep(200);
        }
    }

    private static int highest(Pattern pattern, String lines) {
        int highest = 0;
        Matcher matcher = pattern.matcher(lines);
        while (matcher.find()) {
            highest = Math.max(highest, Integer.parseInt(matcher.group(1)));
        }
        return highest;
    }

    /**
     * kill -HUP without the harness's check that the pid runs the server: during the exec the
     * process's command line is briefly unreadable. The pid is the one this test started.
     */
    private static void hupDirectly(long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(pid)).redirectErrorStream(true).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill -HUP " + pid + " finished");
    }

    /** One same-pid restart with a request in flight; returns a line on how long it took and clients waited. */
    private static String restartInPlace(ServerProcess server, Path log, long pid, int generation, LatencyProbe probe,
                                         String what) throws Exception {
        FutureTask<HttpProbe.Response> slow = new FutureTask<>(() -> HttpProbe.get(server.target(), "/slow?ms=" + SLOW_MILLIS));
        Thread slowThread = new Thread(slow, "slow-request");
        slowThread.setDaemon(true);
        slowThread.start();
        Thread.sleep(SLOW_REQUEST_HEAD_START_MILLIS);
        probe.resetMax();
        long hup = System.nanoTime();
        server.hup(pid);
        String ready = "[pid " + pid + " gen " + generation + "] ready";
        assertTrue(ServerLog.await(log, ready, READY_TIMEOUT), "no '" + ready + "' within " + READY_TIMEOUT + " of " + what
                + ServerLog.gracefulLines(log));
        long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hup);
        HttpProbe.Response response;
        try {
            response = slow.get(HttpProbe.CONNECT_TIMEOUT_MILLIS + HttpProbe.READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the request in flight failed: " + e.getCause() + "; " + what, e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the request in flight did not finish; " + what, e);
        }
        assertEquals(200, response.status(), "the request in flight: " + response + "; " + what);
        assertEquals(pid, response.pid(), "the request in flight answered by the same pid; " + what);
        assertTrue(ServerLog.contains(log, "[pid " + pid + " gen " + (generation - 1) + "] drained "),
                "the old image drained the request in flight before the exec; " + what + ServerLog.gracefulLines(log));
        Thread.sleep(500); // let the probe's request that waited in the queue complete
        return String.format(Locale.ROOT, "gen %d ready %d ms after the HUP, longest request meanwhile %d ms",
                generation, readyMillis, probe.maxMillis());
    }

    /**
     * Processes whose parent is {@code pid}, from each process's stat: ProcFs.children reads each
     * thread's children file, and a JVM's threads come and go while it is read.
     */
    private static List<Long> childrenOf(long pid) throws IOException {
        List<Long> children = new ArrayList<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes::iterator) {
                if (!process.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                try {
                    String stat = Files.readString(process.resolve("stat"));
                    String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(afterName[1]) == pid) {
                        children.add(Long.parseLong(process.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return children;
    }

    private static int countLines(Path log, String text) throws IOException {
        return (int) Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream().filter(line -> line.contains(text)).count();
    }

    /** The live processes with the server's marker that are JVMs (unshare's command line holds the marker too). */
    private static List<Long> jvms(ServerProcess server) {
        List<Long> jvms = new ArrayList<>();
        for (long pid : server.livePids()) {
            try {
                if (ProcFs.executable(pid).endsWith("/bin/java")) {
                    jvms.add(pid);
                }
            } catch (IOException gone) {
                // exited between listing and reading
            }
        }
        return jvms;
    }

    /** One thread of fresh-connection requests, timing each: how long a client waited during a restart. */
    private static final class LatencyProbe {
        private final HttpProbe.Target target;
        private final AtomicLong max = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final AtomicLong count = new AtomicLong();
        private volatile boolean stopped;
        private Thread thread;

        LatencyProbe(HttpProbe.Target target) {
            this.target = target;
        }

        void start() {
            thread = new Thread(() -> {
                while (!stopped) {
                    long start = System.nanoTime();
                    try {
                        HttpProbe.get(target, "/");
                        count.incrementAndGet();
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                    max.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "latency-probe");
            thread.setDaemon(true);
            thread.start();
        }

        void resetMax() {
            max.set(0);
        }

        long maxMillis() {
            return max.get();
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(HttpProbe.CONNECT_TIMEOUT_MILLIS + HttpProbe.READ_TIMEOUT_MILLIS + 1_000);
        }
    }
}

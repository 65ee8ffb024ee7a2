import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The graceful benchmark: everything measured with and without -javaagent:graceful.jar, side by
 * side, in alternating rounds (the order flips every round, to cancel drift), on each JDK; the
 * medians go into a markdown table with each budget and whether it is met. A measurement, not
 * a test: it fails only when the benchmark itself breaks, never on a number.
 *
 * <pre>bench/run [--quick] [--out FILE] [--jdk JAVA_HOME]... [--apps nio,blocking]</pre>
 *
 * Every process it starts is ended by pid (servers through {@link ServerProcess}, which finds
 * each generation by a marker on its command line); every wait is bounded.
 */
public final class Bench {

    private static final Path AGENT = Path.of("src-assembly/target/graceful.jar");
    private static final Path IT_APPS = Path.of("it-apps/target/it-apps.jar");
    private static final Path PROBES = Path.of("bench/target/probes");
    private static final Path WORK = Path.of("bench/target/work");
    private static final Path RAW = Path.of("bench/target/raw.log");
    private static final String WRK = "/usr/bin/wrk";

    private static final Pattern READY = Pattern.compile("new JVM pid \\d+ is ready (\\d+) ms after the upgrade started");
    private static final Pattern STOPPED = Pattern.compile("graceful\\[pid (\\d+) gen \\d+\\] stopped accepting on \\d+ listener\\(s\\) in (\\d+) us");
    private static final Pattern TERMED = Pattern.compile("graceful\\[pid (\\d+) gen \\d+\\] SIGTERM");

    private static final long POLL_MILLIS = 2;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration GONE_TIMEOUT = Duration.ofSeconds(40);

    /** How much of everything: {@code --quick} for a smoke run, otherwise the full run. */
    private record Plan(String name, int startupRounds, int restartRounds, int memoryRounds, int memoryRequests,
                        long settleMillis, int throughputRounds, int wrkSeconds, int warmupSeconds, int hups,
                        long pauseMillis) {
    }

    private static final Plan FULL = new Plan("full", 11, 5, 3, 2000, 2000, 10, 3, 4, 5, 1000);
    private static final Plan QUICK = new Plan("quick", 3, 1, 1, 500, 1000, 1, 1, 1, 1, 500);

    private static final int WRK_THREADS = 1;
    /**
     * Throughput: the servers on one CPU, wrk on another, where there are two or more and taskset
     * exists, so that neither is moved onto the other's CPU mid-round: the spread between rounds
     * was wider than the budget without it. Both servers (with and without) get the same CPU.
     */
    private static final String TASKSET = "/usr/bin/taskset";
    private static final boolean PINNED = Runtime.getRuntime().availableProcessors() >= 2 && Files.isExecutable(Path.of(TASKSET));
    private static final String SERVER_CPU = "0";
    private static final String WRK_CPU = "1";
    private static final int WRK_CONNECTIONS = 16;
    private static final int LOAD_THREADS = 4;

    private Plan plan = FULL;
    private Path out;
    private final List<Path> jdks = new ArrayList<>();
    private List<String> apps = List.of("nio", "blocking");

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    /** Handover times (µs) per "JDK app", from idle restarts and restarts under load. */
    private final Map<String, List<Double>> handover = new LinkedHashMap<>();

    /** One line of the table; {@code order} sorts by metric, then JDK, then app. */
    private record Row(int order, String metric, String jdk, String app, String without, String with,
                       String comparison, String budget, String met) {
    }

    public static void main(String[] args) throws Exception {
        Bench bench = new Bench();
        bench.parse(args);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::closeAll));
        bench.run();
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> plan = QUICK;
                case "--out" -> out = Path.of(value(args, ++i));
                case "--jdk" -> jdks.add(Path.of(value(args, ++i)));
                case "--apps" -> apps = List.of(value(args, ++i).split(","));
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (jdks.isEmpty()) {
            jdks.add(Path.of("/usr/lib/jvm/java-17-openjdk-amd64"));
            jdks.add(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64"));
        }
        if (out == null) {
            out = Path.of(plan == QUICK ? "bench/target/RESULTS-quick.md" : "bench/RESULTS.md");
        }
        for (Path jdk : jdks) {
            if (!Files.isExecutable(jdk.resolve("bin/java"))) {
                usage("no " + jdk.resolve("bin/java"));
            }
        }
        for (String app : apps) {
            if (!List.of("nio", "blocking", "httpserver").contains(app)) {
                usage("unknown app " + app);
            }
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: bench/run [--quick] [--out FILE] [--jdk JAVA_HOME]... [--apps nio,blocking,httpserver]");
        System.exit(2);
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        Files.createDirectories(WORK);
        Files.writeString(RAW, "");
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        List<String> versions = new ArrayList<>();
        for (Path jdk : jdks) {
            versions.add(javaVersionLine(jdk));
        }
        log("graceful benchmark, " + plan.name() + " run; raw figures in " + RAW + ", server logs in " + WORK);
        for (Path jdk : jdks) {
            String label = major(javaVersionLine(jdk));
            log("== JDK " + label + " (" + jdk + ")");
            startup(jdk, label);
            for (String app : apps) {
                restart(jdk, label, app);
                memory(jdk, label, app);
                throughput(jdk, label, app);
                failures(jdk, label, app);
            }
        }
        jarSize();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        String report = report(date, versions, seconds);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println();
        System.out.print(report);
        log("wrote " + out + " (" + seconds + " s)");
    }

    // ---------------------------------------------------------------- startup

    /** Wall time of a probe JVM that binds a listener and exits, and of a hello-world. */
    private void startup(Path jdk, String label) throws Exception {
        for (String probe : List.of("BindAndExit", "HelloWorld")) {
            // One unmeasured run each first: page cache, CDS archive mapping.
            probeMillis(jdk, probe, false);
            probeMillis(jdk, probe, true);
            List<Double> without = new ArrayList<>();
            List<Double> with = new ArrayList<>();
            for (int round = 0; round < plan.startupRounds(); round++) {
                for (boolean agent : order(round)) {
                    (agent ? with : without).add(probeMillis(jdk, probe, agent));
                }
            }
            raw("startup", label, probe, without, with);
            double a = median(without);
            double b = median(with);
            boolean binding = probe.equals("BindAndExit");
            String budget = binding && label.equals("17") ? "≤ +40 ms" : "-";
            rows.add(new Row(binding ? 10 : 11, binding ? "startup: JVM that binds a listener and exits" : "startup: hello-world",
                    label, "-", ms(a), ms(b), plusMs(b - a), budget, budget.equals("-") ? "-" : met(b - a <= 40)));
            log("startup " + probe + ": " + ms(a) + " -> " + ms(b));
        }
    }

    private double probeMillis(Path jdk, String probe, boolean agent) throws Exception {
        List<String> command = new ArrayList<>(List.of(jdk.resolve("bin/java").toString()));
        if (agent) {
            command.add("-javaagent:" + AGENT);
        }
        command.addAll(List.of("-cp", PROBES.toString(), probe));
        Path err = WORK.resolve("probe.err");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException(probe + " did not exit within 60 s: " + command);
        }
        long nanos = System.nanoTime() - start;
        if (process.exitValue() != 0) {
            throw new IllegalStateException(probe + " exited " + process.exitValue() + ": " + command + "\n"
                    + Files.readString(err));
        }
        return nanos / 1e6;
    }

    // ---------------------------------------------------------------- restart cost and handover

    /**
     * Alternates the app's cold start (a new JVM, without and with graceful, timed from start to
     * the first answer to GET /) with a HUP to one server under graceful (timed from the signal
     * to the first answer from the new pid; graceful's own log gives upgrade start to ready and
     * the hand-over).
     */
    private void restart(Path jdk, String label, String app) throws Exception {
        List<Double> coldWithout = new ArrayList<>();
        List<Double> coldWith = new ArrayList<>();
        List<Double> hupToAnswer = new ArrayList<>();
        ServerProcess server = startServer(jdk, app, true, "restart");
        try {
            for (int round = 0; round < plan.restartRounds(); round++) {
                boolean hupFirst = round % 2 == 1;
                if (hupFirst) {
                    hupToAnswer.add(hupAndWait(server));
                }
                for (boolean agent : order(round)) {
                    (agent ? coldWith : coldWithout).add(coldStartMillis(jdk, app, agent));
                }
                if (!hupFirst) {
                    hupToAnswer.add(hupAndWait(server));
                }
            }
        } finally {
            close(server);
        }
        List<Double> ready = matches(server.logFile(), READY);
        List<Double> stopped = handovers(server.logFile());
        expectCount(ready, plan.restartRounds(), "ready", server);
        expectCount(stopped, plan.restartRounds(), "stopped accepting", server);
        raw("cold start", label, app, coldWithout, coldWith);
        raw("HUP to new pid answering", label, app, hupToAnswer, List.of());
        raw("upgrade started to ready (graceful log)", label, app, ready, List.of());
        raw("stopped accepting us (idle)", label, app, stopped, List.of());

        double cold = median(coldWithout);
        double coldAgent = median(coldWith);
        rows.add(new Row(12, "startup: the app, start to first response", label, app, ms(cold), ms(coldAgent),
                plusMs(coldAgent - cold), "-", "-"));
        double readyMs = median(ready);
        double answerMs = median(hupToAnswer);
        rows.add(new Row(40, "restart: HUP → new JVM ready (graceful's log) vs cold start", label, app, ms(cold),
                ms(readyMs), plusMs(readyMs - cold), "≤ cold start + 100 ms", met(readyMs <= cold + 100)));
        rows.add(new Row(41, "restart: HUP → new pid answers GET / vs cold start", label, app, ms(cold),
                ms(answerMs), plusMs(answerMs - cold), "≤ cold start + 100 ms", met(answerMs <= cold + 100)));
        // The new JVM is the app with graceful: what the restart itself adds beyond that JVM's own start.
        rows.add(new Row(42, "restart: HUP → new JVM ready vs cold start with graceful", label, app, ms(coldAgent),
                ms(readyMs), plusMs(readyMs - coldAgent), "-", "-"));
        handover.computeIfAbsent(label + " " + app, k -> new ArrayList<>()).addAll(stopped);
        log("restart " + app + ": cold " + ms(cold) + " (with graceful " + ms(coldAgent) + "), ready " + ms(readyMs)
                + ", answers " + ms(answerMs) + ", stopped accepting " + stopped + " us");
    }

    private double hupAndWait(ServerProcess server) throws Exception {
        long oldPid = server.pid();
        // A served-for-a-while JVM, as a deployed one is: not one still compiling its own startup
        // (the previous generation is under a second old here, and on 2 cores its JIT threads
        // doubled the HUP-to-spawn time of a back-to-back restart).
        HttpProbe.pidAnswering(server.port());
        Thread.sleep(plan.settleMillis());
        long start = System.nanoTime();
        server.hup(oldPid);
        long deadline = start + START_TIMEOUT.toNanos();
        while (true) {
            try {
                if (server.pid() != oldPid) {
                    break;
                }
            } catch (IOException e) {
                throw new IllegalStateException("GET / failed during a restart: " + e + "; log " + server.logFile());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no new pid within " + START_TIMEOUT + "; log " + server.logFile());
            }
            Thread.sleep(POLL_MILLIS);
        }
        double millis = (System.nanoTime() - start) / 1e6;
        if (!server.awaitGone(oldPid, GONE_TIMEOUT)) {
            throw new IllegalStateException("old pid " + oldPid + " still running; log " + server.logFile());
        }
        Thread.sleep(200);
        return millis;
    }

    /** Starts the app in a new JVM and times it to its first answer to GET /, then TERMs it. */
    private double coldStartMillis(Path jdk, String app, boolean agent) throws Exception {
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>(List.of(jdk.resolve("bin/java").toString()));
        if (agent) {
            command.add("-javaagent:" + AGENT);
        }
        command.addAll(List.of("-jar", IT_APPS.toString(), app, String.valueOf(port)));
        Path logFile = WORK.resolve("cold-" + app + ".log");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        AutoCloseable stop = () -> stopChild(process);
        open.add(stop);
        try {
            long deadline = start + START_TIMEOUT.toNanos();
            while (true) {
                try {
                    HttpProbe.Response response = HttpProbe.get(port, "/");
                    if (response.status() == 200 && response.pid() == process.pid()) {
                        return (System.nanoTime() - start) / 1e6;
                    }
                    throw new IllegalStateException("port " + port + " answered " + response);
                } catch (IOException e) {
                    // not listening yet
                }
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(app + " did not answer on " + port + ": " + command + "; log " + logFile);
                }
                Thread.sleep(POLL_MILLIS);
            }
        } finally {
            stopChild(process);
            open.remove(stop);
        }
    }

    private static void stopChild(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------- memory

    /** VmRSS of a fresh server after N requests (fresh connections) and a settle, without and with. */
    private void memory(Path jdk, String label, String app) throws Exception {
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        for (int round = 0; round < plan.memoryRounds(); round++) {
            for (boolean agent : order(round)) {
                ServerProcess server = startServer(jdk, app, agent, "memory");
                try {
                    for (int i = 0; i < plan.memoryRequests(); i++) {
                        HttpProbe.pidAnswering(server.port());
                    }
                    Thread.sleep(plan.settleMillis());
                    (agent ? with : without).add(rssKib(server.firstGenerationPid()) / 1024.0);
                } finally {
                    close(server);
                }
            }
        }
        raw("idle RSS MiB", label, app, without, with);
        double a = median(without);
        double b = median(with);
        rows.add(new Row(30, "memory: idle RSS after " + plan.memoryRequests() + " requests (MiB)", label, app,
                fmt1(a), fmt1(b), (b >= a ? "+" : "") + fmt1(b - a) + " MiB", "≤ +8 MiB", met(b - a <= 8)));
        log("memory " + app + ": " + fmt1(a) + " -> " + fmt1(b) + " MiB");
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    // ---------------------------------------------------------------- throughput

    private record WrkResult(double requestsPerSecond, double p99Millis, long errors, String errorText) {
    }

    /**
     * wrk against two servers of the same app, one with and one without graceful, both warmed up
     * first (two passes of each mode); then rounds of keep-alive and fresh connections
     * ({@code Connection: close}: wrk reconnects for every request), alternating which server
     * goes first each round. The ratio is the median of the rounds' ratios (each round's two
     * runs are adjacent in time, so they share most of the machine's drift); the range of the
     * rounds' ratios shows the noise.
     */
    private void throughput(Path jdk, String label, String app) throws Exception {
        ServerProcess without = startServer(jdk, app, false, "wrk");
        ServerProcess with = startServer(jdk, app, true, "wrk");
        try {
            for (int pass = 0; pass < 2; pass++) {
                for (boolean keepAlive : List.of(true, false)) {
                    wrk(without.port(), keepAlive, plan.warmupSeconds());
                    wrk(with.port(), keepAlive, plan.warmupSeconds());
                }
            }
            Map<Boolean, List<WrkResult>> withoutResults = Map.of(true, new ArrayList<>(), false, new ArrayList<>());
            Map<Boolean, List<WrkResult>> withResults = Map.of(true, new ArrayList<>(), false, new ArrayList<>());
            for (int round = 0; round < plan.throughputRounds(); round++) {
                for (boolean keepAlive : List.of(true, false)) {
                    for (boolean agent : order(round)) {
                        WrkResult result = wrk((agent ? with : without).port(), keepAlive, plan.wrkSeconds());
                        (agent ? withResults : withoutResults).get(keepAlive).add(result);
                        if (result.errors() > 0) {
                            notes.add("wrk " + (keepAlive ? "keep-alive" : "fresh connections") + ", JDK " + label + " "
                                    + app + (agent ? " with" : " without") + " graceful: " + result.errorText());
                        }
                    }
                }
            }
            for (boolean keepAlive : List.of(true, false)) {
                String mode = keepAlive ? "keep-alive" : "fresh connections";
                List<WrkResult> a = withoutResults.get(keepAlive);
                List<WrkResult> b = withResults.get(keepAlive);
                List<Double> rpsA = a.stream().map(WrkResult::requestsPerSecond).toList();
                List<Double> rpsB = b.stream().map(WrkResult::requestsPerSecond).toList();
                List<Double> p99A = a.stream().map(WrkResult::p99Millis).toList();
                List<Double> p99B = b.stream().map(WrkResult::p99Millis).toList();
                raw("requests/s " + mode, label, app, rpsA, rpsB);
                raw("p99 ms " + mode, label, app, p99A, p99B);
                List<Double> rpsRatios = ratios(rpsB, rpsA);
                List<Double> p99Ratios = ratios(p99B, p99A);
                double rps = median(rpsRatios);
                double p99 = median(p99Ratios);
                int order = keepAlive ? 20 : 22;
                rows.add(new Row(order, "throughput: requests/s, " + mode, label, app, fmt0(median(rpsA)),
                        fmt0(median(rpsB)), ratioWithRange(rps, rpsRatios), "≥ 0.99×", met(rps >= 0.99)));
                rows.add(new Row(order + 1, "throughput: p99 latency (ms), " + mode, label, app, fmt2(median(p99A)),
                        fmt2(median(p99B)), ratioWithRange(p99, p99Ratios), "≤ 1.02×", met(p99 <= 1.02)));
                log("wrk " + app + " " + mode + ": " + fmt0(median(rpsA)) + " -> " + fmt0(median(rpsB)) + " req/s ("
                        + ratioWithRange(rps, rpsRatios) + "), p99 " + fmt2(median(p99A)) + " -> " + fmt2(median(p99B))
                        + " ms (" + ratioWithRange(p99, p99Ratios) + ")");
            }
        } finally {
            close(with);
            close(without);
        }
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\n\\s*99%\\s+([0-9.]+)(us|ms|s|m)\\b");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    private WrkResult wrk(int port, boolean keepAlive, int seconds) throws Exception {
        List<String> command = new ArrayList<>(PINNED ? List.of(TASKSET, "-c", WRK_CPU) : List.of());
        command.addAll(List.of(WRK, "-t" + WRK_THREADS, "-c" + WRK_CONNECTIONS,
                "-d" + seconds + "s", "--timeout", "5s", "--latency"));
        if (!keepAlive) {
            command.addAll(List.of("-H", "Connection: close"));
        }
        command.add("http://127.0.0.1:" + port + "/");
        Path output = WORK.resolve("wrk.out");
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        AutoCloseable stop = () -> stopChild(process);
        open.add(stop);
        try {
            if (!process.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
                throw new IllegalStateException("wrk did not finish within " + (seconds + 30) + " s: " + command);
            }
        } finally {
            stopChild(process);
            open.remove(stop);
        }
        String text = Files.readString(output);
        Matcher rps = RPS.matcher(text);
        Matcher p99 = P99.matcher(text);
        if (process.exitValue() != 0 || !rps.find() || !p99.find()) {
            throw new IllegalStateException("wrk failed (exit " + process.exitValue() + "): " + command + "\n" + text);
        }
        double p99Value = Double.parseDouble(p99.group(1));
        double p99Millis = switch (p99.group(2)) {
            case "us" -> p99Value / 1000;
            case "ms" -> p99Value;
            case "s" -> p99Value * 1000;
            default -> p99Value * 60_000;
        };
        long errors = 0;
        String errorText = "";
        Matcher socketErrors = SOCKET_ERRORS.matcher(text);
        if (socketErrors.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(socketErrors.group(i));
            }
            errorText = socketErrors.group();
        }
        Matcher non2xx = NON_2XX.matcher(text);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
            errorText += (errorText.isEmpty() ? "" : "; ") + non2xx.group();
        }
        return new WrkResult(Double.parseDouble(rps.group(1)), p99Millis, errors, errorText);
    }

    // ---------------------------------------------------------------- failed requests during restarts

    /**
     * A fresh-connection client that never retries ({@link LoadClient}, {@value #LOAD_THREADS}
     * threads) on the app while it is restarted N times: by HUP under graceful, and, as the
     * baseline, by TERM and starting the same command again on the same port without graceful.
     */
    private void failures(Path jdk, String label, String app) throws Exception {
        int hups = plan.hups();
        long[] baseline = baselineRestarts(jdk, app, hups);
        ServerProcess server = startServer(jdk, app, true, "failures");
        LoadClient load = new LoadClient(server.port(), LOAD_THREADS, Duration.ofSeconds(60L + hups * 60L));
        try {
            load.start();
            Thread.sleep(plan.pauseMillis());
            for (int i = 0; i < hups; i++) {
                long oldPid = server.pid();
                server.hup(oldPid);
                if (server.awaitPidOtherThan(oldPid, START_TIMEOUT).isEmpty() || !server.awaitGone(oldPid, GONE_TIMEOUT)) {
                    throw new IllegalStateException("HUP " + (i + 1) + " did not complete; log " + server.logFile());
                }
                Thread.sleep(plan.pauseMillis());
            }
            load.stop();
        } finally {
            close(server);
        }
        List<Double> stopped = handovers(server.logFile());
        expectCount(stopped, hups, "stopped accepting", server);
        handover.computeIfAbsent(label + " " + app, k -> new ArrayList<>()).addAll(stopped);
        raw("failed requests (baseline kill+start; graceful HUP), served", label, app,
                List.of((double) baseline[0], (double) baseline[1]), List.of((double) load.failures(), (double) load.successes()));
        raw("stopped accepting us (under load)", label, app, stopped, List.of());
        load.failureSamples().forEach(sample -> notes.add("JDK " + label + " " + app + " under graceful, failed request: " + sample));
        rows.add(new Row(60, "failed requests during " + hups + " restarts (fresh connections, no retries)", label, app,
                baseline[0] + " of " + (baseline[0] + baseline[1]), load.failures() + " of " + (load.failures() + load.successes()),
                "-", "0 (baseline: TERM + start)", met(load.failures() == 0)));
        List<Double> all = handover.get(label + " " + app);
        rows.add(new Row(50, "handover: stopped accepting after ready (µs), " + all.size() + " restarts", label, app, "-",
                fmt0(median(all)), "max " + fmt0(Collections.max(all)), "≤ 10 ms", met(median(all) <= 10_000)));
        log("failures " + app + ": baseline " + baseline[0] + ", graceful " + load.failures() + "; handover " + all + " us");
    }

    /** TERM and start again, {@code restarts} times, under load; returns {failures, successes}. */
    private long[] baselineRestarts(Path jdk, String app, int restarts) throws Exception {
        ServerProcess server = startServer(jdk, app, false, "baseline");
        int port = server.port();
        LoadClient load = new LoadClient(port, LOAD_THREADS, Duration.ofSeconds(60L + restarts * 60L));
        try {
            load.start();
            Thread.sleep(plan.pauseMillis());
            for (int i = 0; i < restarts; i++) {
                server.signal(server.firstGenerationPid(), "TERM");
                if (server.awaitFirstGenerationExit(GONE_TIMEOUT).isEmpty()) {
                    throw new IllegalStateException("baseline server ignored TERM; log " + server.logFile());
                }
                close(server);
                server = startServer(jdk, app, false, "baseline", port);
                Thread.sleep(plan.pauseMillis());
            }
            load.stop();
        } finally {
            close(server);
        }
        return new long[] {load.failures(), load.successes()};
    }

    // ---------------------------------------------------------------- jar size

    private void jarSize() throws IOException {
        long bytes = Files.size(AGENT);
        rows.add(new Row(70, "jar size: " + AGENT, "-", "-", "-",
                String.format(Locale.ROOT, "%,d bytes (%.2f MB, %.2f MiB)", bytes, bytes / 1e6, bytes / 1048576.0),
                "-", "≤ 4 MB", met(bytes <= 4_000_000)));
    }

    // ---------------------------------------------------------------- servers and processes

    private ServerProcess startServer(Path jdk, String app, boolean agent, String purpose) throws Exception {
        return startServer(jdk, app, agent, purpose, ServerProcess.freePort());
    }

    private ServerProcess startServer(Path jdk, String app, boolean agent, String purpose, int port) throws Exception {
        Path logFile = WORK.resolve(purpose + "-" + major(javaVersionLine(jdk)) + "-" + app + "-"
                + (agent ? "with" : "without") + "-" + port + ".log");
        Files.deleteIfExists(logFile);
        ServerProcess.Spec spec = new ServerProcess.Spec(jdk, agent ? AGENT : null, IT_APPS, app, port, logFile);
        if (purpose.equals("wrk") && PINNED) {
            spec = spec.withLauncher(List.of(TASKSET, "-c", SERVER_CPU)); // taskset execs: the JVM keeps its pid
        }
        ServerProcess server = ServerProcess.start(spec);
        open.add(server);
        return server;
    }

    private void close(ServerProcess server) throws InterruptedException {
        server.close();
        open.remove(server);
    }

    private void closeAll() {
        for (AutoCloseable closeable : open) {
            try {
                closeable.close();
            } catch (Exception e) {
                System.err.println("bench: cleanup: " + e);
            }
        }
    }

    // ---------------------------------------------------------------- report

    private String report(String date, List<String> versions, long seconds) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# graceful benchmark results\n\n");
        md.append("Written by `bench/run").append(plan == QUICK ? " --quick" : "").append("` (see README, \"Performance\"). ")
                .append("Do not edit by hand: run it again.\n\n");
        md.append("- date: ").append(date).append('\n');
        md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(cpuModel())
                .append(", ").append(memTotal()).append(", Linux ").append(System.getProperty("os.version")).append('\n');
        for (String version : versions) {
            md.append("- JDK: `").append(version).append("`\n");
        }
        md.append("- code: ").append(gitDescription()).append('\n');
        md.append("- run: ").append(plan.name()).append(", ").append(seconds).append(" s; ")
                .append(String.format(Locale.ROOT, "startup %d rounds, restart %d rounds, memory %d rounds, "
                                + "throughput %d rounds of %d s (wrk -t%d -c%d, after 2 × %d s of warm-up per mode), %d restarts for failures",
                        plan.startupRounds(), plan.restartRounds(), plan.memoryRounds(), plan.throughputRounds(),
                        plan.wrkSeconds(), WRK_THREADS, WRK_CONNECTIONS, plan.warmupSeconds(), plan.hups()))
                .append(PINNED ? "; throughput servers pinned to CPU " + SERVER_CPU + ", wrk to CPU " + WRK_CPU : "")
                .append("\n\n");
        md.append("Each figure is the median of its rounds; \"with\" and \"without\" alternate in every round, the order ")
                .append("flipping each round. Times in ms unless stated.\n\n");
        md.append("| metric | JDK | app | without graceful | with graceful | with vs without | budget | met |\n");
        md.append("|---|---|---|---:|---:|---:|---|---|\n");
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort((x, y) -> x.order() != y.order() ? Integer.compare(x.order(), y.order())
                : x.jdk().compareTo(y.jdk()) != 0 ? x.jdk().compareTo(y.jdk()) : x.app().compareTo(y.app()));
        for (Row row : sorted) {
            md.append("| ").append(String.join(" | ", row.metric(), row.jdk(), row.app(), row.without(), row.with(),
                    row.comparison(), row.budget(), row.met())).append(" |\n");
        }
        md.append("\nThe ratio columns give the median of the rounds' ratios (each round's with and without runs are adjacent in time) and, in brackets, the lowest and highest round: the machine's noise.\n\nHow each is measured:\n\n");
        md.append("- **startup**: wall time from starting `java [-javaagent:graceful.jar] -cp bench/target/probes <probe>` ")
                .append("to its exit (`bench/probes`); the app row: `java [-javaagent] -jar it-apps.jar <app> <port>` from ")
                .append("start to its first answer to `GET /` (polled every " + POLL_MILLIS + " ms).\n");
        md.append("- **throughput**: `wrk -t" + WRK_THREADS + " -c" + WRK_CONNECTIONS + " --latency` on `GET /` of two ")
                .append("servers of the app, one with, one without graceful, both warmed up; fresh connections: ")
                .append("`-H \"Connection: close\"`, so wrk opens a connection per request. `nio` (one Selector thread, ")
                .append("`SocketChannel` reads and writes: Netty, Undertow, Jetty, Tomcat NIO and the JDK `HttpServer` take ")
                .append("this path) and `blocking` (`ServerSocket`, a thread per connection, `NioSocketImpl`: Tomcat's ")
                .append("blocking-style servers and virtual threads) are the two JDK code paths graceful patches, and they ")
                .append("do almost nothing per request besides I/O, so graceful's per-request cost is least diluted.\n");
        md.append("- **memory**: `VmRSS` of a fresh server after " + plan.memoryRequests() + " requests on fresh connections ")
                .append("and " + plan.settleMillis() + " ms of rest.\n");
        md.append("- **restart**: the cold start is the app row of startup without graceful; \"ready\" is graceful's ")
                .append("`new JVM pid N is ready M ms after the upgrade started`; \"answers\" is from sending `kill -HUP` ")
                .append("(spawning `kill` included) until `GET /` is answered by the new pid (polled every " + POLL_MILLIS
                        + " ms), on an idle server that has answered a request and then rested " + plan.settleMillis()
                        + " ms (a deployed JVM is not still compiling its own startup). ")
                .append("The last restart row sets ready against the cold start *with* graceful: ")
                .append("the new JVM is the app with graceful, so that difference is what the restart itself adds ")
                .append("(the old JVM's work before the spawn, taking over the listeners, the ready message).\n");
        md.append("- **handover**: graceful's `stopped accepting on N listener(s) in X us`, over the idle restarts and ")
                .append("the restarts under load.\n");
        md.append("- **failed requests**: `LoadClient` (it-apps harness: " + LOAD_THREADS + " threads, a fresh connection ")
                .append("per request, no retries) during N restarts " + plan.pauseMillis() + " ms apart: `kill -HUP` under graceful, against ")
                .append("`kill -TERM` and starting the same command again on the same port without graceful.\n");
        if (!notes.isEmpty()) {
            md.append("\nNotes:\n\n");
            for (String note : notes) {
                md.append("- ").append(note).append('\n');
            }
        }
        return md.toString();
    }

    // ---------------------------------------------------------------- helpers

    /** Round 0: without, with; round 1: with, without; ... */
    private static List<Boolean> order(int round) {
        return round % 2 == 0 ? List.of(false, true) : List.of(true, false);
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static List<Double> matches(Path logFile, Pattern pattern) throws IOException {
        List<Double> values = new ArrayList<>();
        Matcher matcher = pattern.matcher(Files.readString(logFile));
        while (matcher.find()) {
            values.add(Double.parseDouble(matcher.group(1)));
        }
        return values;
    }

    /** The "stopped accepting" times (µs) of restarts: those of JVMs stopped by SIGTERM (the harness's cleanup) excluded. */
    private static List<Double> handovers(Path logFile) throws IOException {
        String log = Files.readString(logFile);
        List<String> termed = new ArrayList<>();
        for (Matcher matcher = TERMED.matcher(log); matcher.find(); ) {
            termed.add(matcher.group(1));
        }
        List<Double> values = new ArrayList<>();
        for (Matcher matcher = STOPPED.matcher(log); matcher.find(); ) {
            if (!termed.contains(matcher.group(1))) {
                values.add(Double.parseDouble(matcher.group(2)));
            }
        }
        return values;
    }

    private static void expectCount(List<Double> values, int expected, String what, ServerProcess server) {
        if (values.size() != expected) {
            throw new IllegalStateException("expected " + expected + " '" + what + "' lines, found " + values.size()
                    + " in " + server.logFile());
        }
    }

    private static String javaVersionLine(Path jdk) throws Exception {
        Process process = new ProcessBuilder(jdk.resolve("bin/java").toString(), "-version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(jdk + "/bin/java -version failed: " + text);
        }
        return text.lines().findFirst().orElseThrow().strip();
    }

    private static String major(String versionLine) {
        Matcher matcher = Pattern.compile("version \"(\\d+)").matcher(versionLine);
        return matcher.find() ? matcher.group(1) : versionLine;
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
    }

    private static String memTotal() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(line -> line.startsWith("MemTotal:"))
                .map(line -> Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1048576.0) + " GiB RAM")
                .findFirst().orElse("");
    }

    private static String gitDescription() {
        try {
            Process process = new ProcessBuilder("git", "log", "-1", "--format=%h %s").redirectErrorStream(true).start();
            String head = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            process.waitFor(10, TimeUnit.SECONDS);
            Process status = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").redirectErrorStream(true).start();
            boolean dirty = !new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8).isBlank();
            status.waitFor(10, TimeUnit.SECONDS);
            return "`" + head + "`" + (dirty ? " (plus uncommitted changes)" : "");
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private void raw(String metric, String jdk, String app, List<Double> without, List<Double> with) {
        String line = "JDK " + jdk + " " + app + " " + metric + ": without " + without + " with " + with + "\n";
        try {
            Files.writeString(RAW, line, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void log(String message) {
        System.out.println("bench: " + message);
        System.out.flush();
    }

    private static String met(boolean met) {
        return met ? "yes" : "**no**";
    }

    private static String ms(double millis) {
        return fmt0(millis);
    }

    private static String plusMs(double millis) {
        return (millis >= 0 ? "+" : "") + fmt0(millis) + " ms";
    }

    private static String ratio(double ratio) {
        return String.format(Locale.ROOT, "%.3f×", ratio);
    }

    private static String fmt0(double value) {
        return String.format(Locale.ROOT, "%.0f", value);
    }

    private static String fmt1(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String fmt2(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** {@code with[i] / without[i]} for each round. */
    private static List<Double> ratios(List<Double> with, List<Double> without) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < with.size(); i++) {
            ratios.add(with.get(i) / without.get(i));
        }
        return ratios;
    }

    /** "0.987× (0.951-1.020)": the median ratio and, with more than one round, the rounds' range. */
    private static String ratioWithRange(double ratio, List<Double> ratios) {
        return ratios.size() < 2 ? ratio(ratio)
                : ratio(ratio) + " (" + String.format(Locale.ROOT, "%.2f-%.2f", Collections.min(ratios), Collections.max(ratios)) + ")";
    }
}

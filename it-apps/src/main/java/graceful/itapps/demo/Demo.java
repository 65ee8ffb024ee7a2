package graceful.itapps.demo;

import graceful.itapps.harness.LoadClient;
import graceful.itapps.harness.ServerProcess;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Shows a zero-downtime restart: runs an it-app under graceful with load on it, sends it
 * SIGHUPs one at a time, and prints who served what. Exits non-zero if any request failed.
 *
 * <pre>java -cp it-apps/target/it-apps.jar graceful.itapps.demo.Demo [--agent PATH] [--app httpserver]
 *     [--hups 3] [--java JAVA_HOME] [--it-apps PATH]</pre>
 */
public final class Demo {

    private static final Duration NEW_PID_TIMEOUT = Duration.ofSeconds(30);
    /** graceful's drain deadline (30 s) plus time for the JVM to exit. */
    private static final Duration OLD_PID_GONE_TIMEOUT = Duration.ofSeconds(35);
    private static final long LOAD_BETWEEN_HUPS_MILLIS = 1_000;

    private Path agent = Path.of("src-assembly/target/graceful.jar");
    private String app = "httpserver";
    private int hups = 3;
    private Path javaHome = Path.of(System.getProperty("java.home"));
    private Path itAppsJar;

    private final List<Long> generations = new ArrayList<>();
    private final List<Long> hupToNewPidMillis = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Demo demo = new Demo();
        demo.parse(args);
        System.exit(demo.run() ? 0 : 1);
    }

    private void parse(String[] args) throws URISyntaxException {
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--agent" -> agent = Path.of(required(args[i], value));
                case "--app" -> app = required(args[i], value);
                case "--hups" -> hups = Integer.parseInt(required(args[i], value));
                case "--java" -> javaHome = Path.of(required(args[i], value));
                case "--it-apps" -> itAppsJar = Path.of(required(args[i], value));
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (itAppsJar == null) {
            itAppsJar = ownJar();
        }
        if (!Files.isRegularFile(agent)) {
            usage("no graceful agent at " + agent.toAbsolutePath() + " (build it: mvn -DskipTests install)");
        }
        if (!Files.isExecutable(javaHome.resolve("bin/java"))) {
            usage("no " + javaHome.resolve("bin/java"));
        }
    }

    /** Runs the demo; true if every restart happened and no request failed. */
    private boolean run() throws Exception {
        Path log = Files.createTempFile("graceful-demo-" + app + "-", ".log");
        System.out.println("Starting " + app + " under " + agent + " on " + javaHome + "; server log: " + log);
        ServerProcess server = ServerProcess.start(new ServerProcess.Spec(
                javaHome, agent, itAppsJar, app, ServerProcess.freePort(), log));
        // Ctrl-C must not leave server generations behind (close is idempotent).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(server)));
        LoadClient load = new LoadClient(server.port(), Duration.ofSeconds(30 + hups * 70L));
        boolean restartsOk;
        try {
            generations.add(server.pid());
            load.start();
            Thread.sleep(LOAD_BETWEEN_HUPS_MILLIS);
            restartsOk = restartAll(server);
            load.stop();
        } finally {
            server.close();
        }
        printReport(load);
        return restartsOk && load.failures() == 0;
    }

    private boolean restartAll(ServerProcess server) throws Exception {
        for (int hup = 1; hup <= hups; hup++) {
            long oldPid = generations.get(generations.size() - 1);
            long hupNanos = System.nanoTime();
            server.hup(oldPid);
            OptionalLong newPid = server.awaitPidOtherThan(oldPid, NEW_PID_TIMEOUT);
            if (newPid.isEmpty()) {
                System.out.println("HUP " + hup + ": no new pid answered within " + NEW_PID_TIMEOUT + "; see " + server.logFile());
                return false;
            }
            long answeredMillis = (System.nanoTime() - hupNanos) / 1_000_000;
            generations.add(newPid.getAsLong());
            hupToNewPidMillis.add(answeredMillis);
            if (!server.awaitGone(oldPid, OLD_PID_GONE_TIMEOUT)) {
                System.out.println("HUP " + hup + ": old pid " + oldPid + " still running after " + OLD_PID_GONE_TIMEOUT
                        + "; see " + server.logFile());
                return false;
            }
            long goneMillis = (System.nanoTime() - hupNanos) / 1_000_000;
            System.out.println("HUP " + hup + ": pid " + newPid.getAsLong() + " answered after " + answeredMillis
                    + " ms; old pid " + oldPid + " gone after " + goneMillis + " ms");
            Thread.sleep(LOAD_BETWEEN_HUPS_MILLIS);
        }
        return true;
    }

    private void printReport(LoadClient load) {
        Map<Long, Long> served = load.successesByPid();
        Map<Long, Long> failed = load.failuresByNewestPid();
        List<Long> rows = new ArrayList<>(generations);
        served.keySet().stream().filter(pid -> !rows.contains(pid)).forEach(rows::add); // unexpected, but show it

        System.out.println();
        System.out.println("| generation | pid | requests served | failures |");
        System.out.println("|---:|---:|---:|---:|");
        for (int i = 0; i < rows.size(); i++) {
            long pid = rows.get(i);
            String generation = i < generations.size() ? String.valueOf(i) : "unexpected";
            System.out.println("| " + generation + " | " + pid + " | " + served.getOrDefault(pid, 0L) + " | "
                    + failed.getOrDefault(pid, 0L) + " |");
        }
        if (failed.getOrDefault(-1L, 0L) > 0) {
            System.out.println("| before any answer | | 0 | " + failed.get(-1L) + " |");
        }
        System.out.println();
        System.out.println("Total: " + load.successes() + " requests served, " + load.failures() + " failed"
                + " (failures are counted against the newest generation seen when they happened).");
        System.out.println("HUP -> new pid answers: " + hupToNewPidMillis + " ms");
        load.failureSamples().forEach(sample -> System.out.println("  failure: " + sample));
    }

    private static Path ownJar() throws URISyntaxException {
        Path location = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return Files.isRegularFile(location) ? location : Path.of("it-apps/target/it-apps.jar");
    }

    private static String required(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    private static void closeQuietly(ServerProcess server) {
        try {
            server.close();
        } catch (Exception e) {
            System.err.println("cleanup: " + e);
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: java -cp it-apps.jar graceful.itapps.demo.Demo [--agent PATH (default"
                + " src-assembly/target/graceful.jar)] [--app httpserver|blocking|nio] [--hups 3]"
                + " [--java JAVA_HOME] [--it-apps PATH]");
        System.exit(2);
    }
}

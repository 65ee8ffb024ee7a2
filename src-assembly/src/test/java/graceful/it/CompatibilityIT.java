package graceful.it;

import static org.junit.jupiter.api.Assertions.fail;

import graceful.itapps.harness.ServerProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility matrix: RestartIT's check (load from fresh connections that never retry, a
 * request in flight at each HUP finished by the old JVM, no failed request, a new pid each time,
 * one process left) on real servers, each an unmodified app of its framework built into
 * {@code it-apps/frameworks/<name>/target/<name>.jar}, on each JDK it supports.
 *
 * <p>Besides pass or fail it reports, per case and hand-over, how long after the HUP the new pid
 * answered and the old pid was gone, and the error lines each server logged (above all after
 * graceful closed its listener: a server that logs an accept failure over and over shows here).
 * The report is printed and written to {@code <graceful.it.logs>/compatibility-summary.txt}.
 */
// A safety net only: every wait is bounded; a healthy case takes 20 to 30 s.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CompatibilityIT {

    private static final int RESTARTS = 2;

    /**
     * The default request in flight: longer than a hand-over takes on a busy 2-core machine
     * (RestartIT's 8 s, plus room for the heavier servers' startup), so the old JVM must drain it
     * after the new one answers.
     */
    private static final long SLOW_MILLIS = 10_000;

    /**
     * Spring Boot's new JVM takes seconds longer to answer than the others: its request in flight
     * must outlast that, and still be answered within the probe's read timeout (15 s).
     */
    private static final long SPRING_BOOT_SLOW_MILLIS = 13_000;

    /** A server of the matrix: its it-app name, the oldest JDK it runs on, its request in flight. */
    private record Server(String app, int minimumJdk, long slowMillis) {
        Server(String app, int minimumJdk) {
            this(app, minimumJdk, SLOW_MILLIS);
        }
    }

    private static final List<Server> SERVERS = List.of(
            new Server("jetty12", 17),
            new Server("tomcat11", 17),
            new Server("tomcat10", 17),
            new Server("netty42", 17),
            new Server("netty41", 17),
            new Server("undertow", 17),
            new Server("vertx5", 17),
            new Server("javalin7", 17),
            new Server("springboot", 17, SPRING_BOOT_SLOW_MILLIS),
            new Server("vthreads", 21),
            new Server("helidon4", 21));

    /** One line per case, in the order run, for the summary. */
    private static final Map<String, String> REPORT = new LinkedHashMap<>();

    /** {@code -Dgraceful.it.compatibility=tomcat11,netty41} runs those rows only (all when unset). */
    private static final String ONLY_PROPERTY = "graceful.it.compatibility";

    static Stream<Arguments> serversOnEachJdk() {
        List<Path> jdks = ItEnvironment.jdks();
        List<String> only = Stream.of(System.getProperty(ONLY_PROPERTY, "").split(","))
                .map(String::strip).filter(name -> !name.isEmpty()).toList();
        only.stream().filter(name -> SERVERS.stream().noneMatch(server -> server.app().equals(name))).findFirst()
                .ifPresent(unknown -> fail(ONLY_PROPERTY + " names " + unknown + ", which is not a server of the matrix"));
        List<Arguments> cases = new ArrayList<>();
        for (Server server : SERVERS) {
            if (!only.isEmpty() && !only.contains(server.app())) {
                continue;
            }
            List<Path> supported = jdks.stream()
                    .filter(jdk -> ItEnvironment.featureVersion(ItEnvironment.requireJdk(jdk)) >= server.minimumJdk())
                    .toList();
            if (supported.isEmpty()) {
                fail(server.app() + " needs a JDK " + server.minimumJdk() + "+ and graceful.it.jdks lists none: " + jdks);
            }
            supported.forEach(jdk -> cases.add(Arguments.of(server.app(), jdk, server.slowMillis())));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("serversOnEachJdk")
    void hupHandsOverToANewJvmWithoutFailingARequest(String app, Path javaHome, long slowMillis) throws Exception {
        String name = app + " on " + javaHome.getFileName();
        Path log = ItEnvironment.freshLogFile("compatibility-" + app + "-" + javaHome.getFileName());
        String where = " [" + app + " on " + javaHome + "; server log " + log + "]";
        List<RestartUnderLoad.HandOver> handOvers = new ArrayList<>();
        String outcome = "FAIL";
        long started = System.nanoTime();
        try {
            RestartUnderLoad.run(new ServerProcess.Spec(ItEnvironment.requireJdk(javaHome), ItEnvironment.gracefulJar(),
                    ItEnvironment.frameworkJar(app), app, ServerProcess.freePort(), log), RESTARTS, slowMillis, where,
                    handOvers);
            outcome = "PASS";
        } catch (Throwable failure) {
            String message = String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
            outcome = "FAIL (" + failure.getClass().getSimpleName() + ": "
                    + (message.length() > 160 ? message.substring(0, 160) + "..." : message) + ")";
            throw failure;
        } finally {
            String line = String.format(Locale.ROOT, "%-28s %s in %4.1f s%s%n%s", name, outcome,
                    (System.nanoTime() - started) / 1e9, RestartUnderLoad.timings(handOvers, slowMillis),
                    LogScan.of(log).describe());
            REPORT.put(name, line);
            System.out.println("compatibility: " + line);
        }
    }

    @AfterAll
    static void summary() throws IOException {
        StringBuilder text = new StringBuilder("graceful compatibility matrix: " + RESTARTS
                + " HUPs per case under load, each with a request in flight\n\n");
        REPORT.values().forEach(line -> text.append(line).append('\n'));
        Path file = Path.of(System.getProperty("graceful.it.logs"), "compatibility-summary.txt");
        Files.writeString(file, text);
        System.out.println(text);
    }

    /**
     * The error-like lines in a case's server log (every generation appends to it), by when they
     * were written: before the first HUP; during a hand-over until the old JVM closed its
     * listeners (the new JVM's startup); after the old JVM closed them until the next HUP (the old
     * JVM's drain and exit: what a server does once its listener is gone); during the final stop.
     */
    static final class LogScan {
        private static final String GRACEFUL = "graceful[pid ";
        private static final Pattern ERROR = Pattern.compile(
                "SEVERE|ERROR|WARN|Exception|Error\\b|^\\s+at \\S|^\\s*\\.\\.\\. \\d+ more|^Caused by:");
        /** What the JDK itself prints (JDK 24+: jffi's native access and Unsafe use), not the server. */
        private static final Pattern JDK_WARNING = Pattern.compile(
                "^WARNING: (A restricted method|java\\.lang\\.System::load|Use --enable-native-access|Restricted methods will be blocked"
                        + "|A terminally deprecated method|sun\\.misc\\.Unsafe|Please consider reporting)");
        private static final Pattern CLOSED_BY = Pattern.compile("graceful\\[pid (\\d+) gen \\d+\\] stopped accepting");
        private static final Pattern DRAINED = Pattern.compile("drained (\\d+) connection\\(s\\) in (\\d+) ms");
        private static final Pattern READY = Pattern.compile("is ready (\\d+) ms after the upgrade started");
        private static final Pattern TIMESTAMP = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d\\.\\d{3})");
        private static final int EXCERPTS = 4;

        private final Map<String, Integer> counts = new LinkedHashMap<>();
        private final List<String> afterCloseExcerpts = new ArrayList<>();
        private final List<String> drains = new ArrayList<>();
        private final List<String> upgrades = new ArrayList<>();

        /** The scan of {@code log}; one of no lines if it cannot be read (a case that failed before it started). */
        static LogScan of(Path log) {
            try {
                return new LogScan(Files.readAllLines(log, StandardCharsets.ISO_8859_1));
            } catch (IOException unreadable) {
                return new LogScan(List.of());
            }
        }

        private LogScan(List<String> lines) {
            String phase = "startup";
            LocalDateTime upgradeStarted = null;
            long spawnMillis = -1;
            for (String phaseName : List.of("startup", "hand-over", "after-close", "final-stop", "jdk-warnings")) {
                counts.put(phaseName, 0);
            }
            for (String line : lines) {
                if (line.contains(GRACEFUL)) {
                    if (line.contains("upgrade started")) {
                        phase = "hand-over";
                        upgradeStarted = timestamp(line);
                    } else if (line.contains("started the new JVM") && upgradeStarted != null && timestamp(line) != null) {
                        spawnMillis = Duration.between(upgradeStarted, timestamp(line)).toMillis();
                    } else if (CLOSED_BY.matcher(line).find() && !phase.equals("final-stop")) {
                        phase = "after-close";
                    } else if (line.contains(": stopping gracefully")) {
                        phase = "final-stop";
                    }
                    Matcher ready = READY.matcher(line);
                    if (ready.find()) {
                        upgrades.add("started the new JVM after " + spawnMillis + " ms, ready after " + ready.group(1) + " ms");
                    }
                    Matcher drained = DRAINED.matcher(line);
                    if (drained.find() && !phase.equals("final-stop")) {
                        drains.add(drained.group(1) + " conn in " + drained.group(2) + " ms");
                    }
                    continue;
                }
                if (line.startsWith("# ") || !ERROR.matcher(line).find()) {
                    continue;
                }
                if (JDK_WARNING.matcher(line).find()) {
                    counts.merge("jdk-warnings", 1, Integer::sum);
                    continue;
                }
                counts.merge(phase, 1, Integer::sum);
                if (phase.equals("after-close") && afterCloseExcerpts.size() < EXCERPTS
                        && !line.matches("^\\s+at .*|^\\s*\\.\\.\\. \\d+ more.*")) {
                    afterCloseExcerpts.add(line.length() > 200 ? line.substring(0, 200) + "..." : line);
                }
            }
        }

        /** The time graceful's log line starts with, or null. */
        private static LocalDateTime timestamp(String line) {
            Matcher time = TIMESTAMP.matcher(line);
            return time.find() ? LocalDateTime.parse(time.group(1) + "T" + time.group(2)) : null;
        }

        String describe() {
            StringBuilder text = new StringBuilder("    graceful: upgrades " + upgrades + "; old JVMs drained " + drains
                    + "\n    error-like log lines by phase " + counts);
            afterCloseExcerpts.forEach(line -> text.append("\n      after close: ").append(line));
            return text.toString();
        }
    }
}

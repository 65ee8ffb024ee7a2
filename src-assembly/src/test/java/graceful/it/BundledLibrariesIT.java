package graceful.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.ServerProcess;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 4: an app that bundles its own Byte Buddy (and attaches its agent), jnr-posix / jnr-ffi /
 * jffi / ASM and tinylog, in other versions than graceful's, runs and restarts under load like any
 * other (RestartUnderLoad: 2 HUPs, a request in flight at each, no failed request), and neither
 * side uses the other's copy:
 * <ul>
 * <li>each generation's {@code GET /libs} shows every library loaded by the app's class loader
 *     from the app's own jar, in the app's version; service files and jffi's native library
 *     resolving to the app's jars only; no graceful agent class visible to the app;
 * <li>the server log has graceful's own lines, in graceful's format, for every step of every
 *     hand-over (graceful's tinylog worked in every generation), the app's lines in the app's
 *     format (its tinylog.properties), neither format on the other's lines, and no tinylog
 *     internal error (one side's tinylog finding the other's implementation);
 * <li>every old JVM, at exit, has two libjffi copies mapped: the app's and graceful's own, and the
 *     last generation (which never restarted) only the app's.
 * </ul>
 * The app is {@code it-apps/frameworks/bundled}; its pom says why these versions.
 */
// A safety net only: every wait is bounded; a healthy case takes 30 to 40 s.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BundledLibrariesIT {

    private static final String APP = "bundled";
    private static final int RESTARTS = 2;
    /** CompatibilityIT's request in flight: outlasts a hand-over on a busy 2-core machine. */
    private static final long SLOW_MILLIS = 10_000;

    /** The app's libraries: name (as /libs reports it) to the jar its pom puts in lib/. */
    private static final Map<String, String> APP_JARS = orderedMap(
            "byte-buddy", "byte-buddy-1.15.11.jar",
            "byte-buddy-agent", "byte-buddy-agent-1.15.11.jar",
            "jnr-posix", "jnr-posix-3.1.18.jar",
            "jnr-ffi", "jnr-ffi-2.2.15.jar",
            "jffi", "jffi-1.3.12.jar",
            "asm", "asm-9.2.jar",
            "tinylog-api", "tinylog-api-2.6.2.jar",
            "tinylog-impl", "tinylog-impl-2.6.2.jar");

    /**
     * Libraries both ship, by their pom.properties in graceful.jar's inst/ (tinylog's jars have none:
     * the parent pom and the it-app's pom set those apart; graceful ships no ASM): graceful's must differ.
     */
    private static final Map<String, String> GRACEFUL_POMS = orderedMap(
            "jffi", "inst/META-INF/maven/com.github.jnr/jffi/pom.properties");

    private static final String JFFI_NATIVE = "jni/x86_64-Linux/libjffi-1.2.so";

    /** Every graceful line: {@code <date> <time> <LEVEL>: graceful[pid N gen N] }. */
    private static final Pattern GRACEFUL_FORMAT = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR): graceful\\[pid \\d+ gen \\d+\\] ");
    /** The app's tinylog.properties: {@code bundled-app|<LEVEL>|<thread>| <message>}. */
    private static final String APP_FORMAT_PREFIX = "bundled-app|";
    /** Texts of the app's own log messages (BundledApp): each line holding one must be in the app's format. */
    private static final List<String> APP_MESSAGES = List.of(
            "starting, pid ", "jnr-posix getpid() = ", "Byte Buddy generated: ", "Byte Buddy agent: ",
            "slow request: ", "slow request answered", "libs requested", "exiting, pid ");
    /** tinylog's internal logger: what one side's tinylog prints when it finds the other's classes. */
    private static final Pattern TINYLOG_INTERNAL = Pattern.compile("^LOGGER (ERROR|WARN)");
    private static final Pattern EXIT_LINE = Pattern.compile("exiting, pid (\\d+): libjffi mapped (.*)$");

    static Stream<Path> jdks() {
        return ItEnvironment.jdks().stream();
    }

    @ParameterizedTest(name = "bundled on {0}")
    @MethodSource("jdks")
    void appWithItsOwnLibrariesRestartsAndNeitherSideUsesTheOthers(Path javaHome) throws Exception {
        Path appJar = ItEnvironment.frameworkJar(APP).normalize();
        Path lib = appJar.getParent().resolve("lib");
        Path gracefulJar = ItEnvironment.gracefulJar();
        Path log = ItEnvironment.freshLogFile("bundled-" + javaHome.getFileName());
        String where = " [" + APP + " on " + javaHome + "; server log " + log + "]";

        // The premise: the app's versions are not graceful's, and the two native libjffi differ.
        for (Map.Entry<String, String> pom : GRACEFUL_POMS.entrySet()) {
            String gracefulVersion = pomVersion(gracefulJar, pom.getValue());
            assertNotEquals(pom.getKey() + "-" + gracefulVersion + ".jar", APP_JARS.get(pom.getKey()),
                    "the it-app must bundle another " + pom.getKey() + " than graceful's " + gracefulVersion);
        }
        String appNative = sha256(lib.resolve("jffi-1.3.12-native.jar"), JFFI_NATIVE);
        String gracefulNative = sha256(gracefulJar, "inst/" + JFFI_NATIVE);
        assertNotEquals(appNative, gracefulNative, "the app's and graceful's libjffi must differ for this test to tell them apart");

        // Restart under load, reading /libs from each generation as it serves.
        Map<Long, Map<String, String>> libsByPid = new LinkedHashMap<>();
        List<RestartUnderLoad.HandOver> handOvers = new ArrayList<>();
        long started = System.nanoTime();
        long requests = RestartUnderLoad.run(new ServerProcess.Spec(ItEnvironment.requireJdk(javaHome), gracefulJar,
                        appJar, APP, ServerProcess.freePort(), log), RESTARTS, SLOW_MILLIS, where, handOvers,
                (server, pid) -> {
                    HttpProbe.Response libs = HttpProbe.get(server.port(), "/libs");
                    assertEquals(200, libs.status(), "GET /libs on pid " + pid + ": " + libs + where);
                    assertEquals(pid, libs.pid(), "GET /libs must be answered by the newest generation" + where);
                    libsByPid.put(pid, parse(libs.body()));
                });
        List<Long> pids = new ArrayList<>(libsByPid.keySet());
        System.out.printf(Locale.ROOT, "bundled: %s: %d requests, 0 failed, generations %s, in %.1f s; hand-overs %s%n%s%n",
                javaHome.getFileName(), requests, pids, (System.nanoTime() - started) / 1e9,
                handOvers.stream().map(h -> h.newPidAnswered().toMillis() + " ms to new pid, " + h.oldPidGone().toMillis()
                        + " ms to old gone").toList(), CompatibilityIT.LogScan.of(log).describe());

        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        List<Executable> checks = new ArrayList<>();
        for (long pid : pids) {
            checks.addAll(libsChecks(pid, libsByPid.get(pid), lib, appNative, where));
        }
        checks.addAll(gracefulLogChecks(pids, lines, where));
        checks.addAll(appLogChecks(pids, lines, where));
        checks.addAll(nativeLibraryChecks(pids, lines, appNative, gracefulNative, where));
        assertAll("bundled on " + javaHome.getFileName(), checks.stream());
    }

    /** What one generation's /libs must say: all the app's own, nothing of graceful's. */
    private static List<Executable> libsChecks(long pid, Map<String, String> libs, Path lib, String appNative, String where) {
        String gen = "pid " + pid + " /libs: ";
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, String> jar : APP_JARS.entrySet()) {
            String name = jar.getKey();
            String version = jar.getValue().substring(name.length() + 1, jar.getValue().length() - ".jar".length());
            checks.add(() -> assertEquals(lib.resolve(jar.getValue()).toString(), libs.get("lib." + name + ".jar"),
                    gen + name + " must come from the app's jar" + where));
            checks.add(() -> assertTrue(String.valueOf(libs.get("lib." + name + ".version")).startsWith(version),
                    gen + name + " version " + libs.get("lib." + name + ".version") + ", expected " + version + where));
            checks.add(() -> assertEquals("app", libs.get("lib." + name + ".loader"),
                    gen + name + " must be loaded by the app's class loader" + where));
        }
        checks.add(() -> assertEquals("org.tinylog.core.TinylogLoggingProvider from " + lib.resolve("tinylog-impl-2.6.2.jar"),
                libs.get("tinylog.provider"), gen + "the app's tinylog must use its own provider" + where));
        checks.add(() -> assertEquals(String.valueOf(pid), libs.get("jnr.getpid"), gen + "jnr-posix getpid()" + where));
        checks.add(() -> assertTrue(String.valueOf(libs.get("bytebuddy.generated")).endsWith("by Byte Buddy 1.15.11"),
                gen + "Byte Buddy generated: " + libs.get("bytebuddy.generated") + where));
        checks.add(() -> assertTrue(String.valueOf(libs.get("bytebuddy.agent"))
                        .startsWith("attached; Greeting.text() = redefined by the app's Byte Buddy agent; retransformed "),
                gen + "Byte Buddy agent: " + libs.get("bytebuddy.agent") + where));
        for (String resource : List.of("tinylog-provider-service", "tinylog-writer-service", "jffi-native")) {
            checks.add(() -> {
                String urls = String.valueOf(libs.get("resource." + resource));
                String appLib = "jar:" + lib.toUri().toURL();
                assertTrue(!urls.isBlank() && Arrays.stream(urls.split(" ")).allMatch(url -> url.startsWith(appLib)),
                        gen + resource + " must resolve to the app's jars only, not graceful.jar: " + urls + where);
            });
        }
        checks.add(() -> assertEquals("none", libs.get("graceful.visible"),
                gen + "graceful's agent classes must be invisible to the app" + where));
        checks.add(() -> assertEquals("sha256:" + appNative, libs.get("jffi.mapped"),
                gen + "a serving generation has the app's libjffi only" + where));
        return checks;
    }

    /**
     * graceful's tinylog worked in every generation: each step of each hand-over and the final
     * stop logged by the JVM that took it, and every graceful line in graceful's format.
     */
    private static List<Executable> gracefulLogChecks(List<Long> pids, List<String> lines, String where) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i + 1 < pids.size(); i++) {
            String old = "graceful[pid " + pids.get(i) + " gen " + (i + 1) + "] ";
            String fresh = "graceful[pid " + pids.get(i + 1) + " gen " + (i + 2) + "] ";
            for (String expected : List.of(old + "SIGHUP: upgrade started", old + "started the new JVM",
                    fresh + "ready: took over", old + "stopped accepting", old + "drained")) {
                checks.add(() -> assertTrue(lines.stream().anyMatch(line -> line.contains(expected)),
                        "graceful's line \"" + expected + "...\" is missing: graceful's own logging failed in that JVM" + where));
            }
        }
        String last = "graceful[pid " + pids.get(pids.size() - 1) + " gen " + pids.size() + "] SIGTERM: stopping gracefully";
        checks.add(() -> assertTrue(lines.stream().anyMatch(line -> line.contains(last)),
                "graceful's line \"" + last + "...\" is missing" + where));
        checks.add(() -> assertEquals(List.of(), lines.stream()
                        .filter(line -> line.contains("graceful[pid ") && !GRACEFUL_FORMAT.matcher(line).find()).toList(),
                "graceful lines not in graceful's own format (the app's tinylog configuration leaked into graceful's?)" + where));
        checks.add(() -> assertEquals(List.of(), lines.stream().filter(line -> TINYLOG_INTERNAL.matcher(line).find()).toList(),
                "tinylog internal errors: one side's tinylog found the other's classes (through the thread's context"
                        + " class loader?) and fell back to logging nothing" + where));
        return checks;
    }

    /** The app's tinylog worked in every generation, with the app's configuration only. */
    private static List<Executable> appLogChecks(List<Long> pids, List<String> lines, String where) {
        List<Executable> checks = new ArrayList<>();
        for (long pid : pids) {
            String starting = APP_FORMAT_PREFIX + "INFO|main| starting, pid " + pid;
            checks.add(() -> assertTrue(lines.stream().anyMatch(line -> line.equals(starting)),
                    "the app's line \"" + starting + "\" is missing" + where));
        }
        checks.add(() -> assertEquals(List.of(), lines.stream()
                        .filter(line -> APP_MESSAGES.stream().anyMatch(line::contains) && !line.startsWith(APP_FORMAT_PREFIX))
                        .toList(),
                "app lines not in the app's format (graceful's tinylog configuration leaked into the app's?)" + where));
        checks.add(() -> assertEquals(List.of(), lines.stream()
                        .filter(line -> line.startsWith(APP_FORMAT_PREFIX) && line.contains("graceful[pid ")).toList(),
                "graceful lines in the app's format: graceful logged through the app's tinylog" + where));
        return checks;
    }

    /**
     * At exit each old JVM has two libjffi copies mapped, the app's and graceful's (which loaded
     * jffi for its restart); the last generation, which never restarted, the app's only.
     */
    private static List<Executable> nativeLibraryChecks(List<Long> pids, List<String> lines, String appNative,
                                                        String gracefulNative, String where) {
        Map<Long, List<String>> mappedAtExit = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher exit = EXIT_LINE.matcher(line);
            if (exit.find()) {
                mappedAtExit.put(Long.parseLong(exit.group(1)),
                        Arrays.stream(exit.group(2).split(" ")).map(hash -> hash.replace("sha256:", "")).sorted().toList());
            }
        }
        Function<String, String> whose = hash -> hash.equals(appNative) ? "app's" : hash.equals(gracefulNative) ? "graceful's" : hash;
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < pids.size(); i++) {
            long pid = pids.get(i);
            List<String> expected = (i + 1 < pids.size() ? Stream.of(appNative, gracefulNative) : Stream.of(appNative))
                    .sorted().toList();
            checks.add(() -> {
                List<String> mapped = mappedAtExit.get(pid);
                assertTrue(mapped != null, "pid " + pid + " logged no exit line" + where);
                assertEquals(expected.stream().map(whose).toList(), mapped.stream().map(whose).toList(),
                        "pid " + pid + ": the libjffi copies mapped at exit (graceful's jffi must load graceful's own native"
                                + " library, not the app's)" + where);
            });
        }
        return checks;
    }

    private static Map<String, String> parse(String body) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0 && !line.startsWith("pid=")) {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return values;
    }

    private static String pomVersion(Path jar, String entry) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile()); InputStream in = open(zip, entry)) {
            Properties pom = new Properties();
            pom.load(in);
            return pom.getProperty("version");
        }
    }

    private static String sha256(Path jar, String entry) throws IOException, NoSuchAlgorithmException {
        try (ZipFile zip = new ZipFile(jar.toFile()); InputStream in = open(zip, entry)) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
    }

    private static InputStream open(ZipFile zip, String entry) throws IOException {
        ZipEntry found = zip.getEntry(entry);
        if (found == null) {
            fail(zip.getName() + " has no " + entry);
        }
        return zip.getInputStream(found);
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}

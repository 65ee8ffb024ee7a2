package graceful.it;

import static org.junit.jupiter.api.Assertions.fail;

import graceful.itapps.harness.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * What the failsafe configuration in src-assembly/pom.xml hands the integration tests. A
 * missing piece fails the test with a message saying what to build or install: a test that
 * silently skipped a JDK would claim a compatibility it never checked.
 */
final class ItEnvironment {

    private ItEnvironment() {
    }

    static Path gracefulJar() {
        return existingFile("graceful.jar", "build it with: mvn -DskipTests install (from the repository root)");
    }

    /** The version the build stamps on graceful.jar and the tarball (the project version). */
    static String version() {
        return property("graceful.version");
    }

    /** {@code graceful-<version>.tar.gz}, the distribution. */
    static Path distTarball() {
        return existingFile("graceful.dist.tarball", "build it with: mvn -DskipTests install (from the repository root)");
    }

    /** The repository root: where README.md and LICENSE come from. */
    static Path sourceRoot() {
        return Path.of(property("graceful.source.root")).toAbsolutePath().normalize();
    }

    static Path itAppsJar() {
        return existingFile("graceful.it-apps.jar", "build it with: mvn -pl it-apps package");
    }

    /** {@code <it-apps>/frameworks/<app>/target/<app>.jar}, beside the it-apps jar the build hands the tests. */
    static Path frameworkJar(String app) {
        Path jar = itAppsJar().toAbsolutePath().getParent().getParent()
                .resolve("frameworks").resolve(app).resolve("target").resolve(app + ".jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar + " does not exist; build it with: mvn -DskipTests install (from the repository root)");
        }
        return jar;
    }

    /** The JAVA_HOMEs to run the it-apps on, as listed; see {@link #requireJdk}. */
    static List<Path> jdks() {
        return Arrays.stream(property("graceful.it.jdks").split(","))
                .map(String::strip)
                .filter(home -> !home.isEmpty())
                .map(Path::of)
                .toList();
    }

    /** Fails (does not skip) when a listed JDK is not installed. */
    static Path requireJdk(Path javaHome) {
        if (!Files.isExecutable(javaHome.resolve("bin/java"))) {
            fail("JDK " + javaHome + " listed in graceful.it.jdks is not installed (no executable "
                    + javaHome.resolve("bin/java") + "); install it or change graceful.it.jdks");
        }
        return javaHome;
    }

    /**
     * The usual server of a test: {@code app} on {@code jdk} under graceful.jar, on a free port,
     * logging to {@code log}, with {@code jvmArgs} (settings, it-app hooks) on its command line.
     */
    static ServerProcess.Spec spec(Path jdk, String app, Path log, String... jvmArgs) throws IOException {
        return new ServerProcess.Spec(requireJdk(jdk), gracefulJar(), itAppsJar(), app, ServerProcess.freePort(), log,
                List.of(jvmArgs));
    }

    /** The servers in the it-apps jar itself; every other it-app is a framework app with a jar of its own. */
    private static final Set<String> IT_APPS_JAR_APPS = Set.of("httpserver", "httpserver-inline", "blocking", "nio");

    /** Like {@link #spec}, for any it-app by name: one of the it-apps jar, or a framework app from its own jar. */
    static ServerProcess.Spec anyAppSpec(Path jdk, String app, Path log) throws IOException {
        return IT_APPS_JAR_APPS.contains(app) ? spec(jdk, app, log)
                : new ServerProcess.Spec(requireJdk(jdk), gracefulJar(), frameworkJar(app), app, ServerProcess.freePort(), log);
    }

    /**
     * Test cases (app, JDK) for each app on each JDK; {@code -D<onlyProperty>=a,b} runs those apps
     * only (all when unset), e.g. {@code -Dgraceful.it.keepAlive=jetty12,nio}.
     */
    static Stream<Arguments> appsOnEachJdk(List<String> apps, String onlyProperty) {
        List<String> only = Stream.of(System.getProperty(onlyProperty, "").split(",")).map(String::strip)
                .filter(name -> !name.isEmpty()).toList();
        List<Arguments> cases = new ArrayList<>();
        apps.stream().filter(app -> only.isEmpty() || only.contains(app))
                .forEach(app -> jdks().forEach(jdk -> cases.add(Arguments.of(app, jdk))));
        return cases.stream();
    }

    /** The JDK's feature version (17, 25, ...), from {@code JAVA_VERSION} in its {@code release} file. */
    static int featureVersion(Path javaHome) {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(version.split("[.+-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            fail("cannot read the version of JDK " + javaHome + " from its release file: " + e);
        }
        return fail("no JAVA_VERSION in " + javaHome.resolve("release"));
    }

    /**
     * A directory for files a test makes (keys, say), {@code <build directory>/it-<name>}, beside
     * the logs; created if missing.
     */
    static Path workDir(String name) throws IOException {
        Path dir = Path.of(property("graceful.it.logs")).toAbsolutePath().resolveSibling("it-" + name);
        Files.createDirectories(dir);
        return dir;
    }

    /** A fresh log file for one test's server processes (every generation appends to it). */
    static Path freshLogFile(String name) throws IOException {
        Path log = logsDir().resolve(name + ".log");
        Files.deleteIfExists(log);
        return log;
    }

    /** Where the tests' server logs and other output go (created if missing). */
    static Path logsDir() throws IOException {
        return Files.createDirectories(Path.of(property("graceful.it.logs")));
    }

    private static Path existingFile(String property, String howToGetIt) {
        Path file = Path.of(property(property));
        if (!Files.isRegularFile(file)) {
            fail(property + " " + file + " does not exist; " + howToGetIt);
        }
        return file;
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            fail("system property " + name + " is not set; run the integration tests through maven-failsafe"
                    + " (mvn verify), which sets it from src-assembly/pom.xml");
        }
        return value;
    }
}

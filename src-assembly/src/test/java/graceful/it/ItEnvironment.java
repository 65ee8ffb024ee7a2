package graceful.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

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

    static Path itAppsJar() {
        return existingFile("graceful.it-apps.jar", "build it with: mvn -pl it-apps package");
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

    /** A fresh log file for one test's server processes (every generation appends to it). */
    static Path freshLogFile(String name) throws IOException {
        Path logs = Path.of(property("graceful.it.logs"));
        Files.createDirectories(logs);
        Path log = logs.resolve(name + ".log");
        Files.deleteIfExists(log);
        return log;
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

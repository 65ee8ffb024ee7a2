package graceful.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What users get: graceful.jar (its manifest, what it shows the app's class loader,
 * {@code java -jar graceful.jar}) and graceful-&lt;version&gt;.tar.gz (exactly its entries, and
 * the systemd example agreeing with graceful's defaults).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DistributionIT {

    /** Settings coming with other work, listed by {@code java -jar graceful.jar} already. */
    private static final List<String> SETTINGS_BEYOND_README = List.of("restartSignal", "pidfile");

    @Test
    void manifestMakesTheJarAnAgentAndAProgram() throws IOException {
        try (JarFile jar = new JarFile(ItEnvironment.gracefulJar().toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("graceful.bootstrap.Premain", main.getValue("Premain-Class"));
            assertEquals("graceful.bootstrap.Main", main.getValue("Main-Class"));
            // The JDK classes graceful patches are loaded before premain runs: it retransforms them.
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("graceful", main.getValue("Implementation-Title"));
            assertEquals(ItEnvironment.version(), main.getValue("Implementation-Version"));
            // graceful has no agentmain: it cannot be attached to a running JVM, and does not claim to.
            assertNull(main.getValue("Agent-Class"), "Agent-Class without an agentmain");
            assertNull(main.getValue("Launcher-Agent-Class"));
            assertNull(main.getValue("Class-Path"), "graceful.jar must be self-contained");
            assertNotNull(jar.getEntry("graceful/bootstrap/Premain.class"));
            assertNotNull(jar.getEntry("graceful/bootstrap/Main.class"));
            assertNotNull(jar.getEntry("META-INF/LICENSE"), "the jar carries its license");
        }
    }

    /**
     * The jar is on the app's class path (the system class loader reads -javaagent jars): outside
     * inst/, only graceful's bootstrap package may be there, or the app could load graceful's
     * jffi or tinylog (or its service providers) instead of its own. graceful ships no ASM (it
     * writes its class-file patches itself).
     */
    @Test
    void onlyTheBootstrapIsVisibleOutsideInst() throws IOException {
        Set<String> allowed = Set.of("META-INF/", "META-INF/MANIFEST.MF", "META-INF/LICENSE",
                "graceful/", "graceful/bootstrap/");
        Pattern bootstrapClass = Pattern.compile("graceful/bootstrap/[A-Za-z0-9_$-]+\\.class");
        List<String> strays = new ArrayList<>();
        List<String> plainClassesUnderInst = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        try (JarFile jar = new JarFile(ItEnvironment.gracefulJar().toFile())) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                names.add(name);
                if (name.startsWith("inst/")) {
                    if (name.endsWith(".class")) {
                        plainClassesUnderInst.add(name);
                    }
                } else if (!allowed.contains(name) && !bootstrapClass.matcher(name).matches()) {
                    strays.add(name);
                }
            }
        }
        assertEquals(List.of(), strays, "entries outside inst/ other than graceful's bootstrap");
        assertEquals(List.of(), plainClassesUnderInst, "classes under inst/ must be .classdata");
        List<String> asm = new ArrayList<>();
        for (String name : names) {
            if (name.contains("org/objectweb/asm/")) {
                asm.add(name);
            }
        }
        assertEquals(List.of(), asm, "graceful.jar must not ship ASM (EntryHooks patches without it)");
        for (String name : List.of("graceful/bootstrap/Premain.class", "graceful/bootstrap/IsolatedClassLoader.class",
                "inst/graceful/agent/Agent.classdata", "inst/sun/nio/ch/GracefulBridge.classdata",
                "inst/com/kenai/jffi/Invoker.classdata",
                "inst/org/tinylog/Logger.classdata")) {
            assertTrue(names.contains(name), name + " missing from graceful.jar");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void javaJarPrintsVersionAndUsage(Path jdk) throws Exception {
        Path logs = ItEnvironment.logsDir();
        Path out = logs.resolve("java-jar-" + jdk.getFileName() + ".out");
        Path err = logs.resolve("java-jar-" + jdk.getFileName() + ".err");
        ProcessBuilder builder = new ProcessBuilder(ItEnvironment.requireJdk(jdk).resolve("bin/java").toString(),
                "-jar", ItEnvironment.gracefulJar().toString())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().keySet().removeIf(name -> name.equals("JAVA_TOOL_OPTIONS")
                || name.equals("JDK_JAVA_OPTIONS") || name.startsWith("GRACEFUL_"));
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("java -jar graceful.jar did not exit within 60 s");
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        String where = "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        assertEquals(0, process.exitValue(), "exit status" + where);
        assertEquals("", stderr, "nothing on stderr" + where);
        assertTrue(stdout.startsWith("graceful " + ItEnvironment.version() + ": "), "version first" + where);
        assertTrue(stdout.contains("-javaagent:graceful.jar"), "how to run under graceful" + where);
        assertTrue(stdout.contains("kill -HUP <pid>"), "how to restart" + where);
        assertTrue(stdout.contains("README.md"), "points to the README" + where);
        Set<String> settings = new LinkedHashSet<>(readmeSettings());
        settings.addAll(SETTINGS_BEYOND_README);
        for (String setting : settings) {
            assertTrue(Pattern.compile("(?m)^  " + setting + "=").matcher(stdout).find(),
                    "setting " + setting + " listed with its default" + where);
        }
    }

    @Test
    void tarballHoldsExactlyTheDistribution() throws IOException {
        String top = "graceful-" + ItEnvironment.version() + "/";
        Path root = ItEnvironment.sourceRoot();
        Path dist = root.resolve("src-assembly/src/main/dist");
        Map<String, Path> files = new LinkedHashMap<>();
        files.put(top + "graceful.jar", ItEnvironment.gracefulJar());
        files.put(top + "README.md", root.resolve("README.md"));
        files.put(top + "LICENSE", root.resolve("LICENSE"));
        files.put(top + "systemd/graceful-app.service", dist.resolve("systemd/graceful-app.service"));
        files.put(top + "systemd/graceful-app.socket", dist.resolve("systemd/graceful-app.socket"));
        Set<String> expected = new TreeSet<>(files.keySet());
        expected.add(top);
        expected.add(top + "systemd/");

        Map<String, TarEntry> entries = readTarGz(ItEnvironment.distTarball());
        assertEquals(expected, new TreeSet<>(entries.keySet()), "entries of " + ItEnvironment.distTarball());
        for (Map.Entry<String, Path> file : files.entrySet()) {
            TarEntry entry = entries.get(file.getKey());
            assertEquals('0', entry.type, file.getKey() + " is a regular file");
            assertEquals(0644, entry.mode, file.getKey() + " mode");
            assertArrayEquals(Files.readAllBytes(file.getValue()), entry.content, file.getKey() + " is " + file.getValue());
        }
        for (String dir : List.of(top, top + "systemd/")) {
            assertEquals('5', entries.get(dir).type, dir + " is a directory");
            assertEquals(0755, entries.get(dir).mode, dir + " mode");
        }
        assertTrue(new String(entries.get(top + "LICENSE").content, StandardCharsets.US_ASCII)
                .contains("Apache License\n                           Version 2.0, January 2004"), "LICENSE is Apache 2.0");
    }

    /** The example unit must stop after graceful's drain, not cut it off, and let new JVMs notify. */
    @Test
    void systemdExampleFitsGracefulsDefaults() throws IOException {
        Path dist = ItEnvironment.sourceRoot().resolve("src-assembly/src/main/dist/systemd");
        Map<String, String> service = unitSettings(dist.resolve("graceful-app.service"));
        assertEquals("notify", service.get("Type"));
        assertEquals("all", service.get("NotifyAccess"), "the new JVM, not the main process, sends MAINPID=");
        assertEquals("/usr/bin/java -javaagent:/opt/graceful/graceful.jar -jar /opt/app/app.jar", service.get("ExecStart"));
        assertEquals("/bin/kill -HUP $MAINPID", service.get("ExecReload"));
        assertEquals("mixed", service.get("KillMode"));
        assertTrue(List.of(service.get("SuccessExitStatus").split("\\s+")).contains("143"), "143 is a graceful stop");
        Matcher stop = Pattern.compile("(\\d+)s").matcher(service.get("TimeoutStopSec"));
        assertTrue(stop.matches(), "TimeoutStopSec in seconds: " + service.get("TimeoutStopSec"));
        assertTrue(Integer.parseInt(stop.group(1)) > 30, "TimeoutStopSec beyond drainTimeout's default 30s");
        assertEquals("on-failure", service.get("Restart"));
        Map<String, String> socket = unitSettings(dist.resolve("graceful-app.socket"));
        assertEquals("8080", socket.get("ListenStream"));
    }

    /** The names in the first column of README's Settings table. */
    private static List<String> readmeSettings() throws IOException {
        String readme = Files.readString(ItEnvironment.sourceRoot().resolve("README.md"));
        int table = readme.indexOf("| name | meaning | default | example |");
        assertTrue(table >= 0, "README has a Settings table");
        int end = readme.indexOf("\n\n", table);
        String rows = readme.substring(table, end < 0 ? readme.length() : end);
        List<String> names = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| `([A-Za-z]+)` \\|").matcher(rows);
        while (row.find()) {
            names.add(row.group(1));
        }
        assertTrue(names.size() >= 5, "settings read from README's table: " + names);
        return names;
    }

    /** {@code Key=value} lines of a unit file, comments and sections left out. */
    private static Map<String, String> unitSettings(Path unit) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(unit)) {
            String trimmed = line.strip();
            int eq = trimmed.indexOf('=');
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("[") || eq < 0) {
                continue;
            }
            assertNull(settings.put(trimmed.substring(0, eq), trimmed.substring(eq + 1)), "set once: " + line);
        }
        return settings;
    }

    private record TarEntry(char type, int mode, byte[] content) {
    }

    /** A ustar reader: enough for the tarball Ant writes (short names, no PAX headers). */
    private static Map<String, TarEntry> readTarGz(Path tarball) throws IOException {
        Map<String, TarEntry> entries = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tarball))) {
            byte[] header = new byte[512];
            while (true) {
                readFully(in, header);
                if (allZero(header)) {
                    break;
                }
                assertEquals("ustar", ascii(header, 257, 5), "ustar header");
                String prefix = ascii(header, 345, 155);
                String name = (prefix.isEmpty() ? "" : prefix + "/") + ascii(header, 0, 100);
                char type = (char) header[156];
                assertTrue(type == '0' || type == '5', "entry " + name + " of type '" + type + "' (a file or directory only)");
                int mode = Integer.parseInt(ascii(header, 100, 8).strip(), 8) & 07777;
                long size = Long.parseLong(ascii(header, 124, 12).strip(), 8);
                byte[] content = new byte[Math.toIntExact(size)];
                readFully(in, content);
                in.skipNBytes((512 - size % 512) % 512);
                assertNull(entries.put(name, new TarEntry(type, mode, content)), "entry " + name + " twice");
            }
        }
        return entries;
    }

    private static void readFully(InputStream in, byte[] buffer) throws IOException {
        int n = in.readNBytes(buffer, 0, buffer.length);
        if (n != buffer.length) {
            throw new EOFException("tarball ends inside an entry");
        }
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** A NUL-terminated (or full) ASCII field. */
    private static String ascii(byte[] block, int offset, int length) {
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        for (int i = offset; i < offset + length && block[i] != 0; i++) {
            field.write(block[i]);
        }
        return field.toString(StandardCharsets.US_ASCII);
    }
}

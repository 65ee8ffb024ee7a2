package graceful.itapps.bundled;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.tinylog.provider.ProviderRegistry;

/**
 * What {@code GET /libs} answers, one {@code key=value} per line: for each library the app
 * bundles, the version and jar of the class it loaded and which class loader loaded it; what a
 * few service and native-library resources resolve to from the app's class loader; and which of
 * graceful's agent classes the app's class loader can see (none, if graceful is isolated).
 */
final class Libraries {

    /** A library, by one class of it the app uses, and the Maven coordinates its jar names. */
    private record Library(String name, String className, String group) {
    }

    private static final List<Library> LIBRARIES = List.of(
            new Library("byte-buddy", "net.bytebuddy.ByteBuddy", "net.bytebuddy"),
            new Library("byte-buddy-agent", "net.bytebuddy.agent.ByteBuddyAgent", "net.bytebuddy"),
            new Library("jnr-posix", "jnr.posix.POSIX", "com.github.jnr"),
            new Library("jnr-ffi", "jnr.ffi.Runtime", "com.github.jnr"),
            new Library("jffi", "com.kenai.jffi.Foreign", "com.github.jnr"),
            new Library("asm", "org.objectweb.asm.ClassVisitor", "org.ow2.asm"),
            new Library("tinylog-api", "org.tinylog.Logger", "org.tinylog"),
            new Library("tinylog-impl", "org.tinylog.core.TinylogLoggingProvider", "org.tinylog"));

    /** graceful's own classes, which live in its isolated class loader: the app must see none. */
    static final List<String> GRACEFUL_AGENT_CLASSES = List.of(
            "graceful.agent.Agent", "graceful.agent.log.Log", "graceful.agent.posix.Posix");

    /** Resources both sides ship: from the app's loader, each must resolve to the app's jars only. */
    private static final Map<String, String> RESOURCES = Map.of(
            "tinylog-provider-service", "META-INF/services/org.tinylog.provider.LoggingProvider",
            "tinylog-writer-service", "META-INF/services/org.tinylog.writers.Writer",
            "jffi-native", "jni/x86_64-Linux/libjffi-1.2.so");

    private Libraries() {
    }

    static String report(long nativePid, String generated, String agentReport) throws ReflectiveOperationException {
        ClassLoader app = Libraries.class.getClassLoader();
        Map<String, String> lines = new LinkedHashMap<>();
        for (Library library : LIBRARIES) {
            Class<?> type = Class.forName(library.className(), false, app);
            lines.put("lib." + library.name() + ".version", version(type));
            lines.put("lib." + library.name() + ".jar", String.valueOf(jar(type)));
            lines.put("lib." + library.name() + ".loader", loaderName(type.getClassLoader()));
        }
        Class<?> provider = ProviderRegistry.getLoggingProvider().getClass();
        lines.put("tinylog.provider", provider.getName() + " from " + jar(provider));
        lines.put("jnr.getpid", String.valueOf(nativePid));
        lines.put("bytebuddy.generated", generated);
        lines.put("bytebuddy.agent", agentReport);
        for (Map.Entry<String, String> resource : new TreeMap<>(RESOURCES).entrySet()) {
            List<String> urls = new ArrayList<>();
            try {
                for (URL url : Collections.list(app.getResources(resource.getValue()))) {
                    urls.add(url.toString());
                }
            } catch (IOException e) {
                urls.add("unreadable: " + e);
            }
            lines.put("resource." + resource.getKey(), String.join(" ", urls));
        }
        List<String> visible = new ArrayList<>();
        for (String name : GRACEFUL_AGENT_CLASSES) {
            try {
                Class<?> found = Class.forName(name, false, app);
                visible.add(name + " (" + loaderName(found.getClassLoader()) + ")");
            } catch (ClassNotFoundException | LinkageError invisible) {
                // what isolation means
            }
        }
        lines.put("graceful.visible", visible.isEmpty() ? "none" : String.join(", ", visible));
        lines.put("jffi.mapped", mappedJffi());
        StringBuilder text = new StringBuilder();
        lines.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    /**
     * The version of the library {@code type} was loaded from, read from that very jar: its Maven
     * pom.properties, else its OSGi Bundle-Version.
     */
    static String version(Class<?> type) {
        Path jar = jar(type);
        if (jar == null) {
            return "unknown (no jar)";
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(file.entries())) {
                if (entry.getName().startsWith("META-INF/maven/") && entry.getName().endsWith("/pom.properties")) {
                    Properties pom = new Properties();
                    try (InputStream in = file.getInputStream(entry)) {
                        pom.load(in);
                    }
                    return pom.getProperty("version");
                }
            }
            String bundleVersion = file.getManifest() == null ? null
                    : file.getManifest().getMainAttributes().getValue("Bundle-Version");
            return bundleVersion != null ? bundleVersion : "unknown (" + jar.getFileName() + ")";
        } catch (IOException e) {
            return "unreadable (" + e + ")";
        }
    }

    /** The jar {@code type} was loaded from, from its protection domain's code source; null if none. */
    static Path jar(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String loaderName(ClassLoader loader) {
        if (loader == null) {
            return "boot";
        }
        if (loader == ClassLoader.getSystemClassLoader()) {
            return "app";
        }
        return loader.getClass().getName() + (loader.getName() == null ? "" : " " + loader.getName());
    }

    /**
     * The libjffi copies mapped into this JVM now (jffi extracts its native library to a temp file,
     * loads it and deletes the file), each as {@code sha256:<hex>}, read back through
     * {@code /proc/self/map_files}; {@code none} if there are none. graceful's, if it has loaded
     * jnr in this JVM, is one of them.
     */
    static String mappedJffi() {
        Map<String, String> byInode = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1)) {
                String[] fields = line.trim().split("\\s+", 6);
                if (fields.length < 6 || !fields[2].matches("0+")) {
                    continue;
                }
                String file = Path.of(fields[5].replace(" (deleted)", "")).getFileName().toString();
                if (!file.matches("(lib)?jffi.*\\.so")) {
                    continue;
                }
                byInode.putIfAbsent(fields[3] + ":" + fields[4], sha256(Path.of("/proc/self/map_files", fields[0])));
            }
        } catch (IOException e) {
            return "unreadable: " + e;
        }
        return byInode.isEmpty() ? "none" : String.join(" ", byInode.values());
    }

    private static String sha256(Path file) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unreadable(" + file + ": " + e + ")";
        }
    }
}

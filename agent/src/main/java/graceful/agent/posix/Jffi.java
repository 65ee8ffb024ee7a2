package graceful.agent.posix;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * graceful's own jffi (under jnr), set up before its first use, whoever uses it first: without
 * sun.misc.Unsafe, with graceful's own native library, and without jnr's stray log line.
 */
final class Jffi {
    /**
     * jnr-ffi tries to load a helper class through a URL it builds from the class file's URL;
     * from graceful's isolated loader that fails harmlessly, but it says so on stderr through
     * java.util.logging. Held here so the logger (and its level) is not garbage-collected.
     */
    private static final java.util.logging.Logger JNR_FINALIZER_LOG =
            java.util.logging.Logger.getLogger("jnr.ffi.util.ref.FinalizableReferenceQueue");

    /**
     * jffi uses sun.misc.Unsafe for memory access unless told not to, and JDK 24+ warns about that
     * (JEP 498). The switch is a system property read once, when jffi's MemoryIO is first used:
     * set it just for graceful's jffi, then put back what was there, so an app's own jffi (in its
     * own class loader) is not affected.
     */
    private static void useJffiWithoutUnsafe() {
        Path ownNative = extractOwnNativeLibrary();
        Map<String, String> before = new HashMap<>();
        setForGracefulsJffi(before, "jffi.unsafe.disabled", "true");
        if (ownNative != null) {
            setForGracefulsJffi(before, "jffi.boot.library.path", ownNative.getParent().toString());
        }
        try {
            com.kenai.jffi.MemoryIO.getInstance();
        } catch (RuntimeException | LinkageError e) {
            // jnr reports its own failure at first use
        } finally {
            restore(before);
            if (ownNative != null) {
                try {
                    Files.deleteIfExists(ownNative); // loaded: the mapping outlives the file
                    Files.deleteIfExists(ownNative.getParent());
                } catch (IOException ignored) {
                    // a file left in the temporary directory
                }
            }
        }
    }

    private static void restore(Map<String, String> before) {
        before.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }

    private static void setForGracefulsJffi(Map<String, String> before, String name, String value) {
        before.put(name, System.getProperty(name));
        System.setProperty(name, value);
    }

    /**
     * jffi looks for its native library (jni/<arch>-Linux/libjffi-1.2.so) in the system class
     * loader first: with an app that has jffi of its own, graceful's jffi would load the app's
     * native library, of another version. So graceful's own copy is put in a directory of its
     * own, which jffi's boot library path then names. Null (jffi's own search) if that fails.
     */
    private static Path extractOwnNativeLibrary() {
        String arch = System.getProperty("os.arch", "");
        String dir = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64-Linux" : arch.equals("aarch64") ? "aarch64-Linux" : null;
        if (dir == null) {
            return null;
        }
        try (InputStream in = Posix.class.getClassLoader().getResourceAsStream("jni/" + dir + "/libjffi-1.2.so")) {
            if (in == null) {
                return null;
            }
            Path library = Files.createTempDirectory("graceful-jffi").resolve("libjffi-1.2.so");
            Files.copy(in, library);
            return library;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Jffi() {}

    /**
     * graceful's one binding of libc. jnr-ffi's reflection loader, not its default ASM one, which
     * generates a class for the interface: 45 ms + 45 ms at the first call against 175-215 ms
     * (measured, JDK 17), and graceful makes a dozen calls per restart. The switch is read once,
     * when jnr-ffi's NativeLibraryLoader initialises, so it is set for graceful's only.
     */
    static synchronized LibC libc() {
        if (libc == null) {
            prepare();
            Map<String, String> before = new HashMap<>();
            setForGracefulsJffi(before, "jnr.ffi.asm.enabled", "false");
            try {
                libc = jnr.ffi.LibraryLoader.create(LibC.class).load("c");
            } finally {
                restore(before);
            }
        }
        return libc;
    }

    private static LibC libc;

    /** Idempotent; called before any jnr or jffi class of graceful's is used. */
    static synchronized void prepare() {
        if (!prepared) {
            prepared = true;
            JNR_FINALIZER_LOG.setLevel(java.util.logging.Level.OFF);
            useJffiWithoutUnsafe();
        }
    }

    private static boolean prepared;
}

package graceful.agent.posix;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * graceful's own jffi, set up before its first use, whoever uses it first: without
 * sun.misc.Unsafe, and with graceful's own native library.
 */
final class Jffi {
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
            // jffi reports its own failure at first use
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
        String platform = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64-Linux"
                : arch.equals("aarch64") ? "aarch64-Linux" : null;
        if (platform == null) {
            return null;
        }
        try (InputStream in = Posix.class.getClassLoader().getResourceAsStream("jni/" + platform + "/libjffi-1.2.so")) {
            if (in == null) {
                return null;
            }
            Path dir = privateDirectory();
            Path library = dir.resolve("libjffi-1.2.so");
            // Deleted once loaded (below); these cover a JVM that exits while jffi still loads
            // (a TERM right after a HUP), which left both behind. The file, registered last, goes first.
            deleteOnExit(dir);
            deleteOnExit(library);
            Files.copy(in, library);
            return library;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void deleteOnExit(Path path) {
        try {
            path.toFile().deleteOnExit();
        } catch (IllegalStateException shutdownUnderWay) {
            // the JVM is exiting already; the finally in useJffiWithoutUnsafe may still delete it
        }
    }

    /**
     * A new directory only this user can enter: named after the pid and clock (createTempDirectory
     * would seed a SecureRandom first, 20-60 ms of the restart); that if the name is taken.
     */
    private static Path privateDirectory() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"),
                "graceful-jffi-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException taken) {
            return Files.createTempDirectory("graceful-jffi");
        }
    }

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private Jffi() {}

    /**
     * graceful's one binding of libc, made at its first use: after {@link #prepare()}, since
     * LibC's own initialisers already touch jffi (and so would load a native library).
     */
    static synchronized LibC libc() {
        if (libc == null) {
            prepare();
            libc = new LibC();
        }
        return libc;
    }

    private static LibC libc;

    /** Idempotent; called before any jffi class of graceful's is used. */
    static synchronized void prepare() {
        if (!prepared) {
            prepared = true;
            useJffiWithoutUnsafe();
        }
    }

    private static boolean prepared;
}

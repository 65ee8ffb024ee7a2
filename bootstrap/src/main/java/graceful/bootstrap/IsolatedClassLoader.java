package graceful.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.instrument.Instrumentation;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Loads graceful's internals (the agent, jffi, tinylog) from {@code inst/} in
 * graceful.jar, where classes are stored as {@code .classdata}. Its parent is the platform class
 * loader, so the app's own copies of the same libraries and graceful's never meet, and nothing
 * needs relocating (jffi could not be: its JNI symbol names encode its package).
 *
 * <p>jffi goes to the named module {@value NativeModule#NAME}, which this loader maps to
 * itself just before it defines their first class (see {@link NativeModule}); everything else to
 * this loader's unnamed module.
 */
public final class IsolatedClassLoader extends ClassLoader {
    static final String PREFIX = "inst/";

    static {
        registerAsParallelCapable();
    }

    private final JarFile jar;
    private final String jarUrl;
    private final ProtectionDomain domain;
    private final URI location;
    private final NativeModule nativeModule;

    /** {@code instrumentation} opens java.base to graceful where the native module needs it. */
    public IsolatedClassLoader(Path jarPath, ClassLoader parent, Instrumentation instrumentation) throws IOException {
        super("graceful", parent);
        this.jar = new JarFile(jarPath.toFile(), false);
        this.location = jarPath.toUri();
        URL url = location.toURL();
        this.jarUrl = url.toExternalForm();
        this.domain = new ProtectionDomain(new CodeSource(url, (Certificate[]) null), null, this, null);
        this.nativeModule = new NativeModule(this, instrumentation);
    }

    JarFile jar() {
        return jar;
    }

    URI location() {
        return location;
    }

    /** The jar entry that holds a class file or resource of the given name. */
    static String entryName(String resource) {
        if (resource.endsWith(".class")) {
            return PREFIX + resource.substring(0, resource.length() - ".class".length()) + ".classdata";
        }
        return PREFIX + resource;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        ZipEntry entry = jar.getEntry(entryName(name.replace('.', '/') + ".class"));
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = jar.getInputStream(entry)) {
            bytes = read(in, entry.getSize());
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        int dot = name.lastIndexOf('.');
        String packageName = dot > 0 ? name.substring(0, dot) : "";
        if (NativeModule.covers(packageName)) {
            nativeModule.ensureDefined();
        }
        // A package of the named module gets its Package (which names the module) from the JDK.
        if (dot > 0 && !nativeModule.packages().contains(packageName) && getDefinedPackage(packageName) == null) {
            try {
                definePackage(packageName, null, null, null, null, null, null, null);
            } catch (IllegalArgumentException definedConcurrently) {
                // another thread won the race; the package exists, which is all we need
            }
        }
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    /**
     * The entry's bytes in one array of the size the jar states. readAllBytes reads through 8 KiB
     * buffers and copies the result: about twice each class's size in garbage, for each of the
     * ~75 classes graceful loads before the app serves (0.75 MiB in all), in young-generation
     * pages that stay resident.
     */
    static byte[] read(InputStream in, long size) throws IOException {
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            return in.readAllBytes();
        }
        byte[] bytes = new byte[(int) size];
        int read = in.readNBytes(bytes, 0, bytes.length);
        if (read != bytes.length || in.read() != -1) {
            throw new IOException("entry size " + size + " but read " + (read == bytes.length ? "more" : read));
        }
        return bytes;
    }

    /** Class.forName(Module, String) for a class of the named module comes here. */
    @Override
    protected Class<?> findClass(String moduleName, String name) {
        if (moduleName == null || moduleName.equals(NativeModule.NAME)) {
            try {
                return findClass(name);
            } catch (ClassNotFoundException notHere) {
                return null;
            }
        }
        return null;
    }

    /** Class.getResource and Module.getResourceAsStream, for a class of the named module, come here. */
    @Override
    protected URL findResource(String moduleName, String name) {
        return moduleName == null || moduleName.equals(NativeModule.NAME) ? findResource(name) : null;
    }

    @Override
    protected URL findResource(String name) {
        String entry = entryName(name);
        if (jar.getEntry(entry) == null) {
            return null;
        }
        try {
            return new URL("jar:" + jarUrl + "!/" + entry);
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * graceful's own resources straight from the jar it already holds open: through a jar: URL
     * the JDK sets up its URL connection machinery first, 5-7 ms of every start. Names the
     * platform loader (the parent) has are still its, but for the class files graceful defines
     * in java.base itself (sun/nio/ch/Graceful*), which no JDK has: asking the parent for one of
     * those cost ~1.5 ms of every start (its module reader's first lookup).
     */
    @Override
    public InputStream getResourceAsStream(String name) {
        ZipEntry entry = jar.getEntry(entryName(name));
        if (entry == null || !definedInJavaBaseByGraceful(name) && getParent().getResource(name) != null) {
            return super.getResourceAsStream(name);
        }
        try {
            return jar.getInputStream(entry);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean definedInJavaBaseByGraceful(String name) {
        return name.startsWith("sun/nio/ch/Graceful") && name.endsWith(".class");
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }
}

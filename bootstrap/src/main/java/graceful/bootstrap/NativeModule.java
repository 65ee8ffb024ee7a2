package graceful.bootstrap;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;

/**
 * Module {@value #NAME}: graceful's copy of jffi, the library that calls native code,
 * as one named module mapped to {@link IsolatedClassLoader}, with native access on JDK 22 and later.
 *
 * <p>Why: jffi loads its native library with {@code System.load}, a restricted method on JDK 22 and
 * later, and the JDK warns on stderr about a caller in a module without native access. All
 * unnamed modules share one native-access switch, the app's class path included: in graceful's
 * unnamed module, jffi could only be spared the warning by granting native access to the app as
 * well. A named module has a switch of its own, and {@code ModuleLayer.Controller.enableNativeAccess}
 * sets it; that method is restricted too, so a class graceful defines inside java.base (which has
 * native access) calls it: {@code sun.nio.ch.GracefulNativeAccess}, defined by
 * {@link graceful.bootstrap.isolated.NativeAccess}.
 *
 * <p>When: the module is defined as the loader is asked for the first class in one of its packages,
 * which is at the first restart (under nohup: at startup). Defining a module layer costs some tens
 * of milliseconds (the JDK's resolver and module code run for the first time), which a JVM that is
 * never restarted should not pay at startup. Everything else graceful has (the agent, tinylog)
 * stays in the loader's unnamed module; the module reads it.
 *
 * <p>The descriptor, built in code: the packages of {@code com.kenai} and under it in
 * {@code inst/} (jffi);
 * {@code requires} each module of the boot layer defined to the boot or platform class loader,
 * the only modules whose classes graceful's loader sees (its parent is the platform loader), never
 * one of the app's; {@code open}: as in an unnamed module, every package is exported and open (graceful's agent, in the loader's unnamed module, calls into it). No {@code uses} or
 * {@code provides}: jffi has no {@code META-INF/services} and do not use ServiceLoader.
 */
final class NativeModule {
    static final String NAME = "graceful.jffi";
    /** jffi: com.kenai.jffi. */
    private static final String[] ROOTS = {"com.kenai"};
    private static final String CLASS_SUFFIX = ".classdata";
    private static final String NATIVE_ACCESS = "graceful.bootstrap.isolated.NativeAccess";

    private final IsolatedClassLoader loader;
    private final Instrumentation instrumentation;
    private volatile Set<String> packages;
    private boolean attempted;

    NativeModule(IsolatedClassLoader loader, Instrumentation instrumentation) {
        this.loader = loader;
        this.instrumentation = instrumentation;
    }

    /** Whether a class of this package belongs in the module: com.kenai or a package under it. */
    static boolean covers(String packageName) {
        for (String root : ROOTS) {
            if (packageName.startsWith(root)
                    && (packageName.length() == root.length() || packageName.charAt(root.length()) == '.')) {
                return true;
            }
        }
        return false;
    }

    /** The module's packages once it is defined; empty before, or if it could not be. */
    Set<String> packages() {
        Set<String> defined = packages;
        return defined == null ? Set.of() : defined;
    }

    /**
     * Defines the module, once, before the loader defines its first class in one of its packages.
     * If that fails, one line on stderr, and these classes go to the unnamed module as they did
     * before graceful had this module (on JDK 22 and later, the JDK then warns at jffi's first
     * native call).
     */
    synchronized void ensureDefined() {
        if (attempted) {
            return;
        }
        attempted = true;
        ModuleLayer.Controller layer;
        try {
            layer = define();
        } catch (IOException | RuntimeException | LinkageError e) {
            System.err.println("graceful: module " + NAME + " could not be defined, jffi runs in an unnamed module: "
                    + e);
            return;
        }
        grantNativeAccess(layer);
    }

    private ModuleLayer.Controller define() throws IOException {
        Set<String> found = new HashSet<>();
        for (Enumeration<JarEntry> entries = loader.jar().entries(); entries.hasMoreElements(); ) {
            String name = entries.nextElement().getName();
            if (name.startsWith(IsolatedClassLoader.PREFIX) && name.endsWith(CLASS_SUFFIX)) {
                String packageName = name.substring(IsolatedClassLoader.PREFIX.length(), Math.max(
                        IsolatedClassLoader.PREFIX.length(), name.lastIndexOf('/'))).replace('/', '.');
                if (covers(packageName)) {
                    found.add(packageName);
                }
            }
        }
        if (found.isEmpty()) {
            throw new IOException("no class of jffi in " + loader.location());
        }
        ModuleDescriptor.Builder builder = ModuleDescriptor.newOpenModule(NAME).packages(found);
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (Module module : ModuleLayer.boot().modules()) {
            ClassLoader moduleLoader = module.getClassLoader();
            if ((moduleLoader == null || moduleLoader == platform) && !module.getName().equals("java.base")) {
                builder.requires(module.getName());
            }
        }
        ModuleDescriptor descriptor = builder.build();
        Finder finder = new Finder(new Reference(descriptor, loader.location()));
        ModuleLayer boot = ModuleLayer.boot();
        Configuration configuration = boot.configuration().resolve(finder, ModuleFinder.of(), Set.of(NAME));
        ModuleLayer.Controller layer = ModuleLayer.defineModules(configuration, List.of(boot), name -> loader);
        packages = Set.copyOf(found);
        // As if jffi were still in the unnamed module: it reads what else graceful's loader defines.
        layer.addReads(layer.layer().findModule(NAME).orElseThrow(), loader.getUnnamedModule());
        return layer;
    }

    // Named classes, each passed as its own type, so that verifying NativeModule at premain does
    // not load them (an anonymous subclass of ModuleReference passed as one had to be loaded to
    // check it is one): they are needed at the first restart only.

    /** The module's reference: its descriptor and graceful.jar. */
    private static final class Reference extends ModuleReference {
        Reference(ModuleDescriptor descriptor, java.net.URI location) {
            super(descriptor, location);
        }

        @Override
        public ModuleReader open() {
            // Read by the JDK's own layer class loaders only; graceful's loader reads the jar itself.
            throw new UnsupportedOperationException(NAME + " is read by graceful's class loader");
        }
    }

    /** Finds the module, and nothing else. */
    private static final class Finder implements ModuleFinder {
        private final Reference reference;

        Finder(Reference reference) {
            this.reference = reference;
        }

        @Override
        public Optional<ModuleReference> find(String name) {
            return NAME.equals(name) ? Optional.of(reference) : Optional.empty();
        }

        @Override
        public Set<ModuleReference> findAll() {
            return Set.of(reference);
        }
    }

    /**
     * JDK 22 and later: {@code layer.enableNativeAccess(module)}, called from inside java.base
     * (see the class comment). Nothing to do before JDK 22. A failure is silent: the JDK then warns
     * at jffi's first native call, naming module {@value #NAME}.
     */
    private void grantNativeAccess(ModuleLayer.Controller layer) {
        if (Runtime.version().feature() < 22) {
            return;
        }
        try {
            instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                    Map.of("sun.nio.ch", Set.of(loader.getUnnamedModule())), Set.of(), Map.of());
            Class.forName(NATIVE_ACCESS, true, loader)
                    .getMethod("enable", ModuleLayer.Controller.class, Module.class)
                    .invoke(null, layer, layer.layer().findModule(NAME).orElseThrow());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // see above
        }
    }
}

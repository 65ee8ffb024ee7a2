package graceful.bootstrap.isolated;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;

/**
 * Grants module {@code graceful.jffi} native access on JDK 22 and later (see
 * {@code graceful.bootstrap.NativeModule}). graceful.jar holds this class under {@code inst/}, so
 * {@code IsolatedClassLoader} defines it, in its unnamed module, to which java.base opens
 * {@code sun.nio.ch} by then: a lookup of this class's own can define
 * {@code sun.nio.ch.GracefulNativeAccess} inside java.base.
 */
public final class NativeAccess {
    static final String IN_JAVA_BASE = "sun.nio.ch.GracefulNativeAccess";

    private NativeAccess() {}

    public static void enable(ModuleLayer.Controller layer, Module module) throws ReflectiveOperationException,
            IOException {
        Class<?> inJavaBase;
        try {
            inJavaBase = Class.forName(IN_JAVA_BASE, false, null);
        } catch (ClassNotFoundException notYet) {
            byte[] bytes;
            try (InputStream in = NativeAccess.class.getClassLoader()
                    .getResourceAsStream(IN_JAVA_BASE.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new IOException(IN_JAVA_BASE + " missing from graceful.jar");
                }
                bytes = in.readAllBytes();
            }
            Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
            inJavaBase = MethodHandles.privateLookupIn(net, MethodHandles.lookup()).defineClass(bytes);
        }
        inJavaBase.getMethod("enableNativeAccess", ModuleLayer.Controller.class, Module.class)
                .invoke(null, layer, module);
    }
}

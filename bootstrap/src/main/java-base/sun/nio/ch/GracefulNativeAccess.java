package sun.nio.ch;

/**
 * Grants native access to graceful's own module on JDK 22 and later, without a warning.
 *
 * <p>{@code ModuleLayer.Controller.enableNativeAccess(Module)} is itself a restricted method: it
 * works without a warning only for a caller in a module that has native access, and java.base has.
 * graceful defines this class at startup inside java.base, in this package, through a private
 * lookup on {@code sun.nio.ch.Net} (as it defines {@link GracefulBridge}); called through
 * reflection, since JDK 17, which this is compiled against, has no such method.
 *
 * <p>Rules: JDK types only, no state; nothing calls it but graceful's bootstrap.
 */
public final class GracefulNativeAccess {
    private GracefulNativeAccess() {}

    /** {@code layer.enableNativeAccess(module)}, with this class as the caller. */
    public static void enableNativeAccess(ModuleLayer.Controller layer, Module module)
            throws ReflectiveOperationException {
        ModuleLayer.Controller.class.getMethod("enableNativeAccess", Module.class).invoke(layer, module);
    }
}

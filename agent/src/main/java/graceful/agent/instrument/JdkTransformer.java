package graceful.agent.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Looks at class names only, and patches the few boot-loader classes {@link EntryHooks} lists,
 * as each one loads (most are loaded only when the app first binds, or never).
 */
final class JdkTransformer implements ClassFileTransformer {
    /** Classes whose patch failed, with the reason. */
    final Map<String, String> failures = new ConcurrentHashMap<>();
    /** Classes patched, by internal name. */
    final Map<String, Boolean> patched = new ConcurrentHashMap<>();
    /** Told of a patch that failed: (class, reason); null: nobody yet (no lambda: see Bridge.Hook). */
    private volatile BiConsumer<String, String> onFailure;

    void onFailure(BiConsumer<String, String> listener) {
        onFailure = listener;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefining,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader != null || className == null || !EntryHooks.isListedInternalName(className)) {
            return null;
        }
        try {
            byte[] result = EntryHooks.patch(className, bytes);
            patched.put(className, Boolean.TRUE);
            return result;
        } catch (Throwable failure) {
            failures.put(className, String.valueOf(failure));
            BiConsumer<String, String> listener = onFailure;
            if (listener != null) {
                listener.accept(className, String.valueOf(failure));
            }
            return null;
        }
    }
}

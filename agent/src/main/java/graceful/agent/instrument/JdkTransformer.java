package graceful.agent.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Looks at class names only, and patches the few boot-loader classes {@link EntryHooks} lists. */
final class JdkTransformer implements ClassFileTransformer {
    /** Classes whose patch failed, with the reason. */
    final Map<String, String> failures = new ConcurrentHashMap<>();
    /** Classes patched, by internal name. */
    final Map<String, Boolean> patched = new ConcurrentHashMap<>();

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefining,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader != null || className == null || !EntryHooks.HOOKS.containsKey(className)) {
            return null;
        }
        try {
            byte[] result = EntryHooks.patch(className, bytes);
            patched.put(className, Boolean.TRUE);
            return result;
        } catch (Throwable failure) {
            failures.put(className, String.valueOf(failure));
            return null;
        }
    }
}

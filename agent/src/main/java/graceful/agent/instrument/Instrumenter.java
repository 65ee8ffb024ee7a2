package graceful.agent.instrument;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Installs graceful into the JDK: the bridge, the transformer, and a check that every patched
 * class really was patched. Either all of it takes, or it is undone and {@link #install} throws.
 */
public final class Instrumenter {
    private Instrumenter() {}

    /** Returns the switch of the write hook, which starts unset. */
    public static WriteWatch install(Instrumentation instrumentation, SocketEvents events) throws Exception {
        Class<?> bridge = Bridge.define();
        JdkTransformer transformer = new JdkTransformer();
        instrumentation.addTransformer(transformer, true);
        List<Class<?>> targets = new ArrayList<>();
        try {
            List<Class<?>> alreadyLoaded = new ArrayList<>();
            Set<String> loadedNow = bootClassNames(instrumentation);
            for (String internal : EntryHooks.HOOKS.keySet()) {
                String name = internal.replace('/', '.');
                boolean loaded = loadedNow.contains(name);
                // Loading (not initialising) each target now runs the transformer at once, so a
                // failure shows here rather than half-way through the app's life.
                Class<?> target = Class.forName(name, false, null);
                targets.add(target);
                if (loaded) {
                    alreadyLoaded.add(target);
                }
            }
            if (!alreadyLoaded.isEmpty()) {
                instrumentation.retransformClasses(alreadyLoaded.toArray(new Class<?>[0]));
            }
            if (!transformer.failures.isEmpty() || transformer.patched.size() != EntryHooks.HOOKS.size()) {
                throw new IllegalStateException("could not patch the JDK: " + transformer.failures
                        + (transformer.failures.isEmpty() ? " (patched only " + transformer.patched.keySet() + ")" : ""));
            }
            Bridge.connect(bridge, events);
            return new WriteWatch(bridge);
        } catch (Exception | Error failed) {
            Bridge.disconnect(bridge);
            instrumentation.removeTransformer(transformer);
            try {
                instrumentation.retransformClasses(targets.toArray(new Class<?>[0]));
            } catch (Exception | Error ignored) {
                // the hooks are disconnected: whatever stayed patched now calls into nothing
            }
            throw failed;
        }
    }

    private static Set<String> bootClassNames(Instrumentation instrumentation) {
        Set<String> names = new HashSet<>();
        for (Class<?> c : instrumentation.getAllLoadedClasses()) {
            if (c.getClassLoader() == null) {
                names.add(c.getName());
            }
        }
        return names;
    }
}

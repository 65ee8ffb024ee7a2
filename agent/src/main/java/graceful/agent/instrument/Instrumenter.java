package graceful.agent.instrument;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Installs graceful into the JDK in two steps: {@link #patch} defines the bridge and installs the
 * transformer, which patches each listed JDK class as it loads (patching them all up front cost
 * 40-90 ms of every start, mostly loading socket classes the app may never use); {@link
 * Patches#connect} then points the bridge at graceful. A class whose patch fails, now or when it
 * loads later, disconnects every hook: the JDK then behaves as without graceful.
 */
public final class Instrumenter {
    private Instrumenter() {}

    /** The bridge and the transformer; the hooks stay unset until {@link Patches#connect}. */
    public static Patches patch(Instrumentation instrumentation) throws Exception {
        Class<?> bridge = Bridge.define();
        JdkTransformer transformer = new JdkTransformer();
        instrumentation.addTransformer(transformer, true);
        try {
            // Listed classes loaded before graceful (by the JVM, or an agent before it) are patched now.
            List<Class<?>> alreadyLoaded = new ArrayList<>();
            for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
                if (loaded.getClassLoader() == null && EntryHooks.isListedBinaryName(loaded.getName())) {
                    alreadyLoaded.add(loaded);
                }
            }
            if (!alreadyLoaded.isEmpty()) {
                instrumentation.retransformClasses(alreadyLoaded.toArray(new Class<?>[0]));
            }
            if (!transformer.failures.isEmpty()) {
                throw new IllegalStateException("could not patch the JDK: " + transformer.failures);
            }
        } catch (Exception | Error failed) {
            instrumentation.removeTransformer(transformer);
            throw failed;
        }
        return new Patches(bridge, transformer);
    }

    /** The JDK patched, or being patched as its classes load. */
    public static final class Patches {
        private final Class<?> bridge;
        private final JdkTransformer transformer;

        private Patches(Class<?> bridge, JdkTransformer transformer) {
            this.bridge = bridge;
            this.transformer = transformer;
        }

        /**
         * Points the bridge at graceful; from now on a patch that fails (as its class loads)
         * disconnects it again and tells {@code onFailure} why. Returns the write hook's switch.
         */
        public WriteWatch connect(SocketEvents events, Consumer<String> onFailure) throws ReflectiveOperationException {
            transformer.onFailure(new Disconnect(bridge, onFailure));
            Bridge.connect(bridge, events);
            if (!transformer.failures.isEmpty()) {
                Bridge.disconnect(bridge);
                throw new IllegalStateException("could not patch the JDK: " + transformer.failures);
            }
            return new WriteWatch(bridge);
        }
    }

    /** A patch failed as its class loaded: disconnect every hook, and say why. A class, not a lambda: see Bridge.Hook. */
    private static final class Disconnect implements BiConsumer<String, String> {
        private final Class<?> bridge;
        private final Consumer<String> onFailure;

        Disconnect(Class<?> bridge, Consumer<String> onFailure) {
            this.bridge = bridge;
            this.onFailure = onFailure;
        }

        @Override
        public void accept(String name, String reason) {
            Bridge.disconnect(bridge);
            onFailure.accept("could not patch " + name.replace('/', '.') + " (" + reason + ")");
        }
    }
}

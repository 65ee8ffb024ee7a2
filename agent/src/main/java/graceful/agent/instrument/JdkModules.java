package graceful.agent.instrument;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * Opens the java.base packages graceful works in to graceful's own module (not to the app):
 * sockets (sun.nio.ch, java.net), fd numbers (java.io), the environment copy (java.lang).
 */
public final class JdkModules {
    private JdkModules() {}

    public static void openTo(Module graceful, Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        Set<Module> target = Set.of(graceful);
        instrumentation.redefineModule(javaBase, Set.of(), Map.of(),
                Map.of("sun.nio.ch", target, "java.net", target, "java.io", target, "java.lang", target),
                Set.of(), Map.of());
    }
}

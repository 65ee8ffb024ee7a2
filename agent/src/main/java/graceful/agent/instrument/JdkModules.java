package graceful.agent.instrument;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Opens the java.base packages graceful works in to graceful's own module (not to the app):
 * sockets and what a selector polls (sun.nio.ch, java.net), a listener's selection keys
 * (java.nio.channels.spi), fd numbers (java.io), the environment copy (java.lang). And
 * exports sun.nio.ch to java.management, whose patched {@code ManagementFactory} calls the bridge
 * there (see {@link EntryHooks}); that export reaches the JDK's own module only, never the app.
 */
public final class JdkModules {
    private JdkModules() {}

    public static void openTo(Module graceful, Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        Set<Module> target = Set.of(graceful);
        Optional<Module> management = ModuleLayer.boot().findModule("java.management");
        Map<String, Set<Module>> exports = management.isPresent()
                ? Map.of("sun.nio.ch", Set.of(management.get())) : Map.of();
        instrumentation.redefineModule(javaBase, Set.of(), exports,
                Map.of("sun.nio.ch", target, "java.nio.channels.spi", target, "java.net", target, "java.io", target,
                        "java.lang", target),
                Set.of(), Map.of());
    }
}

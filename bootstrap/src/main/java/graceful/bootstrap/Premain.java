package graceful.bootstrap;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;

/**
 * The {@code Premain-Class} of graceful.jar. Do as little as possible here: open the isolated
 * class loader and call {@code graceful.agent.Agent.start}. Never throw: a failure costs one line
 * on stderr and the app runs exactly as without the agent.
 */
public final class Premain {
    private static final String AGENT = "graceful.agent.Agent";

    private Premain() {}

    public static void premain(String arguments, Instrumentation instrumentation) {
        try {
            Path jar = Path.of(Premain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            ClassLoader isolated = new IsolatedClassLoader(jar, ClassLoader.getPlatformClassLoader(), instrumentation);
            Class.forName(AGENT, true, isolated)
                    .getMethod("start", String.class, Instrumentation.class)
                    .invoke(null, arguments, instrumentation);
        } catch (Throwable failure) {
            // The agent's own logging is not reachable here; stderr is all there is.
            System.err.println("graceful: restarts unavailable, the app runs without graceful: " + failure);
        }
    }
}

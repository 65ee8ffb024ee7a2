package graceful.agent.inherit;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Keeps the restart variables, and systemd's socket activation ones (graceful took those sockets),
 * from processes the app starts (ProcessBuilder, Runtime.exec).
 *
 * <p>The JDK copies its environment once at startup into java.lang.ProcessEnvironment, which
 * System.getenv and ProcessBuilder.environment() read: the variables are taken out of that copy.
 * But a ProcessBuilder whose environment() was never called hands its child the native
 * environment, which still has them; so every start first asks for environment(), which makes
 * the child get the cleaned copy. (Unsetting them natively would load jffi at every startup.)
 */
public final class RestartVariables {
    private RestartVariables() {}

    /** Requires java.lang opened to graceful. */
    public static void hideFromTheApp() throws ReflectiveOperationException {
        Class<?> environment = Class.forName("java.lang.ProcessEnvironment");
        Field field = environment.getDeclaredField("theEnvironment");
        field.setAccessible(true);
        Map<?, ?> variables = (Map<?, ?>) field.get(null);
        synchronized (variables) {
            variables.keySet().removeIf(name -> name.toString().startsWith(Handover.PREFIX)
                    || SocketActivation.isVariable(name.toString()));
        }
    }

    /** Called as a ProcessBuilder starts: makes it pass the cleaned environment explicitly. */
    public static void cleanEnvironmentFor(ProcessBuilder builder) {
        builder.environment();
    }
}

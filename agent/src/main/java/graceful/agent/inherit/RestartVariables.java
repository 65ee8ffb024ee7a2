package graceful.agent.inherit;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Removes the restart variables from this JVM's view of its environment once they are read, so
 * that processes the app starts (ProcessBuilder, Runtime.exec) do not get them. The JDK copies
 * its environment once at startup into java.lang.ProcessEnvironment, which System.getenv and
 * ProcessBuilder both read; the variables are taken out of that copy.
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
            variables.keySet().removeIf(name -> name.toString().startsWith(Handover.PREFIX));
        }
    }
}

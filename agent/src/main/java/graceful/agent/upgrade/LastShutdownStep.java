package graceful.agent.upgrade;

import graceful.agent.log.Log;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Runs something as the very last step of {@code System.exit}: after the app's shutdown hooks
 * (slot 1 of java.lang.Shutdown) and deleteOnExit (slot 2), before the JVM halts. A same-pid
 * restart execs from there, so the app's hooks run as at any other restart (flushing logs,
 * closing pools, deleting temporary files). Slots 3-9 are free on JDK 17 and 25; needs java.lang
 * opened to graceful (JdkModules).
 */
final class LastShutdownStep {
    private static final int LAST_SLOT = 9;
    private static final int FIRST_FREE_SLOT = 3;

    private LastShutdownStep() {}

    /** False (with a line) if it could not be registered: the caller then runs it itself. */
    static boolean register(Runnable step) {
        try {
            Method add = Class.forName("java.lang.Shutdown").getDeclaredMethod("add", int.class, boolean.class, Runnable.class);
            add.setAccessible(true);
            for (int slot = LAST_SLOT; slot >= FIRST_FREE_SLOT; slot--) {
                try {
                    add.invoke(null, slot, false, step);
                    return true;
                } catch (InvocationTargetException e) {
                    if (!(e.getCause() instanceof InternalError)) { // InternalError: slot taken, try the one before
                        throw e;
                    }
                }
            }
            Log.warn("no free shutdown slot for the exec; the app's shutdown hooks will not run before it");
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.warn("cannot exec after the app's shutdown hooks (" + (e instanceof InvocationTargetException ? e.getCause() : e)
                    + "); they will not run before it");
        }
        return false;
    }
}

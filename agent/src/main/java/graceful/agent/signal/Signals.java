package graceful.agent.signal;

import graceful.agent.log.Log;
import graceful.agent.posix.Posix;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The restart signal (SIGHUP unless set otherwise) becomes a restart request; SIGTERM and SIGINT, if the user wants it, a graceful stop.
 * Handlers only ask: the work happens on graceful's own threads.
 */
public final class Signals {
    private static final int SIGHUP = 1;
    private static final int SIGUSR1 = 10;

    private Signals() {}

    /**
     * Makes {@code name} (HUP or USR1, without SIG) ask for a restart.
     *
     * @return whether restarts can be triggered
     */
    public static boolean onRestartSignal(String name, Consumer<String> restart) {
        String sig = "SIG" + name;
        try {
            SignalHandler previous = Signal.handle(new Signal(name), signal -> restart.accept(sig));
            if (previous == SignalHandler.SIG_IGN) {
                // Started under nohup: the JVM leaves an ignored HUP ignored and registers nothing.
                // Restarts are what graceful is asked for, so make it deliverable and register again.
                Posix.resetToDefault(name.equals("HUP") ? SIGHUP : SIGUSR1);
                previous = Signal.handle(new Signal(name), signal -> restart.accept(sig));
                if (previous == SignalHandler.SIG_IGN) {
                    Log.warn("restarts unavailable: " + sig + " is ignored in this process and could not be reset");
                    return false;
                }
                Log.info(sig + " was ignored at start (nohup?); graceful handles it now, to restart");
            }
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException refused) {
            Log.warn("restarts unavailable: the JVM does not let graceful handle " + sig + " (" + refused.getMessage()
                    + "; running with -Xrs?). The app runs normally.");
            return false;
        } catch (RuntimeException | LinkageError nativeFailure) {
            Log.warn("restarts unavailable: " + sig + " is ignored in this process and could not be reset (" + nativeFailure + ")");
            return false;
        }
    }

    /**
     * SIGTERM and SIGINT stop gracefully with the status the JVM would have exited with (128 +
     * signal number). A signal the process ignores (a background job's INT) stays ignored.
     */
    public static void onTermAndInt(StopRequest stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal signal = new Signal(name);
            try {
                SignalHandler previous = Signal.handle(signal, s -> stop.stop("SIG" + name, 128 + s.getNumber()));
                if (previous == SignalHandler.SIG_IGN) {
                    Signal.handle(signal, SignalHandler.SIG_IGN);
                }
            } catch (IllegalArgumentException | UnsupportedOperationException refused) {
                Log.warn("SIG" + name + " keeps the JVM's own behaviour (" + refused.getMessage() + ")");
            }
        }
    }

    /** What a stop signal asks for. */
    public interface StopRequest {
        void stop(String reason, int exitStatus);
    }
}

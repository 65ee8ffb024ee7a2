package graceful.agent.signal;

import graceful.agent.log.Log;
import graceful.agent.posix.Posix;
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
     * @param ignoredByExec the signal may be ignored because the previous image of this process
     *     ignored it across a same-pid exec: leave it ignored (handling it again needs a native
     *     call, which costs the app's startup time while clients wait) and return false; call
     *     again with false once ready
     * @return whether restarts can be triggered now
     */
    public static boolean onRestartSignal(String name, RestartRequest restart, boolean ignoredByExec) {
        String sig = "SIG" + name;
        Signal signal = new Signal(name);
        SignalHandler handler = new Handler(sig, restart, null);
        try {
            // SIG_IGN back means either "was ignored, now ours" or, for HUP, "ignored, left alone" (the
            // JVM never takes an ignored HUP); asking again tells the two apart.
            if (Signal.handle(signal, handler) != SignalHandler.SIG_IGN || Signal.handle(signal, handler) != SignalHandler.SIG_IGN) {
                return true;
            }
            if (ignoredByExec) {
                Log.debug(sig + " stays ignored until this JVM is ready (same-pid restart)");
                return false;
            }
            // Started under nohup: the JVM leaves an ignored HUP ignored and registers nothing.
            // Restarts are what graceful is asked for, so make it deliverable and register again.
            if (resetAndHandle(name, handler)) {
                Log.info(sig + " was ignored at start (nohup?); graceful handles it now, to restart");
                return true;
            }
            return false;
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
     * After a same-pid restart, once the listeners are taken: the restart signal, left ignored
     * across the exec, asks for a restart again. Loads jffi (tens of ms): call it off the
     * app's threads.
     */
    public static void handleAgainAfterExec(String name, RestartRequest restart) {
        try {
            if (resetAndHandle(name, new Handler("SIG" + name, restart, null))) {
                Log.debug("SIG" + name + " asks for a restart again");
            }
        } catch (RuntimeException | LinkageError failure) {
            Log.warn("restarts unavailable: SIG" + name + " stays ignored after the same-pid restart (" + failure + ")");
        }
    }

    private static boolean resetAndHandle(String name, SignalHandler handler) {
        Posix.unignore(number(name));
        if (Signal.handle(new Signal(name), handler) == SignalHandler.SIG_IGN) {
            Log.warn("restarts unavailable: SIG" + name + " is ignored in this process and could not be reset");
            return false;
        }
        return true;
    }

    /** The number of HUP or USR1 (Linux). */
    public static int number(String name) {
        return name.equals("HUP") ? SIGHUP : SIGUSR1;
    }

    /**
     * SIGTERM and SIGINT stop gracefully with the status the JVM would have exited with (128 +
     * signal number). A signal the process ignores (a background job's INT) stays ignored.
     */
    public static void onTermAndInt(StopRequest stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal signal = new Signal(name);
            try {
                SignalHandler previous = Signal.handle(signal, new Handler("SIG" + name, null, stop));
                if (previous == SignalHandler.SIG_IGN) {
                    Signal.handle(signal, SignalHandler.SIG_IGN);
                }
            } catch (IllegalArgumentException | UnsupportedOperationException refused) {
                Log.warn("SIG" + name + " keeps the JVM's own behaviour (" + refused.getMessage() + ")");
            }
        }
    }

    /** What the restart signal asks for. */
    public interface RestartRequest {
        void restart(String reason);
    }

    /** What a stop signal asks for. */
    public interface StopRequest {
        void stop(String reason, int exitStatus);
    }

    /**
     * Passes a signal on to a restart or stop request. A class rather than lambdas: each lambda
     * costs the JVM about half a millisecond the first time (it spins a class), at every start.
     */
    private static final class Handler implements SignalHandler {
        private final String name;
        private final RestartRequest restart;
        private final StopRequest stop;

        Handler(String name, RestartRequest restart, StopRequest stop) {
            this.name = name;
            this.restart = restart;
            this.stop = stop;
        }

        @Override
        public void handle(Signal signal) {
            if (restart != null) {
                restart.restart(name);
            } else {
                stop.stop(name, 128 + signal.getNumber());
            }
        }
    }
}

package graceful.agent.signal;

import graceful.agent.log.Log;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Turns SIGHUP into an upgrade request. */
public final class HupTrigger {
    private HupTrigger() {}

    /** @return whether restarts can be triggered */
    public static boolean install(Consumer<String> onHup) {
        try {
            SignalHandler previous = Signal.handle(new Signal("HUP"), signal -> onHup.accept("SIGHUP"));
            if (previous == SignalHandler.SIG_IGN) {
                Log.warn("SIGHUP is ignored in this process (started under nohup?): kill -HUP will not restart it");
                return false;
            }
            return true;
        } catch (IllegalArgumentException refused) {
            Log.warn("restarts unavailable: the JVM does not let graceful handle SIGHUP (" + refused.getMessage()
                    + "; running with -Xrs?). The app runs normally.");
            return false;
        }
    }
}

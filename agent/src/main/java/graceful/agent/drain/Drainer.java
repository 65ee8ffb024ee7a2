package graceful.agent.drain;

import graceful.agent.instrument.WriteWatch;
import graceful.agent.log.Log;
import graceful.agent.posix.JdkSockets;
import graceful.agent.track.Listener;
import graceful.agent.track.Tracker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/** Stops accepting, waits for live connections, exits. */
public final class Drainer {
    private static final long POLL_MILLIS = 10;

    private final Tracker tracker;
    private final StopAccepting stopAccepting;
    private final Duration deadline;
    private final IntConsumer exit;
    private final JdkSockets sockets;
    /** The JDK's write hook, or null when keep-alive connections are left alone (closeKeepAlive=false). */
    private final WriteWatch writes;

    public Drainer(Tracker tracker, JdkSockets sockets, Duration deadline, WriteWatch writes, IntConsumer exit) {
        this.tracker = tracker;
        this.sockets = sockets;
        this.writes = writes;
        this.stopAccepting = new StopAccepting(tracker, sockets);
        this.deadline = deadline;
        this.exit = exit;
    }

    private static void closeQuietly(Listener listener) {
        try {
            listener.close();
        } catch (IOException | RuntimeException failed) {
            Log.warn("could not close " + listener + " either (" + failed + ")");
        }
    }

    /**
     * An app whose only non-daemon thread returns once accept fails (say, main joining a
     * virtual-thread acceptor) would end the JVM the moment its listener closes, cutting the
     * requests in flight. A non-daemon thread of graceful's holds the JVM until drain calls exit.
     */
    private static void keepJvmAliveUntilExit() {
        Thread holder = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException ignored) {
                    // only System.exit ends the drain
                }
            }
        }, "graceful-drain-hold");
        holder.setDaemon(false);
        holder.start();
    }

    /** Called while a new JVM starts: whatever the handover needs is made now, not on its critical path. */
    public void prepare() {
        try {
            stopAccepting.prepare();
        } catch (IOException | RuntimeException e) {
            Log.warn("could not prepare the quiet stop of accepting (" + e + "); listeners will be closed instead");
        }
    }

    /**
     * The fd of the listening socket graceful made for itself (see StopAccepting), or -1: it is
     * graceful's, not one of the app's that a restart would have to hand over.
     */
    public int privateSocketFd() {
        return stopAccepting.privateSocketFd();
    }

    /** Runs on graceful's upgrade thread and ends the JVM with the given status. */
    public void drain(int exitStatus) throws InterruptedException {
        drainThen("exiting", () -> exit.accept(exitStatus));
    }

    /**
     * Stops accepting, waits for the live connections (up to the deadline), then runs {@code then},
     * which ends this JVM: an exit, or a same-pid restart's exec. {@code ending} says which in the log.
     */
    public void drainThen(String ending, Runnable then) throws InterruptedException {
        keepJvmAliveUntilExit();
        long started = System.nanoTime();
        List<Listener> listeners = tracker.openListeners();
        for (Listener listener : listeners) {
            try {
                stopAccepting.stop(listener);
            } catch (IOException | RuntimeException failed) {
                Log.warn("could not stop accepting on " + listener + " (" + failed + "); closing it instead");
                closeQuietly(listener);
            }
        }
        long closed = System.nanoTime();
        stopAccepting.wakeAgain();
        List<Object> connections = tracker.openConnections();
        int atStart = connections.size();
        LastResponses lastResponses = markLastResponses(connections);
        Log.info("stopped accepting on " + listeners.size() + " listener(s) in "
                + TimeUnit.NANOSECONDS.toMicros(closed - started) + " us; waiting for " + atStart + " connection(s)");
        long end = closed + deadline.toNanos();
        int live = atStart;
        while (live > 0 && System.nanoTime() < end) {
            Thread.sleep(POLL_MILLIS);
            live = tracker.liveConnections();
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
        if (live == 0) {
            Log.info("drained " + atStart + " connection(s) in " + took + " ms" + marked(lastResponses) + "; " + ending);
        } else {
            Log.warn("drain deadline of " + deadline.toMillis() + " ms passed with " + live
                    + " connection(s) still open; " + ending + " anyway (they are closed with this JVM)" + marked(lastResponses));
        }
        then.run();
    }

    /** Hooks the JDK's writes so each connection's next HTTP/1.1 response is its last; null if off or impossible. */
    private LastResponses markLastResponses(List<Object> connections) {
        if (writes == null || connections.isEmpty()) {
            return null;
        }
        try {
            LastResponses lastResponses = new LastResponses(sockets, connections);
            writes.set(lastResponses::write);
            return lastResponses;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.warn("keep-alive connections drain as they are, without being asked to close (" + e + ")");
            return null;
        }
    }

    private static String marked(LastResponses lastResponses) {
        return lastResponses == null ? "" : " (" + lastResponses.marked() + " of them told by a last response marked Connection: close)";
    }
}

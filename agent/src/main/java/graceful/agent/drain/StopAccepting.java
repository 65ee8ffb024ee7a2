package graceful.agent.drain;

import graceful.agent.log.Log;
import graceful.agent.posix.JdkSockets;
import graceful.agent.track.Listener;
import graceful.agent.track.Tracker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes this JVM stop accepting on a listener without the app noticing more than it must.
 *
 * <p>A listener driven by a selector (JDK HttpServer, Netty, Undertow, NIO apps) first leaves
 * its selectors, then is closed through the JDK's own close path (see {@link #leaveSelectors}).
 * A listener with a platform
 * thread blocked in accept is not closed: many servers treat a closed listener under a running
 * acceptor as an error and log it forever (Tomcat: "Socket accept failed", every 1.6 s). Instead
 * its fd is made to refer to a private loopback listening socket (dup2) and the
 * acceptor is woken the way the JDK wakes it on close; it goes back to accept and waits there,
 * quietly, until the JVM exits. Either way this JVM no longer accepts from the shared socket.
 */
final class StopAccepting {
    private static final int WAKE_ROUNDS = 5;
    private static final long WAKE_INTERVAL_MILLIS = 10;
    /** How long a selector may take to retire a listener's cancelled keys before the listener is left open. */
    private static final long LEAVE_SELECTORS_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LEAVE_SELECTORS_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private final Tracker tracker;
    private final JdkSockets sockets;
    /** The socket put in place of each listener; kept referenced so it stays open until exit. */
    private ServerSocketChannel nowhere;
    /** Listeners stopped the quiet way, whose acceptors {@link #wakeAgain} wakes a few more times. */
    private final List<Object> quietlyStopped = new ArrayList<>();

    StopAccepting(Tracker tracker, JdkSockets sockets) {
        this.tracker = tracker;
        this.sockets = sockets;
    }

    void stop(Listener listener) throws IOException {
        Object owner = listener.owner();
        if (owner == null) {
            return;
        }
        if (owner instanceof SelectableChannel && ((SelectableChannel) owner).isRegistered()) {
            leaveSelectors((SelectableChannel) owner, listener);
            return;
        }
        int fd = tracker.fdOf(listener);
        if (nonBlocking(owner) || fd < 0 || !blockedByPlatformThreadOrIdle(owner)) {
            listener.close();
            return;
        }
        sockets.dup2(nowhereFd(), fd); // from here on, no accept of this JVM reaches the shared socket...
        reportPrivateAddress(owner);
        wake(owner); // ...but one already blocked in it until woken
        quietlyStopped.add(owner);
    }

    /**
     * A listener registered with a selector is closed only once no selector holds it. Closed while
     * registered, its key may already be among the selected keys the app's selector thread is
     * working through, and that thread's next accept throws ClosedChannelException. The JDK's
     * HttpServer does not recover from that: its dispatcher skips the rest of its loop, including
     * the select that retires cancelled keys, and from then on spins re-registering connections
     * whose old keys are still cancelled; every kept-alive connection hangs until the drain
     * deadline (KeepAliveIT, about 1 run in 12). So the listener's keys are cancelled first (an
     * accept already under way still works on the open channel, and a connection it takes is
     * drained like any other), its selectors are woken to retire them, and the channel is closed
     * once it is registered nowhere. A selector that does not get round to it within a second
     * (its thread busy elsewhere) leaves the listener open, never selected again, until the JVM ends.
     */
    private void leaveSelectors(SelectableChannel channel, Listener listener) throws IOException {
        for (SelectionKey key : sockets.selectionKeys(channel)) {
            key.cancel();
            key.selector().wakeup();
        }
        long end = System.nanoTime() + LEAVE_SELECTORS_NANOS;
        while (channel.isRegistered()) {
            if (System.nanoTime() - end >= 0) {
                Log.debug(listener + " is still registered with a selector a second after its keys were cancelled;"
                        + " left open, no longer selected, until this JVM ends");
                return;
            }
            LockSupport.parkNanos(LEAVE_SELECTORS_POLL_NANOS);
        }
        listener.close();
    }

    /**
     * Wakes the acceptors again, a few times: the acceptor is read after dup2 (a thread that
     * entered accept before is recorded by then; one entering after finds the private socket),
     * but the JDK writes that field without a fence.
     */
    void wakeAgain() throws InterruptedException {
        for (int round = 0; round < WAKE_ROUNDS && !quietlyStopped.isEmpty(); round++) {
            Thread.sleep(WAKE_INTERVAL_MILLIS);
            quietlyStopped.forEach(this::wake);
        }
    }

    /**
     * A server that stops its acceptor by connecting to its own listener's address (Tomcat's
     * unlockAccept, run by a shutdown hook at exit) must reach the private socket its acceptor
     * now waits on, not the shared one: that connection would go to the new JVM, and this
     * server would wait a second per try for an acceptor that never wakes. So the channel now
     * reports the private socket's address, which is where it accepts.
     */
    private void reportPrivateAddress(Object owner) {
        if (owner instanceof ServerSocketChannel) {
            try {
                sockets.reportLocalAddress(owner, nowhere.getLocalAddress());
            } catch (IOException | RuntimeException e) {
                Log.debug("the stopped listener still reports its shared address (" + e + ")");
            }
        }
    }

    private void wake(Object owner) {
        long thread = sockets.acceptThread(owner);
        if (thread > 0 && !sockets.isVirtualThread(thread)) {
            sockets.signal(thread);
        }
    }

    /**
     * A non-blocking listener that no selector holds (registered ones leave their selectors
     * above): the app polls its accept, and no thread waits in it to be woken.
     */
    private static boolean nonBlocking(Object owner) {
        return owner instanceof SelectableChannel && !((SelectableChannel) owner).isBlocking();
    }

    /** Blocking accept on a platform thread, or no accept under way: the quiet way works. */
    private boolean blockedByPlatformThreadOrIdle(Object owner) {
        long thread = sockets.acceptThread(owner);
        return thread == 0 || (thread > 0 && !sockets.isVirtualThread(thread));
    }

    /** The fd of graceful's own private listening socket, or -1 while there is none. */
    int privateSocketFd() {
        return nowhere == null ? -1 : tracker.fdOf(nowhere);
    }

    /** Makes the private socket ahead of time, so that stopping is a dup2 and a signal. */
    void prepare() throws IOException {
        nowhereFd();
    }

    private int nowhereFd() throws IOException {
        if (nowhere == null) {
            ServerSocketChannel channel = ServerSocketChannel.open();
            channel.configureBlocking(false); // an accept on it returns "nothing yet", and the JDK waits
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16); // room for the app's own wake-up connects
            tracker.forget(channel);
            nowhere = channel;
            Log.debug("accepting threads now wait on " + channel.getLocalAddress() + ", which nobody connects to");
        }
        return tracker.fdOf(nowhere);
    }
}

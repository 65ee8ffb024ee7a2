package graceful.agent.drain;

import graceful.agent.log.Log;
import graceful.agent.posix.JdkSockets;
import graceful.agent.track.Listener;
import graceful.agent.track.Tracker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.CancelledKeyException;
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
 * <p>No listener an app is using is closed: apps treat a closed listener as an error or as their
 * end (Tomcat logs "Socket accept failed" every 1.6 s under a running acceptor; Netty closes its
 * server channel, and an app waiting on that shuts down). Instead the listener's fd is made to
 * refer to a private loopback listening socket (dup2) that nobody connects to. A platform thread
 * blocked in accept is woken the way the JDK wakes it on close; it goes back to accept and waits
 * there, quietly, until the JVM exits. A listener driven by a selector (JDK HttpServer, Netty,
 * Undertow, NIO apps) is first taken out of its selectors' polling (see {@link #leaveSelectors}).
 * Either way this JVM no longer accepts from the shared socket. Only what neither fits (an accept
 * on a virtual thread, a non-blocking listener no selector holds) is closed.
 */
final class StopAccepting {
    private static final int WAKE_ROUNDS = 5;
    private static final long WAKE_INTERVAL_MILLIS = 10;
    /** How long a selector may take to stop polling a listener before the listener is left as it is. */
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
        int fd = tracker.fdOf(listener);
        if (owner instanceof SelectableChannel && ((SelectableChannel) owner).isRegistered()) {
            leaveSelectors((SelectableChannel) owner, listener, fd);
            return;
        }
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
     * A listener registered with a selector is taken out of its selectors' polling, never closed
     * or cancelled under them: its keys are asked for no events and its selectors woken, and once
     * each selector has removed the fd from epoll (which it does at the start of its next
     * select), the fd is pointed at the private socket like a blocking listener's. The key stays
     * valid, so the app sees nothing. Closing or cancelling is what apps notice: a key cancelled
     * while it is among the selected keys its selector thread is working through makes Netty
     * close its server channel itself (an invalid key means a dead channel to Netty), which ends
     * an app that waits on closeFuture() and shuts its event loops down with every connection in
     * flight (CompatibilityIT, netty41, once in CI); and an accept on a channel closed under the
     * JDK's HttpServer leaves its dispatcher spinning, every kept-alive connection hanging until
     * the drain deadline (KeepAliveIT, about 1 run in 12). An accept already under way (its key
     * selected before) works on the still-shared socket, and its connection drains like any
     * other. The app may ask for accept events again (Netty does after each accept): then the
     * keys are asked again. The dup2 waits for epoll to let go: epoll watches the open socket, not
     * the fd number, and would go on reporting the shared socket as ready under an fd that no
     * longer accepts from it. A selector that has not let go within a second (its thread busy
     * elsewhere) leaves the listener as it is, asked for no events, until the JVM ends.
     */
    private void leaveSelectors(SelectableChannel channel, Listener listener, int fd) throws IOException {
        List<SelectionKey> keys = sockets.selectionKeys(channel);
        long end = System.nanoTime() + LEAVE_SELECTORS_NANOS;
        while (stillPolled(keys)) {
            if (System.nanoTime() - end >= 0) {
                Log.debug(listener + " is still polled by a selector a second after it was asked for no events;"
                        + " left as it is, unselected, until this JVM ends");
                return;
            }
            LockSupport.parkNanos(LEAVE_SELECTORS_POLL_NANOS);
        }
        if (fd >= 0) {
            sockets.dup2(nowhereFd(), fd);
        }
    }

    /**
     * Asks each key for no events (again, where the app has asked for some meanwhile) and tells
     * whether any selector may still poll the listener's socket.
     */
    private boolean stillPolled(List<SelectionKey> keys) {
        boolean polled = false;
        for (SelectionKey key : keys) {
            try {
                if (key.isValid() && key.interestOps() != 0) {
                    key.interestOps(0);
                    key.selector().wakeup();
                    polled = true;
                    continue;
                }
            } catch (CancelledKeyException cancelledByTheApp) {
                // its selector removes it from epoll as it deregisters it
            }
            polled |= sockets.registeredEvents(key) != 0; // -1, cannot tell, counts as polled
        }
        return polled;
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

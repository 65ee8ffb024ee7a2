package graceful.agent.track;

import graceful.agent.posix.JdkSockets;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Listeners and live connections. A connection is keyed by the JDK object that is later closed
 * (the SocketChannel, or the accepted socket's SocketImpl); a listener by the object accept is
 * called on (the ServerSocketChannel, or the ServerSocket's SocketImpl). None of these JDK
 * classes overrides equals, so the weak maps compare identities.
 */
public final class Tracker {
    private final JdkSockets sockets;
    private final Map<Object, Listener> listenersByAcceptor = new WeakHashMap<>();
    private final Map<Object, Listener> liveConnections = new WeakHashMap<>();
    /** The port asked for by the bind under way on this thread: Net.bind sees it, the listener's bind() returns after. */
    private final ThreadLocal<Integer> requestedPort = new ThreadLocal<>();

    public Tracker(JdkSockets sockets) {
        this.sockets = sockets;
    }

    /** Called on every bind, before it happens. */
    public void bindRequested(int port) {
        requestedPort.set(port);
    }

    public void bound(Object owner) {
        Integer port = requestedPort.get();
        requestedPort.remove();
        Object acceptor = owner instanceof ServerSocket ? sockets.implOf((ServerSocket) owner) : owner;
        synchronized (this) {
            listenersByAcceptor.put(acceptor, new Listener(owner, port != null && port == 0));
        }
    }

    public synchronized void accepted(Object acceptor, Object connection) {
        Listener listener = listenersByAcceptor.get(acceptor);
        if (listener != null) {
            liveConnections.put(connection, listener);
        }
    }

    public synchronized void closed(Object socket) {
        liveConnections.remove(socket);
    }

    /** Connections accepted on any tracked listener and not yet closed. */
    public synchronized int liveConnections() {
        return liveConnections.size();
    }

    /** The listeners still open, in no particular order. */
    public List<Listener> openListeners() {
        List<Listener> all;
        synchronized (this) {
            all = new ArrayList<>(listenersByAcceptor.values());
        }
        // Asked outside the lock: isOpen may take the socket's own lock, and a socket closing
        // under that lock calls into closed() above.
        List<Listener> open = new ArrayList<>();
        for (Listener listener : all) {
            if (listener.isOpen()) {
                open.add(listener);
            }
        }
        return open;
    }

    /** The fd number of a listener in this process, or -1. */
    public int fdOf(Listener listener) {
        Object owner = listener.owner();
        return owner == null ? -1 : sockets.fdOfListener(owner);
    }
}

package graceful.agent.track;

import graceful.agent.posix.JdkSockets;
import java.io.FileDescriptor;
import java.net.ServerSocket;
import java.net.SocketImpl;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Listeners and live connections, as the JDK reports them at the entry of bind, accept and close.
 *
 * <p>A listener is keyed by the object accept is called on (the ServerSocketChannel, or the
 * ServerSocket's SocketImpl). A connection is keyed by what both its accept and its close can
 * see: a channel's FileDescriptor, or a socket's SocketImpl. None of these JDK classes overrides
 * equals, so the weak maps compare identities. Since accept is seen at its start, an accept that
 * then fails leaves an entry behind; such an entry has no open fd and is not counted.
 */
public final class Tracker {
    private final JdkSockets sockets;
    private final Map<Object, Listener> listenersByAcceptor = new WeakHashMap<>();
    private final Map<Object, Listener> connections = new WeakHashMap<>();
    /** The listener whose bind is under way on this thread: its Net.bind comes next and tells the port. */
    private final ThreadLocal<Listener> binding = new ThreadLocal<>();

    public Tracker(JdkSockets sockets) {
        this.sockets = sockets;
    }

    /** A ServerSocketChannel or ServerSocket is about to bind. */
    public void binding(Object owner) {
        Object acceptor = JdkSockets.isServerSocket(owner) ? sockets.implOf((ServerSocket) owner) : owner;
        Listener listener = new Listener(owner);
        binding.set(listener);
        synchronized (this) {
            listenersByAcceptor.put(acceptor, listener);
        }
    }

    /** Stops tracking a listener graceful made for itself. */
    public void forget(Object owner) {
        Object acceptor = JdkSockets.isServerSocket(owner) ? sockets.implOf((ServerSocket) owner) : owner;
        synchronized (this) {
            listenersByAcceptor.remove(acceptor);
        }
    }

    /** The fd number of a channel or ServerSocket graceful holds itself, or -1. */
    public int fdOf(Object owner) {
        return sockets.fdOfListener(owner);
    }

    /**
     * Any socket is about to bind (Net.bind). If it is the socket of the listener whose bind is
     * under way on this thread, that is the port the listener asked for.
     */
    public void bindRequested(FileDescriptor fd, int port) {
        Listener listener = binding.get();
        Object owner = listener == null ? null : listener.owner();
        if (owner != null && sockets.fdOfListener(owner) == sockets.fdOf(fd)) {
            binding.remove();
            listener.requestedPort(port);
        }
    }

    public synchronized void accepted(Object acceptor, Object connection) {
        Listener listener = listenersByAcceptor.get(acceptor);
        if (listener != null) {
            connections.put(connection, listener);
        }
    }

    /** A socket channel or socket impl is closing. */
    public void closed(Object socket) {
        Object key = socket instanceof SocketImpl ? socket : sockets.descriptorOfChannel(socket);
        if (key != null) {
            synchronized (this) {
                connections.remove(key);
            }
        }
    }

    /** Connections accepted on any tracked listener whose socket is still open. */
    public int liveConnections() {
        return openConnections().size();
    }

    /** The connections counted by {@link #liveConnections}, keyed as the JDK hooks see them. */
    public List<Object> openConnections() {
        List<Object> keys;
        synchronized (this) {
            keys = new ArrayList<>(connections.keySet());
        }
        List<Object> open = new ArrayList<>();
        List<Object> gone = new ArrayList<>();
        for (Object key : keys) {
            if (sockets.isOpenConnection(key)) {
                open.add(key);
            } else {
                gone.add(key);
            }
        }
        synchronized (this) {
            for (Iterator<Object> it = gone.iterator(); it.hasNext(); ) {
                connections.remove(it.next());
            }
        }
        return open;
    }

    /** The listeners bound and still open, in no particular order. */
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

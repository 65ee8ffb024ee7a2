package graceful.agent.track;

import graceful.agent.inherit.Endpoint;
import java.io.Closeable;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.NetworkChannel;

/** A listening socket the app bound: a ServerSocketChannel or a ServerSocket. */
public final class Listener {
    private final WeakReference<Object> owner;
    private volatile boolean ephemeral;
    private volatile boolean managed;

    Listener(Object owner) {
        this.owner = new WeakReference<>(owner);
    }

    /** Its bind went through Net.bind, where graceful takes over inherited listeners. */
    void requestedPort(int port) {
        ephemeral = port == 0;
        managed = true;
    }

    /**
     * Whether graceful can hand it over: its bind went through Net.bind. A ServerSocket on JDK 17's
     * legacy PlainSocketImpl passes ServerSocket.bind but binds natively, so a new JVM could not
     * take it over; such a listener makes a restart be refused.
     */
    public boolean isManaged() {
        return managed;
    }

    /**
     * Bound to port 0: the app asked for any free port, so the next generation asks for its own
     * and this one is not handed over (nothing in the new JVM would ever bind to its number).
     */
    public boolean isEphemeral() {
        return ephemeral;
    }

    /** The app's object, or null once it is garbage. */
    public Object owner() {
        return owner.get();
    }

    /** Bound and not closed. (It is recorded as its bind starts, and that bind may fail.) */
    public boolean isOpen() {
        Object o = owner.get();
        if (o instanceof ServerSocket) {
            return ((ServerSocket) o).isBound() && !((ServerSocket) o).isClosed();
        }
        return o instanceof NetworkChannel && ((NetworkChannel) o).isOpen() && endpoint() != null;
    }

    /** Where it listens, or null if that cannot be told any more. */
    public Endpoint endpoint() {
        Object o = owner.get();
        try {
            Object address = o instanceof ServerSocket ? ((ServerSocket) o).getLocalSocketAddress()
                    : o instanceof NetworkChannel ? ((NetworkChannel) o).getLocalAddress() : null;
            return address instanceof InetSocketAddress ? Endpoint.of((InetSocketAddress) address) : null;
        } catch (IOException closed) {
            return null;
        }
    }

    /** Closes it through the JDK's own close path, which wakes threads blocked in accept. */
    public void close() throws IOException {
        Object o = owner.get();
        if (o instanceof Closeable) {
            ((Closeable) o).close();
        }
    }

    @Override
    public String toString() {
        Endpoint endpoint = endpoint();
        return endpoint == null ? "a closed listener" : endpoint.toString();
    }
}

package graceful.agent.instrument;

import java.io.FileDescriptor;
import java.net.InetAddress;

/** What the instrumented JDK reports, in the agent's own terms. */
public interface SocketEvents {
    /** A TCP or UDP socket is about to be bound; true when graceful bound it (by taking over an inherited listener). */
    boolean bind(FileDescriptor fd, InetAddress address, int port);

    /** A ServerSocketChannel or ServerSocket was bound and is about to listen. */
    void bound(Object listener);

    /** A connection was accepted on a listener (the channel, or the ServerSocket's SocketImpl). */
    void accepted(Object listener, Object connection);

    /** A socket channel or socket impl was closed. */
    void closed(Object socket);
}

package graceful.agent.instrument;

import java.io.FileDescriptor;
import java.net.InetAddress;

/** What the instrumented JDK reports, in the agent's own terms. */
public interface SocketEvents {
    /** A TCP or UDP socket is about to be bound; true when graceful bound it (by taking over an inherited listener). */
    boolean bind(FileDescriptor fd, InetAddress address, int port);

    /** A ServerSocketChannel or ServerSocket is about to bind (the bind may still fail). */
    void bound(Object listener);

    /**
     * An accept starts on a listener (the channel, or the ServerSocket's SocketImpl); the
     * connection is the new channel's FileDescriptor or the new SocketImpl.
     */
    void accepted(Object listener, Object connection);

    /** A socket channel or socket impl is about to close. */
    void closed(Object socket);

    /** A ProcessBuilder is about to start a process (every start path of the JDK passes here). */
    void processStarting(ProcessBuilder builder);

    /** Someone (the app, or the JDK's JMX agent) asks for the platform MBeanServer, which may not exist yet. */
    void platformMBeanServerWanted();
}

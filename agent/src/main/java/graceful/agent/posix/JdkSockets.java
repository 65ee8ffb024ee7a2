package graceful.agent.posix;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Socket and fd operations through the JDK's private natives (sun.nio.ch), so a new JVM can
 * check and take over inherited listeners without loading any native library of its own.
 * Requires java.base's sun.nio.ch, java.nio.channels.spi, java.net and java.io to be opened to
 * graceful first.
 */
public final class JdkSockets {
    public static final int SOCK_STREAM = 1;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ACCEPTCONN = 30;

    /**
     * The handles, looked up on first use, a group at a time: looking them all up at startup cost
     * ~7 ms, and loaded sun.nio.ch.Net and the socket classes before graceful's transformer was
     * installed, so they had to be patched again (retransformed), another 20-40 ms. Static finals,
     * so that the JIT treats them as constants on the hot paths (every close passes here).
     */
    private static final class Fds {
        static final MethodHandle DUP2;
        static final MethodHandle CLOSE0;
        static final MethodHandle SO_TYPE0;
        static final MethodHandle NEW_FD;

        static {
            try {
                Class<?> inherited = Class.forName("sun.nio.ch.InheritedChannel", false, null);
                Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil", false, null);
                MethodHandles.Lookup inInherited = MethodHandles.privateLookupIn(inherited, MethodHandles.lookup());
                MethodHandles.Lookup inIoUtil = MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup());
                DUP2 = inInherited.findStatic(inherited, "dup2", MethodType.methodType(void.class, int.class, int.class));
                CLOSE0 = inInherited.findStatic(inherited, "close0", MethodType.methodType(void.class, int.class));
                SO_TYPE0 = inInherited.findStatic(inherited, "soType0", MethodType.methodType(int.class, int.class));
                NEW_FD = inIoUtil.findStatic(ioUtil, "newFD", MethodType.methodType(FileDescriptor.class, int.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("sun.nio.ch.InheritedChannel/IOUtil", e);
            }
        }
    }

    /**
     * Apart from {@link Fds}: every first-generation JVM needs it at its first bind, and nothing
     * else there. A var handle on the field rather than a method handle (JDK 17) or core
     * reflection (JDK 18 and later make a method handle of it): a first method handle of a new
     * shape spins classes, some ms of every start; reading a field through a var handle spins none
     * on JDK 17 or 25.
     */
    private static final class FdVal {
        /** {@code FileDescriptor.fd}, which is what {@code IOUtil.fdVal} reads. */
        static final VarHandle FD;

        static {
            try {
                FD = MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup())
                        .findVarHandle(FileDescriptor.class, "fd", int.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("java.io.FileDescriptor.fd", e);
            }
        }
    }

    private static final class NetNatives {
        static final MethodHandle GET_INT_OPTION0;
        static final MethodHandle LOCAL_ADDRESS;

        static {
            try {
                Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
                MethodHandles.Lookup inNet = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
                GET_INT_OPTION0 = inNet.findStatic(net, "getIntOption0",
                        MethodType.methodType(int.class, FileDescriptor.class, boolean.class, int.class, int.class));
                LOCAL_ADDRESS = inNet.findStatic(net, "localAddress",
                        MethodType.methodType(InetSocketAddress.class, FileDescriptor.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("sun.nio.ch.Net", e);
            }
        }
    }

    /**
     * What a bind needs of a listener channel. Apart from {@link AcceptThreads} (a drain's) and
     * {@link Connections}: a lookup in SocketChannelImpl loads that class, which is then patched,
     * a few ms of every start of an app that binds but has not accepted yet.
     */
    private static final class Listeners {
        /** {@code ServerSocketChannelImpl.fdVal}, which is what its {@code getFDVal()} returns; a var handle as at {@link FdVal}. */
        static final VarHandle LISTENER_FD_VAL;

        static {
            try {
                Class<?> listener = Class.forName("sun.nio.ch.ServerSocketChannelImpl", false, null);
                LISTENER_FD_VAL = MethodHandles.privateLookupIn(listener, MethodHandles.lookup())
                        .findVarHandle(listener, "fdVal", int.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("sun.nio.ch.ServerSocketChannelImpl", e);
            }
        }
    }

    private static final class AcceptThreads {
        static final MethodHandle ACCEPT_THREAD;

        static {
            try {
                Class<?> listener = Class.forName("sun.nio.ch.ServerSocketChannelImpl", false, null);
                ACCEPT_THREAD = MethodHandles.privateLookupIn(listener, MethodHandles.lookup())
                        .findGetter(listener, "thread", long.class);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("sun.nio.ch.ServerSocketChannelImpl", e);
            }
        }
    }

    private static final class Connections {
        static final MethodHandle CONNECTION_FD;

        static {
            try {
                Class<?> connection = Class.forName("sun.nio.ch.SocketChannelImpl", false, null);
                CONNECTION_FD = MethodHandles.privateLookupIn(connection, MethodHandles.lookup())
                        .findVirtual(connection, "getFD", MethodType.methodType(FileDescriptor.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("sun.nio.ch.SocketChannelImpl", e);
            }
        }
    }

    private static final class Sockets {
        static final MethodHandle SERVER_SOCKET_IMPL;
        static final MethodHandle SOCKET_IMPL_FD;

        static {
            try {
                SERVER_SOCKET_IMPL = MethodHandles.privateLookupIn(ServerSocket.class, MethodHandles.lookup())
                        .findGetter(ServerSocket.class, "impl", java.net.SocketImpl.class);
                SOCKET_IMPL_FD = MethodHandles.privateLookupIn(java.net.SocketImpl.class, MethodHandles.lookup())
                        .findGetter(java.net.SocketImpl.class, "fd", FileDescriptor.class);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("java.net.ServerSocket/SocketImpl", e);
            }
        }
    }

    private static final class Threads {
        static final MethodHandle SOCKET_IMPL_ACCEPT_THREAD;
        static final MethodHandle SIGNAL;
        /** JDK 21+ only; null before virtual threads existed. */
        static final MethodHandle IS_VIRTUAL;

        static {
            try {
                Class<?> nioSocketImpl = Class.forName("sun.nio.ch.NioSocketImpl", false, null);
                SOCKET_IMPL_ACCEPT_THREAD = MethodHandles.privateLookupIn(nioSocketImpl, MethodHandles.lookup())
                        .findGetter(nioSocketImpl, "readerThread", long.class);
                Class<?> nativeThread = Class.forName("sun.nio.ch.NativeThread", false, null);
                MethodHandles.Lookup inNativeThread = MethodHandles.privateLookupIn(nativeThread, MethodHandles.lookup());
                SIGNAL = inNativeThread.findStatic(nativeThread, "signal", MethodType.methodType(void.class, long.class));
                MethodHandle virtual;
                try {
                    virtual = inNativeThread.findStatic(nativeThread, "isVirtualThread",
                            MethodType.methodType(boolean.class, long.class));
                } catch (NoSuchMethodException beforeJdk21) {
                    virtual = null;
                }
                IS_VIRTUAL = virtual;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("sun.nio.ch.NioSocketImpl/NativeThread", e);
            }
        }
    }

    /**
     * Whether a listener object (a ServerSocketChannel or a ServerSocket) is a ServerSocket. Not
     * {@code instanceof ServerSocket} alone: that loads java.net.ServerSocket, which graceful then
     * patches, a few ms of every start of an app that binds only channels.
     */
    public static boolean isServerSocket(Object listener) {
        return !(listener instanceof ServerSocketChannel) && listener instanceof ServerSocket;
    }

    /** Nothing is looked up here: see the holders above. */
    public JdkSockets() {
    }

    /**
     * The thread blocked in (or about to block in) accept on a listener, as the JDK records it to
     * wake it on close: 0 if none, -1 if it cannot be told (not a JDK NIO listener).
     */
    public long acceptThread(Object listener) {
        try {
            if (isServerSocket(listener)) {
                java.net.SocketImpl impl = implOf((ServerSocket) listener);
                return impl.getClass().getName().equals("sun.nio.ch.NioSocketImpl") ? (long) Threads.SOCKET_IMPL_ACCEPT_THREAD.invoke(impl) : -1;
            }
            return (long) AcceptThreads.ACCEPT_THREAD.invoke(listener);
        } catch (Throwable e) {
            return -1;
        }
    }

    public boolean isVirtualThread(long thread) {
        try {
            return Threads.IS_VIRTUAL != null && (boolean) Threads.IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable e) {
            return true; // cannot tell: the caller falls back to the JDK's own close
        }
    }

    /** Interrupts a native thread's blocking system call (EINTR), as the JDK does when it closes a socket. */
    public void signal(long nativeThread) {
        try {
            Threads.SIGNAL.invokeExact(nativeThread);
        } catch (Throwable e) {
            throw new IllegalStateException("NativeThread.signal", e);
        }
    }

    /**
     * Makes a ServerSocketChannel report {@code address} as its local address from now on (the
     * JDK caches it at bind). Looked up on first use: only a draining JVM needs it.
     */
    public void reportLocalAddress(Object channel, SocketAddress address) {
        try {
            Class<?> type = Class.forName("sun.nio.ch.ServerSocketChannelImpl", false, null);
            MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                    .findSetter(type, "localAddress", SocketAddress.class).invoke(channel, address);
        } catch (Throwable e) {
            throw new IllegalStateException("ServerSocketChannelImpl.localAddress", e);
        }
    }

    /**
     * The selection keys a channel has with every selector it is registered with (a copy of
     * {@code AbstractSelectableChannel.keys}; the API offers a key only for a selector one already
     * knows). Looked up on first use: only a draining JVM needs it. Read without the channel's
     * key lock, which is private: when a drain asks, nothing registers the listener any more.
     */
    public List<SelectionKey> selectionKeys(SelectableChannel channel) {
        SelectionKey[] keys;
        try {
            keys = (SelectionKey[]) MethodHandles.privateLookupIn(AbstractSelectableChannel.class, MethodHandles.lookup())
                    .findGetter(AbstractSelectableChannel.class, "keys", SelectionKey[].class).invoke(channel);
        } catch (Throwable e) {
            throw new IllegalStateException("AbstractSelectableChannel.keys", e);
        }
        List<SelectionKey> found = new ArrayList<>();
        if (keys != null) {
            for (SelectionKey key : keys) {
                if (key != null) {
                    found.add(key);
                }
            }
        }
        return found;
    }

    /**
     * The events the key's selector has asked the kernel to poll for ({@code
     * SelectionKeyImpl.registeredEvents}): the selector updates it on its own thread, at the start
     * of a select, from the key's interest set; 0 once epoll no longer holds the fd (removed
     * there, or never added). -1 if it cannot be told (not a JDK selection key). Looked up on
     * first use: only a draining JVM needs it.
     */
    public int registeredEvents(SelectionKey key) {
        try {
            return (int) SelectionKeys.REGISTERED_EVENTS.getVolatile(key);
        } catch (RuntimeException | LinkageError notTheJdks) {
            return -1;
        }
    }

    private static final class SelectionKeys {
        static final VarHandle REGISTERED_EVENTS;

        static {
            try {
                Class<?> key = Class.forName("sun.nio.ch.SelectionKeyImpl", false, null);
                REGISTERED_EVENTS = MethodHandles.privateLookupIn(key, MethodHandles.lookup())
                        .findVarHandle(key, "registeredEvents", int.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("sun.nio.ch.SelectionKeyImpl.registeredEvents", e);
            }
        }
    }

    /** Makes {@code target} refer to the open file of {@code source} (dup2). */
    public void dup2(int source, int target) throws IOException {
        invoke(() -> {
            Fds.DUP2.invokeExact(source, target); // a statement, so the call site's type is (int,int)void
        });
    }

    public void close(int fd) throws IOException {
        invoke(() -> {
            Fds.CLOSE0.invokeExact(fd);
        });
    }

    /** SO_TYPE of the fd, or -1 if it is not a socket (or not open). */
    public int socketType(int fd) {
        try {
            return (int) Fds.SO_TYPE0.invokeExact(fd);
        } catch (Throwable e) {
            return -1;
        }
    }

    /** Whether the socket is listening (SO_ACCEPTCONN). */
    public boolean isListening(int fd) throws IOException {
        FileDescriptor descriptor = descriptor(fd);
        int[] result = new int[1];
        invoke(() -> result[0] = (int) NetNatives.GET_INT_OPTION0.invokeExact(descriptor, false, SOL_SOCKET, SO_ACCEPTCONN));
        return result[0] != 0;
    }

    public InetSocketAddress localAddress(int fd) throws IOException {
        FileDescriptor descriptor = descriptor(fd);
        InetSocketAddress[] result = new InetSocketAddress[1];
        invoke(() -> result[0] = (InetSocketAddress) NetNatives.LOCAL_ADDRESS.invokeExact(descriptor));
        return result[0];
    }

    /** A FileDescriptor object for an fd number, e.g. to wrap it in a stream. */
    public FileDescriptor descriptor(int fd) {
        try {
            return (FileDescriptor) Fds.NEW_FD.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException("IOUtil.newFD", e);
        }
    }

    public int fdOf(FileDescriptor descriptor) {
        try {
            return (int) FdVal.FD.get(descriptor);
        } catch (Throwable e) {
            throw new IllegalStateException("IOUtil.fdVal", e);
        }
    }

    /** The fd number of a listener object (a ServerSocketChannel or a ServerSocket), or -1 if closed. */
    public int fdOfListener(Object listener) {
        try {
            if (isServerSocket(listener)) {
                java.net.SocketImpl impl = implOf((ServerSocket) listener);
                FileDescriptor fd = (FileDescriptor) Sockets.SOCKET_IMPL_FD.invokeExact(impl);
                return fd == null ? -1 : fdOf(fd);
            }
            return (int) Listeners.LISTENER_FD_VAL.get(listener);
        } catch (Throwable e) {
            return -1;
        }
    }

    /** The FileDescriptor object of a SocketChannel, or null if it is not one. */
    public FileDescriptor descriptorOfChannel(Object channel) {
        try {
            return (FileDescriptor) Connections.CONNECTION_FD.invoke(channel);
        } catch (Throwable notASocketChannel) {
            return null;
        }
    }

    /** Whether a tracked connection (a channel's FileDescriptor, or a SocketImpl) still has an open fd. */
    public boolean isOpenConnection(Object connection) {
        try {
            FileDescriptor fd = connection instanceof java.net.SocketImpl
                    ? (FileDescriptor) Sockets.SOCKET_IMPL_FD.invokeExact((java.net.SocketImpl) connection)
                    : (FileDescriptor) connection;
            return fd != null && fd.valid();
        } catch (Throwable e) {
            return false;
        }
    }

    /** The SocketImpl behind a ServerSocket: what NioSocketImpl.accept is called on. */
    public java.net.SocketImpl implOf(ServerSocket socket) {
        try {
            return (java.net.SocketImpl) Sockets.SERVER_SOCKET_IMPL.invokeExact(socket);
        } catch (Throwable e) {
            throw new IllegalStateException("ServerSocket.impl", e);
        }
    }

    /** What /proc says an fd is, e.g. {@code socket:[1234]} or {@code pipe:[99]}; empty if not open. */
    public static String describe(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (NoSuchFileException closed) {
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    private interface NativeCall {
        void run() throws Throwable;
    }

    private static void invoke(NativeCall call) throws IOException {
        try {
            call.run();
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }
}

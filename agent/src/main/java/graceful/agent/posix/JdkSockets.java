package graceful.agent.posix;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Socket and fd operations through the JDK's private natives (sun.nio.ch), so a new JVM can
 * check and take over inherited listeners without loading any native library of its own.
 * Requires java.base's sun.nio.ch, java.net and java.io to be opened to graceful first.
 */
public final class JdkSockets {
    public static final int SOCK_STREAM = 1;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ACCEPTCONN = 30;

    private final MethodHandle dup2;
    private final MethodHandle close0;
    private final MethodHandle soType0;
    private final MethodHandle getIntOption0;
    private final MethodHandle localAddress;
    private final MethodHandle newFD;
    private final MethodHandle fdVal;
    private final MethodHandle channelFdVal;
    private final MethodHandle socketChannelFd;
    private final MethodHandle serverSocketImpl;
    private final MethodHandle socketImplFd;
    private final MethodHandle channelAcceptThread;
    private final MethodHandle socketImplAcceptThread;
    private final MethodHandle signalNativeThread;
    /** JDK 21+ only; null before virtual threads existed. */
    private final MethodHandle isVirtualThread;

    public JdkSockets() throws ReflectiveOperationException {
        Class<?> inherited = Class.forName("sun.nio.ch.InheritedChannel", false, null);
        Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
        Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil", false, null);
        Class<?> channel = Class.forName("sun.nio.ch.ServerSocketChannelImpl", false, null);
        MethodHandles.Lookup inInherited = MethodHandles.privateLookupIn(inherited, MethodHandles.lookup());
        MethodHandles.Lookup inNet = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
        MethodHandles.Lookup inIoUtil = MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup());
        dup2 = inInherited.findStatic(inherited, "dup2", MethodType.methodType(void.class, int.class, int.class));
        close0 = inInherited.findStatic(inherited, "close0", MethodType.methodType(void.class, int.class));
        soType0 = inInherited.findStatic(inherited, "soType0", MethodType.methodType(int.class, int.class));
        getIntOption0 = inNet.findStatic(net, "getIntOption0",
                MethodType.methodType(int.class, FileDescriptor.class, boolean.class, int.class, int.class));
        localAddress = inNet.findStatic(net, "localAddress", MethodType.methodType(InetSocketAddress.class, FileDescriptor.class));
        newFD = inIoUtil.findStatic(ioUtil, "newFD", MethodType.methodType(FileDescriptor.class, int.class));
        fdVal = inIoUtil.findStatic(ioUtil, "fdVal", MethodType.methodType(int.class, FileDescriptor.class));
        channelFdVal = MethodHandles.privateLookupIn(channel, MethodHandles.lookup())
                .findVirtual(channel, "getFDVal", MethodType.methodType(int.class));
        Class<?> socketChannel = Class.forName("sun.nio.ch.SocketChannelImpl", false, null);
        socketChannelFd = MethodHandles.privateLookupIn(socketChannel, MethodHandles.lookup())
                .findVirtual(socketChannel, "getFD", MethodType.methodType(FileDescriptor.class));
        serverSocketImpl = MethodHandles.privateLookupIn(ServerSocket.class, MethodHandles.lookup())
                .findGetter(ServerSocket.class, "impl", java.net.SocketImpl.class);
        socketImplFd = MethodHandles.privateLookupIn(java.net.SocketImpl.class, MethodHandles.lookup())
                .findGetter(java.net.SocketImpl.class, "fd", FileDescriptor.class);
        channelAcceptThread = MethodHandles.privateLookupIn(channel, MethodHandles.lookup())
                .findGetter(channel, "thread", long.class);
        Class<?> nioSocketImpl = Class.forName("sun.nio.ch.NioSocketImpl", false, null);
        socketImplAcceptThread = MethodHandles.privateLookupIn(nioSocketImpl, MethodHandles.lookup())
                .findGetter(nioSocketImpl, "readerThread", long.class);
        Class<?> nativeThread = Class.forName("sun.nio.ch.NativeThread", false, null);
        MethodHandles.Lookup inNativeThread = MethodHandles.privateLookupIn(nativeThread, MethodHandles.lookup());
        signalNativeThread = inNativeThread.findStatic(nativeThread, "signal", MethodType.methodType(void.class, long.class));
        MethodHandle virtual;
        try {
            virtual = inNativeThread.findStatic(nativeThread, "isVirtualThread", MethodType.methodType(boolean.class, long.class));
        } catch (NoSuchMethodException beforeJdk21) {
            virtual = null;
        }
        isVirtualThread = virtual;
    }

    /**
     * The thread blocked in (or about to block in) accept on a listener, as the JDK records it to
     * wake it on close: 0 if none, -1 if it cannot be told (not a JDK NIO listener).
     */
    public long acceptThread(Object listener) {
        try {
            if (listener instanceof ServerSocket) {
                java.net.SocketImpl impl = implOf((ServerSocket) listener);
                return impl.getClass().getName().equals("sun.nio.ch.NioSocketImpl") ? (long) socketImplAcceptThread.invoke(impl) : -1;
            }
            return (long) channelAcceptThread.invoke(listener);
        } catch (Throwable e) {
            return -1;
        }
    }

    public boolean isVirtualThread(long thread) {
        try {
            return isVirtualThread != null && (boolean) isVirtualThread.invokeExact(thread);
        } catch (Throwable e) {
            return true; // cannot tell: the caller falls back to the JDK's own close
        }
    }

    /** Interrupts a native thread's blocking system call (EINTR), as the JDK does when it closes a socket. */
    public void signal(long nativeThread) {
        try {
            signalNativeThread.invokeExact(nativeThread);
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

    /** Makes {@code target} refer to the open file of {@code source} (dup2). */
    public void dup2(int source, int target) throws IOException {
        invoke(() -> {
            dup2.invokeExact(source, target); // a statement, so the call site's type is (int,int)void
        });
    }

    public void close(int fd) throws IOException {
        invoke(() -> {
            close0.invokeExact(fd);
        });
    }

    /** SO_TYPE of the fd, or -1 if it is not a socket (or not open). */
    public int socketType(int fd) {
        try {
            return (int) soType0.invokeExact(fd);
        } catch (Throwable e) {
            return -1;
        }
    }

    /** Whether the socket is listening (SO_ACCEPTCONN). */
    public boolean isListening(int fd) throws IOException {
        FileDescriptor descriptor = descriptor(fd);
        int[] result = new int[1];
        invoke(() -> result[0] = (int) getIntOption0.invokeExact(descriptor, false, SOL_SOCKET, SO_ACCEPTCONN));
        return result[0] != 0;
    }

    public InetSocketAddress localAddress(int fd) throws IOException {
        FileDescriptor descriptor = descriptor(fd);
        InetSocketAddress[] result = new InetSocketAddress[1];
        invoke(() -> result[0] = (InetSocketAddress) localAddress.invokeExact(descriptor));
        return result[0];
    }

    /** A FileDescriptor object for an fd number, e.g. to wrap it in a stream. */
    public FileDescriptor descriptor(int fd) {
        try {
            return (FileDescriptor) newFD.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException("IOUtil.newFD", e);
        }
    }

    public int fdOf(FileDescriptor descriptor) {
        try {
            return (int) fdVal.invokeExact(descriptor);
        } catch (Throwable e) {
            throw new IllegalStateException("IOUtil.fdVal", e);
        }
    }

    /** The fd number of a listener object (a ServerSocketChannel or a ServerSocket), or -1 if closed. */
    public int fdOfListener(Object listener) {
        try {
            if (listener instanceof ServerSocket) {
                java.net.SocketImpl impl = implOf((ServerSocket) listener);
                FileDescriptor fd = (FileDescriptor) socketImplFd.invokeExact(impl);
                return fd == null ? -1 : fdOf(fd);
            }
            return (int) channelFdVal.invoke(listener);
        } catch (Throwable e) {
            return -1;
        }
    }

    /** The FileDescriptor object of a SocketChannel, or null if it is not one. */
    public FileDescriptor descriptorOfChannel(Object channel) {
        try {
            return (FileDescriptor) socketChannelFd.invoke(channel);
        } catch (Throwable notASocketChannel) {
            return null;
        }
    }

    /** Whether a tracked connection (a channel's FileDescriptor, or a SocketImpl) still has an open fd. */
    public boolean isOpenConnection(Object connection) {
        try {
            FileDescriptor fd = connection instanceof java.net.SocketImpl
                    ? (FileDescriptor) socketImplFd.invokeExact((java.net.SocketImpl) connection)
                    : (FileDescriptor) connection;
            return fd != null && fd.valid();
        } catch (Throwable e) {
            return false;
        }
    }

    /** The SocketImpl behind a ServerSocket: what NioSocketImpl.accept is called on. */
    public java.net.SocketImpl implOf(ServerSocket socket) {
        try {
            return (java.net.SocketImpl) serverSocketImpl.invokeExact(socket);
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

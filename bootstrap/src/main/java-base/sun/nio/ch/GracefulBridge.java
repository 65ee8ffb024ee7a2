package sun.nio.ch;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The one graceful class that the JDK's own (instrumented) code calls.
 *
 * <p>Class loader: the agent defines it at run time inside java.base, in this package, through a
 * private lookup on {@code sun.nio.ch.Net}. Code patched into java.base resolves names against
 * the boot loader, so this is the only place it can call; defining it here (rather than appending
 * a jar to the boot class path) keeps class data sharing intact and prints no warning.
 *
 * <p>Rules: JDK types only; no state but the hooks; a null hook means "graceful is not active"
 * and costs one volatile read; never throw into the JDK (but for the IOException of a write graceful
 * made on the app's behalf); the API is append-only, since advice
 * calls to it are written into JDK classes.
 */
public final class GracefulBridge {
    /** {FileDescriptor, InetAddress, Integer port} to true when graceful bound the socket itself. */
    public static volatile Predicate<Object[]> bind;
    /** A listener object (ServerSocketChannel or ServerSocket) at the start of its bind. */
    public static volatile Consumer<Object> bound;
    /** (listener, connection) at the start of an accept: the new channel's FileDescriptor, or the new SocketImpl. */
    public static volatile BiConsumer<Object, Object> accepted;
    /** A socket channel or socket impl at the start of its close. */
    public static volatile Consumer<Object> closed;

    /** A ProcessBuilder about to start a process. */
    public static volatile Consumer<Object> processStarting;

    /** Someone asks for the platform MBeanServer (at the start of {@code ManagementFactory.getPlatformMBeanServer}). */
    public static volatile Runnable platformMBeanServer;

    /**
     * {socket, data, offset, length} at the start of a write on a socket channel (data a ByteBuffer
     * or a ByteBuffer[]) or a socket impl (data a byte[]): the Long count of the app's bytes
     * graceful wrote itself, or null to let the JDK write. IOExceptions of the write come wrapped
     * in UncheckedIOException. Set only while the JVM drains.
     */
    public static volatile Function<Object[], Object> write;

    private GracefulBridge() {}

    /** Called on entry of {@code Net.bind}: true skips the real bind. */
    public static boolean bind(FileDescriptor fd, InetAddress address, int port) {
        Predicate<Object[]> hook = bind;
        if (hook == null) {
            return false;
        }
        try {
            return hook.test(new Object[] {fd, address, port});
        } catch (Throwable failed) {
            return false;
        }
    }

    public static void bound(Object listener) {
        Consumer<Object> hook = bound;
        if (hook != null) {
            try {
                hook.accept(listener);
            } catch (Throwable ignored) {
                // never into the JDK
            }
        }
    }

    public static void accepted(Object listener, Object connection) {
        BiConsumer<Object, Object> hook = accepted;
        if (hook != null && connection != null) {
            try {
                hook.accept(listener, connection);
            } catch (Throwable ignored) {
                // never into the JDK
            }
        }
    }

    public static void closed(Object socket) {
        Consumer<Object> hook = closed;
        if (hook != null) {
            try {
                hook.accept(socket);
            } catch (Throwable ignored) {
                // never into the JDK
            }
        }
    }

    public static void processStarting(Object processBuilder) {
        Consumer<Object> hook = processStarting;
        if (hook != null) {
            try {
                hook.accept(processBuilder);
            } catch (Throwable ignored) {
                // never into the JDK
            }
        }
    }

    public static void platformMBeanServer() {
        Runnable hook = platformMBeanServer;
        if (hook != null) {
            try {
                hook.run();
            } catch (Throwable ignored) {
                // never into the JDK
            }
        }
    }

    /** Called on entry of {@code SocketChannelImpl.write(ByteBuffer)}: a count of 0 or more is returned instead of writing. */
    public static int write(Object channel, ByteBuffer source) throws IOException {
        Function<Object[], Object> hook = write;
        return hook == null ? -1 : (int) written(hook, new Object[] {channel, source, 0, 1});
    }

    /** Called on entry of {@code SocketChannelImpl.write(ByteBuffer[], int, int)}: a count of 0 or more is returned instead. */
    public static long write(Object channel, ByteBuffer[] sources, int offset, int length) throws IOException {
        Function<Object[], Object> hook = write;
        return hook == null ? -1 : written(hook, new Object[] {channel, sources, offset, length});
    }

    /** Called on entry of the blocking full writes of a socket impl or channel: true skips the JDK's write. */
    public static boolean write(Object socket, byte[] bytes, int offset, int length) throws IOException {
        Function<Object[], Object> hook = write;
        return hook != null && written(hook, new Object[] {socket, bytes, offset, length}) >= 0;
    }

    private static long written(Function<Object[], Object> hook, Object[] arguments) throws IOException {
        Object count;
        try {
            count = hook.apply(arguments);
        } catch (UncheckedIOException writeFailed) {
            throw writeFailed.getCause();
        } catch (Throwable failed) {
            return -1; // graceful's own failure: it wrote nothing, the JDK writes
        }
        return count instanceof Long ? (Long) count : -1;
    }
}

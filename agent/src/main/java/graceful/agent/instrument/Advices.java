package graceful.agent.instrument;

import java.io.FileDescriptor;
import java.net.InetAddress;
import net.bytebuddy.asm.Advice;
import sun.nio.ch.GracefulBridge;

/**
 * The advice inlined into JDK methods. Byte Buddy copies these bodies into java.base, where they
 * can only call the bridge; these classes themselves are never loaded, only read as bytes.
 */
final class Advices {
    private Advices() {}

    /** {@code sun.nio.ch.Net.bind(ProtocolFamily, FileDescriptor, InetAddress, int)}: the one bind of every TCP/UDP socket. */
    static final class NetBind {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.Argument(1) FileDescriptor fd, @Advice.Argument(2) InetAddress address,
                             @Advice.Argument(3) int port) {
            return GracefulBridge.bind(fd, address, port);
        }
    }

    /** {@code ServerSocketChannelImpl.bind(SocketAddress, int)} and {@code ServerSocket.bind(SocketAddress, int)}. */
    static final class ListenerBound {
        @Advice.OnMethodExit
        static void exit(@Advice.This Object listener) {
            GracefulBridge.bound(listener);
        }
    }

    /** {@code ServerSocketChannelImpl.finishAccept(FileDescriptor, SocketAddress)}: returns the new channel. */
    static final class ChannelAccepted {
        @Advice.OnMethodExit
        static void exit(@Advice.This Object listener, @Advice.Return Object connection) {
            GracefulBridge.accepted(listener, connection);
        }
    }

    /** {@code NioSocketImpl.accept(SocketImpl)}: fills in the new socket's impl. */
    static final class SocketAccepted {
        @Advice.OnMethodExit
        static void exit(@Advice.This Object listener, @Advice.Argument(0) Object connection) {
            GracefulBridge.accepted(listener, connection);
        }
    }

    /** {@code SocketChannelImpl.implCloseSelectableChannel()} and {@code NioSocketImpl.close()}. */
    static final class Closed {
        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object socket) {
            GracefulBridge.closed(socket);
        }
    }
}

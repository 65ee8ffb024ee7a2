package graceful.agent.drain;

import graceful.agent.posix.JdkSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.SocketImpl;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keep-alive connections leave the draining JVM between two requests: once it has stopped
 * accepting, the next HTTP/1.1 response on each of its connections goes out as that
 * connection's last (see {@link LastResponse}). Made, and hooked into the JDK's socket writes,
 * only when a drain starts: a serving JVM's writes never reach graceful.
 */
final class LastResponses {
    private final JdkSockets sockets;
    /** A connection as the tracker keys it (a channel's FileDescriptor, or a SocketImpl) to its state. */
    private final Map<Object, LastResponse> connections = new ConcurrentHashMap<>();
    /** NioSocketImpl.write(byte[], int, int): a socket stream's write, which writes everything. */
    private final MethodHandle socketWrite;
    /** SocketChannelImpl.blockingWriteFully(byte[], int, int): a channel's socket-adaptor stream write. */
    private final MethodHandle channelWriteFully;

    LastResponses(JdkSockets sockets, Collection<Object> connectionKeys) throws ReflectiveOperationException {
        this.sockets = sockets;
        Class<?> socketImpl = Class.forName("sun.nio.ch.NioSocketImpl", false, null);
        Class<?> channel = Class.forName("sun.nio.ch.SocketChannelImpl", false, null);
        MethodType fullWrite = MethodType.methodType(void.class, byte[].class, int.class, int.class);
        socketWrite = MethodHandles.privateLookupIn(socketImpl, MethodHandles.lookup()).findVirtual(socketImpl, "write", fullWrite);
        channelWriteFully = MethodHandles.privateLookupIn(channel, MethodHandles.lookup())
                .findVirtual(channel, "blockingWriteFully", fullWrite);
        for (Object key : connectionKeys) {
            connections.put(key, new LastResponse());
        }
    }

    /** How many connections have had their last response marked. */
    int marked() {
        int count = 0;
        for (LastResponse connection : connections.values()) {
            if (connection.marked()) {
                count++;
            }
        }
        return count;
    }

    /**
     * The bridge's write hook: {socket, data, offset, length} as {@code GracefulBridge.write}
     * passes them. Returns the Long count of the app's bytes written, or null to let the JDK write.
     */
    Object write(Object[] call) {
        Object socket = call[0];
        LastResponse connection = connections.get(socket instanceof SocketImpl ? socket : sockets.descriptorOfChannel(socket));
        if (connection == null) {
            return null; // not a connection this JVM accepted (the app's own outgoing ones, say)
        }
        Object data = call[1];
        int offset = (Integer) call[2];
        int length = (Integer) call[3];
        try {
            long written;
            if (data instanceof ByteBuffer) {
                written = connection.write(new ByteBuffer[] {(ByteBuffer) data}, 0, 1,
                        buffers -> ((GatheringByteChannel) socket).write(buffers));
            } else if (data instanceof ByteBuffer[]) {
                written = connection.write((ByteBuffer[]) data, offset, length,
                        buffers -> ((GatheringByteChannel) socket).write(buffers));
            } else {
                MethodHandle fullWrite = socket instanceof SocketImpl ? socketWrite : channelWriteFully;
                written = connection.write(new ByteBuffer[] {ByteBuffer.wrap((byte[]) data, offset, length)}, 0, 1,
                        buffers -> writeFully(fullWrite, socket, buffers));
            }
            return written < 0 ? null : written;
        } catch (IOException writeFailed) {
            throw new UncheckedIOException(writeFailed);
        }
    }

    /** A stream write: everything goes out, or it throws. */
    private static long writeFully(MethodHandle fullWrite, Object socket, ByteBuffer[] buffers) throws IOException {
        long total = 0;
        for (ByteBuffer buffer : buffers) {
            try {
                fullWrite.invoke(socket, buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException(e);
            }
            total += buffer.remaining();
        }
        return total;
    }
}

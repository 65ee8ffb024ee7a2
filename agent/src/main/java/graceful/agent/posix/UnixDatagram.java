package graceful.agent.posix;

import java.nio.charset.StandardCharsets;

/**
 * One datagram to a Unix socket, as sd_notify sends it. The JDK has Unix-domain stream sockets
 * only, so this goes through libc (jffi), on the caller's thread.
 */
public final class UnixDatagram {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** sockaddr_un: a 2-byte family, then up to 108 bytes of path. */
    private static final int MAX_PATH = 108;

    private UnixDatagram() {}

    /** @throws IllegalStateException naming the call that failed */
    public static void send(String socketName, String message) {
        byte[] address = address(socketName);
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        LibC libc = Jffi.libc();
        int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket(AF_UNIX, SOCK_DGRAM) failed");
        }
        try (NativeMemory memory = new NativeMemory()) {
            if (libc.sendto(fd, memory.bytes(bytes), bytes.length, 0, memory.bytes(address), address.length) != bytes.length) {
                throw new IllegalStateException("sendto(" + socketName + ") failed: " + libc.strerror(libc.errno()));
            }
        } finally {
            libc.close(fd);
        }
    }

    /**
     * The sockaddr_un of a socket path, or of an abstract name written {@code @name} (its first
     * byte a NUL, and no NUL at the end). Family in native (little-endian) byte order.
     */
    static byte[] address(String socketName) {
        byte[] path = socketName.getBytes(StandardCharsets.UTF_8);
        boolean isAbstract = socketName.startsWith("@");
        if (path.length > (isAbstract ? MAX_PATH : MAX_PATH - 1)) {
            throw new IllegalArgumentException("socket name longer than " + MAX_PATH + " bytes: " + socketName);
        }
        byte[] address = new byte[2 + path.length + (isAbstract ? 0 : 1)];
        address[0] = (byte) AF_UNIX;
        System.arraycopy(path, 0, address, 2, path.length);
        if (isAbstract) {
            address[2] = 0;
        }
        return address;
    }
}

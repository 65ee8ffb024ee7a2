package graceful.agent.drain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The head of an HTTP/1.1 response found at the start of a write, and the same head marked as
 * the connection's last: {@code Connection: close} right after the status line, and any
 * {@code keep-alive} token of the server's own Connection header overwritten with
 * {@code close} (padded with spaces, so that header keeps its length).
 *
 * <p>Only a head that a single write holds whole is recognised (a server writes its head in one
 * piece: Tomcat, Jetty, Netty, Undertow and the JDK's HttpServer all do); anything else is not a
 * head, and the connection is left as it is.
 */
final class ResponseHead {
    /** Longer heads are not looked for: they are rare, and the connection just drains as before. */
    static final int MAX_LENGTH = 16 * 1024;
    static final byte[] CLOSE_LINE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREFIX = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = "keep-alive".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection:".getBytes(StandardCharsets.US_ASCII);

    final int status;
    /** The status line with its CRLF: where {@link #CLOSE_LINE} goes. */
    final int statusLineLength;
    /** The whole head, with the empty line that ends it. */
    final int length;
    /** The server itself said {@code Connection: close}: it will close, nothing to mark. */
    final boolean closes;
    private final byte[] bytes;

    private ResponseHead(int status, int statusLineLength, byte[] bytes, boolean closes) {
        this.status = status;
        this.statusLineLength = statusLineLength;
        this.length = bytes.length;
        this.bytes = bytes;
        this.closes = closes;
    }

    /** The head starting at the buffer's position and ending within it, or null. Does not move the buffer. */
    static ResponseHead at(ByteBuffer buffer) {
        int start = buffer.position();
        int available = Math.min(buffer.remaining(), MAX_LENGTH);
        if (available < PREFIX.length + 6) {
            return null;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (buffer.get(start + i) != PREFIX[i]) {
                return null;
            }
        }
        int status = 0;
        for (int i = PREFIX.length; i < PREFIX.length + 3; i++) {
            byte digit = buffer.get(start + i);
            if (digit < '0' || digit > '9') {
                return null;
            }
            status = status * 10 + digit - '0';
        }
        byte afterStatus = buffer.get(start + PREFIX.length + 3);
        if (afterStatus != ' ' && afterStatus != '\r') {
            return null;
        }
        int statusLineEnd = -1;
        for (int i = PREFIX.length + 3; i + 1 < available && statusLineEnd < 0; i++) {
            if (buffer.get(start + i) == '\r' && buffer.get(start + i + 1) == '\n') {
                statusLineEnd = i + 2;
            }
        }
        if (statusLineEnd < 0) {
            return null;
        }
        // From the status line's own CRLF on, so that a head without header lines is found too.
        for (int i = statusLineEnd - 2; i + 3 < available; i++) {
            if (buffer.get(start + i) == '\r' && buffer.get(start + i + 1) == '\n'
                    && buffer.get(start + i + 2) == '\r' && buffer.get(start + i + 3) == '\n') {
                return head(buffer, start, status, statusLineEnd, i + 4);
            }
        }
        return null;
    }

    static ResponseHead at(byte[] bytes, int offset, int length) {
        return at(ByteBuffer.wrap(bytes, offset, length));
    }

    private static ResponseHead head(ByteBuffer buffer, int start, int status, int statusLineEnd, int end) {
        byte[] bytes = new byte[end];
        buffer.duplicate().position(start).get(bytes);
        return new ResponseHead(status, statusLineEnd, bytes, connectionSaysClose(bytes, statusLineEnd));
    }

    /** A final response: 1xx ones (100 Continue, 101 Switching Protocols) are followed by more. */
    boolean isFinal() {
        return status >= 200;
    }

    /** Whether the server is switching this connection to another protocol (WebSocket, h2c): never HTTP/1.1 again. */
    boolean switchesProtocols() {
        return status == 101;
    }

    /** The head as the connection's last response; {@link #CLOSE_LINE} longer than {@link #length}. */
    byte[] markedLast() {
        byte[] marked = new byte[length + CLOSE_LINE.length];
        System.arraycopy(bytes, 0, marked, 0, statusLineLength);
        System.arraycopy(CLOSE_LINE, 0, marked, statusLineLength, CLOSE_LINE.length);
        System.arraycopy(bytes, statusLineLength, marked, statusLineLength + CLOSE_LINE.length, length - statusLineLength);
        int shift = CLOSE_LINE.length;
        forEachConnectionValue(bytes, statusLineLength, (from, to) -> {
            for (int i = from; i + KEEP_ALIVE.length <= to; i++) {
                if (matchesIgnoringCase(bytes, i, KEEP_ALIVE)) {
                    byte[] close = "close     ".getBytes(StandardCharsets.US_ASCII); // as long as keep-alive
                    System.arraycopy(close, 0, marked, i + shift, close.length);
                }
            }
        });
        return marked;
    }

    /** Where byte {@code offset} of the original head is in the marked one. */
    int markedOffset(long offset) {
        return (int) (offset <= statusLineLength ? offset : offset + CLOSE_LINE.length);
    }

    /** How many bytes of the original head the first {@code markedBytes} of the marked head stand for. */
    int originalOffset(int markedBytes) {
        if (markedBytes <= statusLineLength) {
            return markedBytes;
        }
        return Math.max(statusLineLength, markedBytes - CLOSE_LINE.length);
    }

    private interface ValueRange {
        void at(int from, int to);
    }

    private static boolean connectionSaysClose(byte[] head, int statusLineEnd) {
        boolean[] close = new boolean[1];
        forEachConnectionValue(head, statusLineEnd, (from, to) -> {
            for (int i = from; i + 5 <= to; i++) {
                if (matchesIgnoringCase(head, i, "close".getBytes(StandardCharsets.US_ASCII))) {
                    close[0] = true;
                }
            }
        });
        return close[0];
    }

    /** Calls back with the value range of every Connection header line. */
    private static void forEachConnectionValue(byte[] head, int firstLine, ValueRange range) {
        int line = firstLine;
        while (line + 1 < head.length) {
            int end = line;
            while (end + 1 < head.length && !(head[end] == '\r' && head[end + 1] == '\n')) {
                end++;
            }
            if (end == line) {
                return; // the empty line: end of the head
            }
            if (end - line >= CONNECTION.length && matchesIgnoringCase(head, line, CONNECTION)) {
                range.at(line + CONNECTION.length, end);
            }
            line = end + 2;
        }
    }

    private static boolean matchesIgnoringCase(byte[] bytes, int at, byte[] lowerCase) {
        if (at + lowerCase.length > bytes.length) {
            return false;
        }
        for (int i = 0; i < lowerCase.length; i++) {
            byte b = bytes[at + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerCase[i]) {
                return false;
            }
        }
        return true;
    }
}

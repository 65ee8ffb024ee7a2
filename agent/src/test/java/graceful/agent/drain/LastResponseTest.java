package graceful.agent.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The byte accounting of a marked head, against a socket that takes a few bytes per write. */
class LastResponseTest {
    private static final String RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    private static final String MARKED = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello";

    /** What went out on the wire, taking at most {@code perWrite} bytes a call, as a full socket buffer would. */
    private static final class Wire implements LastResponse.Writer {
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final int perWrite;

        Wire(int perWrite) {
            this.perWrite = perWrite;
        }

        @Override
        public long write(ByteBuffer[] buffers) {
            int budget = perWrite;
            long written = 0;
            for (ByteBuffer buffer : buffers) {
                while (buffer.hasRemaining() && budget > 0) {
                    sent.write(buffer.get());
                    budget--;
                    written++;
                }
            }
            return written;
        }

        String text() {
            return sent.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes like a non-blocking server: resubmits what is left until all is written; returns the app's counts. */
    private static long writeAll(LastResponse connection, ByteBuffer[] app, Wire wire) throws Exception {
        long appTotal = 0;
        for (int calls = 0; java.util.Arrays.stream(app).anyMatch(ByteBuffer::hasRemaining); calls++) {
            long before = java.util.Arrays.stream(app).mapToLong(ByteBuffer::remaining).sum();
            long n = connection.write(app, 0, app.length, wire);
            if (n < 0) {
                n = wire.write(app); // the JDK writes it as it is
            }
            long after = java.util.Arrays.stream(app).mapToLong(ByteBuffer::remaining).sum();
            assertEquals(before - after, n, "the count returned must be what the app's buffers advanced by");
            appTotal += n;
            assertTrue(calls < 10_000);
        }
        return appTotal;
    }

    @Test
    void theNextResponseGoesOutMarkedWhateverTheSocketTakesAtATime() throws Exception {
        for (int perWrite : new int[] {1, 3, 17, 18, 19, 36, 1000}) {
            LastResponse connection = new LastResponse();
            Wire wire = new Wire(perWrite);
            long counted = writeAll(connection, new ByteBuffer[] {bytes(RESPONSE)}, wire);
            assertEquals(MARKED, wire.text(), "taking " + perWrite + " bytes a write");
            assertEquals(RESPONSE.length(), counted, "the app counts only its own bytes");
            assertTrue(connection.marked());
        }
    }

    @Test
    void aGatheringWriteWithHeadAndBodyInSeparateBuffers() throws Exception {
        LastResponse connection = new LastResponse();
        Wire wire = new Wire(7);
        ByteBuffer[] app = {ByteBuffer.allocate(0), bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), bytes("hello")};
        writeAll(connection, app, wire);
        assertEquals(MARKED, wire.text());
    }

    @Test
    void onlyTheFirstResponseIsMarkedAndLaterOnesPass() throws Exception {
        LastResponse connection = new LastResponse();
        Wire wire = new Wire(1000);
        writeAll(connection, new ByteBuffer[] {bytes(RESPONSE)}, wire);
        assertEquals(-1, connection.write(new ByteBuffer[] {bytes(RESPONSE)}, 0, 1, wire));
    }

    @Test
    void aBodyUnderWayPassesAndTheNextHeadIsMarked() throws Exception {
        LastResponse connection = new LastResponse();
        Wire wire = new Wire(1000);
        assertEquals(-1, connection.write(new ByteBuffer[] {bytes("rest of an earlier body")}, 0, 1, wire));
        writeAll(connection, new ByteBuffer[] {bytes(RESPONSE)}, wire);
        assertEquals(MARKED, wire.text());
    }

    @Test
    void aSwitchToAnotherProtocolEndsTheWatch() throws Exception {
        LastResponse connection = new LastResponse();
        Wire wire = new Wire(1000);
        ByteBuffer upgrade = bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
        assertEquals(-1, connection.write(new ByteBuffer[] {upgrade}, 0, 1, wire));
        assertEquals(-1, connection.write(new ByteBuffer[] {bytes(RESPONSE)}, 0, 1, wire), "WebSocket frames from now on");
        assertFalse(connection.marked());
    }

    @Test
    void aContinueIsNotTheLastResponse() throws Exception {
        LastResponse connection = new LastResponse();
        Wire wire = new Wire(1000);
        assertEquals(-1, connection.write(new ByteBuffer[] {bytes("HTTP/1.1 100 Continue\r\n\r\n")}, 0, 1, wire));
        writeAll(connection, new ByteBuffer[] {bytes(RESPONSE)}, wire);
        assertEquals(MARKED, wire.text());
    }

    @Test
    void theWriteGracefulMakesPassesStraightThroughTheHook() throws Exception {
        LastResponse connection = new LastResponse();
        long[] inner = new long[1];
        LastResponse.Writer reentering = buffers -> {
            inner[0] = connection.write(buffers, 0, buffers.length, b -> 0); // the JDK's hooked write, called again
            return new Wire(1000).write(buffers);
        };
        connection.write(new ByteBuffer[] {bytes(RESPONSE)}, 0, 1, reentering);
        assertEquals(-1, inner[0]);
        assertTrue(connection.marked());
    }
}

package graceful.agent.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseHeadTest {
    private static ResponseHead head(String text) {
        return ResponseHead.at(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String marked(String text) {
        return new String(head(text).markedLast(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aResponseHeadGetsConnectionCloseRightAfterItsStatusLine() {
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        ResponseHead head = head(response);
        assertEquals(200, head.status);
        assertEquals("HTTP/1.1 200 OK\r\n".length(), head.statusLineLength);
        assertEquals(response.length() - 2, head.length);
        assertEquals("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n", marked(response));
    }

    @Test
    void theServersOwnKeepAliveBecomesCloseOfTheSameLength() {
        assertEquals("HTTP/1.1 200 \r\nConnection: close\r\nconnection: close     \r\nContent-Length: 0\r\n\r\n",
                marked("HTTP/1.1 200 \r\nconnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"));
    }

    @Test
    void aHeadWithoutHeaderLinesIsStillAHead() {
        assertEquals("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", marked("HTTP/1.1 204 No Content\r\n\r\n"));
    }

    @Test
    void aServerThatClosesItselfNeedsNoMark() {
        assertTrue(head("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n").closes);
        assertFalse(head("HTTP/1.1 200 OK\r\nX-Note: close\r\n\r\n").closes);
    }

    @Test
    void interimResponsesAreNotFinalAndSwitchingProtocolsIsSeen() {
        assertFalse(head("HTTP/1.1 100 Continue\r\n\r\n").isFinal());
        ResponseHead upgrade = head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        assertTrue(upgrade.switchesProtocols());
    }

    @Test
    void anythingElseIsNotAHead() {
        assertNull(head("HTTP/1.0 200 OK\r\n\r\n"), "HTTP/1.0 closes unless asked otherwise");
        assertNull(head("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"), "a head that does not end in this write");
        assertNull(head("HTTP/1.1 2x0 OK\r\n\r\n"));
        assertNull(head("\u0016\u0003\u0003 TLS record"));
        assertNull(head("{\"json\": \"body\"}"));
        assertNull(head(""));
    }

    @Test
    void looksFromTheBuffersPositionAndDoesNotMoveIt() {
        ByteBuffer buffer = ByteBuffer.wrap("xxHTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        buffer.position(2);
        assertNotNull(ResponseHead.at(buffer));
        assertEquals(2, buffer.position());
    }

    @Test
    void offsetsMapBetweenTheOriginalAndTheMarkedHead() {
        ResponseHead head = head("HTTP/1.1 200 OK\r\nA: b\r\n\r\n");
        int status = head.statusLineLength;
        int close = ResponseHead.CLOSE_LINE.length;
        assertEquals(5, head.markedOffset(5));
        assertEquals(status, head.markedOffset(status));
        assertEquals(status + 1 + close, head.markedOffset(status + 1));
        assertEquals(5, head.originalOffset(5));
        assertEquals(status, head.originalOffset(status + close - 1), "inside graceful's own line");
        assertEquals(head.length, head.originalOffset(head.length + close));
    }
}

package graceful.agent.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UnixDatagramTest {
    @Test
    void aPathEndsInNul() {
        assertArrayEquals(new byte[] {1, 0, '/', 's', 0}, UnixDatagram.address("/s"));
    }

    @Test
    void anAbstractNameStartsWithNulAndHasNoneAtTheEnd() {
        assertArrayEquals(new byte[] {1, 0, 0, 'n'}, UnixDatagram.address("@n"));
    }

    @Test
    void tooLongIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> UnixDatagram.address("/" + "x".repeat(107)));
    }
}

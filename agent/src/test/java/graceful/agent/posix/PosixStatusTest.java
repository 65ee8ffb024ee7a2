package graceful.agent.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PosixStatusTest {
    @Test
    void waitStatusesReadAsExitCodesOrSignals() {
        assertEquals("exit status 0", Posix.describeStatus(0));
        assertEquals("exit status 1", Posix.describeStatus(1 << 8));
        assertEquals("killed by signal 9", Posix.describeStatus(9));
        assertEquals("killed by signal 15", Posix.describeStatus(15 | 0x80));
    }
}

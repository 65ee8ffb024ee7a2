package graceful.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NotifyMessagesTest {
    @Test
    void aNewJvmNamesItselfTheMainPidBeforeItSaysReady() {
        assertEquals("READY=1", NotifyMessages.ready(7, false));
        assertEquals("MAINPID=7\nREADY=1", NotifyMessages.ready(7, true));
    }

    @Test
    void theOldJvmNamesTheNewMainPidBeforeItDrains() {
        assertEquals("MAINPID=7", NotifyMessages.mainPid(7));
    }

    @Test
    void reloadingCarriesTheMonotonicClock() {
        assertEquals("RELOADING=1\nMONOTONIC_USEC=123", NotifyMessages.reloading(123));
    }
}

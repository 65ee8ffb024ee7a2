package graceful.agent.inherit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SocketActivationTest {
    @Test
    void systemdsFdsStartAtThree() {
        assertEquals(List.of(3, 4), SocketActivation.fds(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2"), 42));
    }

    @Test
    void fdsMeantForAnotherProcessAreNotOurs() {
        assertEquals(List.of(), SocketActivation.fds(Map.of("LISTEN_PID", "41", "LISTEN_FDS", "2"), 42));
        assertEquals(List.of(), SocketActivation.fds(Map.of(), 42));
    }

    @Test
    void garbageIsNamed() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> SocketActivation.fds(Map.of("LISTEN_FDS", "2"), 42));
        assertTrue(missing.getMessage().contains("LISTEN_PID is missing"), missing.getMessage());
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class,
                () -> SocketActivation.fds(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "two"), 42));
        assertTrue(notANumber.getMessage().contains("LISTEN_FDS holds 'two'"), notANumber.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SocketActivation.fds(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "-1"), 42));
    }
}

package graceful.agent.inherit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandoverTest {
    private static Map<String, String> valid() {
        Map<String, String> env = new HashMap<>();
        env.put(Handover.PARENT_PID, "4242");
        env.put(Handover.GENERATION, "2");
        env.put(Handover.READY_FD, "5");
        env.put(Handover.LISTENERS, "3/*/8080/1234567,4/0:0:0:0:0:0:0:1/9090/99");
        return env;
    }

    @Test
    void whatTheParentWritesTheChildReads() {
        Handover out = new Handover(4242, 3, 5, List.of(
                new Handover.Listener(3, new Endpoint("*", 8080), 11),
                new Handover.Listener(4, new Endpoint("127.0.0.1", 9090), 12)));
        Handover in = Handover.parse(out.toEnvironment());
        assertEquals(4242, in.parentPid);
        assertEquals(3, in.generation);
        assertEquals(5, in.readyFd);
        assertEquals(2, in.listeners.size());
        assertEquals(new Endpoint("127.0.0.1", 9090), in.listeners.get(1).endpoint);
        assertEquals(12, in.listeners.get(1).inode);
    }

    @Test
    void ipv6HostsSurviveTheFormat() {
        Handover in = Handover.parse(valid());
        assertEquals(new Endpoint("0:0:0:0:0:0:0:1", 9090), in.listeners.get(1).endpoint);
        assertEquals("[0:0:0:0:0:0:0:1]:9090", in.listeners.get(1).endpoint.toString());
    }

    @Test
    void noListenersIsValid() {
        Map<String, String> env = valid();
        env.put(Handover.LISTENERS, "");
        assertTrue(Handover.parse(env).listeners.isEmpty());
    }

    @Test
    void presentOnlyWithARestartVariable() {
        assertFalse(Handover.present(Map.of("PATH", "/bin", "GRACEFUL_DRAIN_TIMEOUT", "5s")));
        assertTrue(Handover.present(Map.of(Handover.READY_FD, "x")));
    }

    @Test
    void garbageIsRejectedWithTheVariableNamed() {
        assertRejected(Handover.PARENT_PID, "abc", "not a number");
        assertRejected(Handover.PARENT_PID, null, "missing");
        assertRejected(Handover.READY_FD, "1", "outside");
        assertRejected(Handover.GENERATION, "1", "outside");
        assertRejected(Handover.LISTENERS, "3/*/8080", "fd/host/port/inode");
        assertRejected(Handover.LISTENERS, "2/*/8080/1", "outside");
        assertRejected(Handover.LISTENERS, "3/*/70000/1", "outside");
        assertRejected(Handover.LISTENERS, "3//8080/1", "fd/host/port/inode");
        assertRejected(Handover.LISTENERS, "3/*/8080/1,3/*/8081/2", "twice");
        assertRejected(Handover.LISTENERS, "5/*/8080/1", "also " + Handover.READY_FD);
    }

    private static void assertRejected(String variable, String value, String why) {
        Map<String, String> env = valid();
        if (value == null) {
            env.remove(variable);
        } else {
            env.put(variable, value);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Handover.parse(env));
        assertTrue(e.getMessage().contains(variable) && e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void endpointsTreatBothWildcardsAlike() throws Exception {
        assertEquals(Endpoint.of(InetAddress.getByName("0.0.0.0"), 80), Endpoint.of(InetAddress.getByName("::"), 80));
        assertEquals("*:80", Endpoint.of(InetAddress.getByName("::"), 80).toString());
        assertEquals(new Endpoint("127.0.0.1", 80), Endpoint.of(InetAddress.getByName("::ffff:127.0.0.1"), 80));
    }

    @Test
    void aSamePidRestartHasNoReadyFdAndSaysWhenItExeced() {
        Handover out = Handover.samePid(4242, 2, List.of(new Handover.Listener(57, new Endpoint("127.0.0.1", 8080), 11)),
                1_700_000_000_000L);
        Map<String, String> env = out.toEnvironment();
        assertFalse(env.containsKey(Handover.READY_FD));
        assertEquals("1700000000000", env.get(Handover.SAME_PID));
        Handover in = Handover.parse(env);
        assertTrue(in.isSamePid());
        assertEquals(4242, in.parentPid);
        assertEquals(2, in.generation);
        assertEquals(-1, in.readyFd);
        assertEquals(1_700_000_000_000L, in.execMillis);
        assertEquals(57, in.listeners.get(0).fd);
    }

    @Test
    void aSpawnedChildIsNotASamePidRestart() {
        assertFalse(Handover.parse(valid()).isSamePid());
    }

    @Test
    void aSamePidRestartWithAReadyFdOrABadTimeIsRefused() {
        Map<String, String> both = valid();
        both.put(Handover.SAME_PID, "1700000000000");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Handover.parse(both)).getMessage()
                .contains(Handover.READY_FD));
        for (String bad : new String[] {"", "yes", "0", "-5"}) {
            Map<String, String> env = valid();
            env.remove(Handover.READY_FD);
            env.put(Handover.SAME_PID, bad);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Handover.parse(env)).getMessage()
                    .contains(Handover.SAME_PID), bad);
        }
    }
}

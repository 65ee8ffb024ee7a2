package graceful.agent.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreflightTest {
    @Test
    void listeningSocketsAreReadFromProcNetTcpWithTheirPortAndInode() {
        List<String> table = List.of(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0",
                "   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 123457 1 0000000000000000 20 4 30 10 -1",
                "   2: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0");
        assertEquals(Map.of(123456L, 8080, 99L, 80), Preflight.listeningPortsByInode(table));
    }

    @Test
    void onlySocketLinksHaveAnInode() {
        assertEquals(42L, Preflight.inodeOf("socket:[42]"));
        assertNull(Preflight.inodeOf("pipe:[42]"));
        assertNull(Preflight.inodeOf("/etc/hostname"));
    }
}

package graceful.agent.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreflightTest {
    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

    @Test
    void listeningSocketsAreReadFromProcNetTcpWithTheirPortAndInode() throws IOException {
        assertEquals(Map.of(123456L, 8080, 99L, 80), Preflight.listeningPortsByInode(table(
                HEADER,
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0",
                "   1: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0",
                "   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 123457 1 0000000000000000 20 4 30 10 -1")));
    }

    @Test
    void readingStopsAtTheFirstSocketThatIsNotListeningSinceTheKernelListsListenersFirst() throws IOException {
        assertEquals(Map.of(123456L, 8080), Preflight.listeningPortsByInode(table(
                HEADER,
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0",
                "   1: 0100007F:1F90 0100007F:D431 06 00000000:00000000 03:00000F2C 00000000     0        0 0 3 0000000000000000",
                "   2: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0")));
    }

    @Test
    void halfOpenConnectionsListedAmongTheListenersByOldKernelsAreSkipped() throws IOException {
        assertEquals(Map.of(123456L, 8080, 777L, 8081), Preflight.listeningPortsByInode(table(
                HEADER,
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0",
                "   1: 0100007F:1F90 0100007F:D431 03 00000000:00000000 01:00000064 00000000     0        0 0 0 0000000000000000",
                "   2: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0")));
    }

    @Test
    void anEmptyTableHasNoListeners() throws IOException {
        assertEquals(Map.of(), Preflight.listeningPortsByInode(table(HEADER)));
        assertEquals(Map.of(), Preflight.listeningPortsByInode(table()));
    }

    private static BufferedReader table(String... lines) {
        return new BufferedReader(new StringReader(String.join("\n", lines)));
    }

    @Test
    void onlySocketLinksHaveAnInode() {
        assertEquals(42L, Preflight.inodeOf("socket:[42]"));
        assertNull(Preflight.inodeOf("pipe:[42]"));
        assertNull(Preflight.inodeOf("/etc/hostname"));
    }
}

package graceful.agent.upgrade;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What would make a restart fail, found before one is tried, so it can be refused with a line
 * that says why instead of failing obscurely in the new JVM.
 */
public final class Preflight {
    private static final String LISTEN = "0A";
    private static final String SYN_RECV = "03";

    private Preflight() {}

    /**
     * Why this JVM cannot be restarted, or null if nothing stands in the way. {@code samePid}: the
     * restart replaces this process's image, so being PID 1 is fine (no child to lose with it).
     */
    static String refusal(Set<Long> managedListenerInodes, Set<Long> rejectedAtStart, boolean samePid) {
        if (!samePid && ProcessHandle.current().pid() == 1) {
            return pid1();
        }
        Set<Integer> rejected = new TreeSet<>();
        Set<Integer> ports = new TreeSet<>();
        unmanagedListeningPorts(managedListenerInodes).forEach((inode, port) ->
                (rejectedAtStart.contains(inode) ? rejected : ports).add(port));
        if (!rejected.isEmpty()) {
            return "port(s) " + rejected + " listen on sockets this JVM was started with in its restart variables,"
                    + " which graceful refused to inherit at startup (see the line then): a restart would drop them."
                    + " Start the app without those variables.";
        }
        if (!ports.isEmpty()) {
            return "port(s) " + ports + " listen in this JVM but are not managed by graceful (bound by native code, or with"
                    + " -Djdk.net.usePlainSocketImpl=true, or an AsynchronousServerSocketChannel): the new JVM could not bind"
                    + " them. For Netty, use its NIO transport (-Dio.netty.transport.noNative=true).";
        }
        return null;
    }

    public static String pid1() {
        return "this JVM is PID 1 of its PID namespace (a container's main process): when it exits, the kernel kills the"
                + " new JVM too. Run it under an init process (docker run --init, tini, dumb-init), or set restartMode=exec.";
    }

    /** Inode to port of TCP sockets this process holds open that are listening but not among the managed ones. */
    static Map<Long, Integer> unmanagedListeningPorts(Set<Long> managedInodes) {
        Set<Long> mine = openSocketInodes();
        Map<Long, Integer> ports = new HashMap<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            try (BufferedReader lines = Files.newBufferedReader(Path.of(table), StandardCharsets.US_ASCII)) {
                listeningPortsByInode(lines).forEach((inode, port) -> {
                    if (mine.contains(inode) && !managedInodes.contains(inode)) {
                        ports.put(inode, port);
                    }
                });
            } catch (IOException noSuchTable) {
                // no IPv6 on this host, say: nothing listens there
            }
        }
        return ports;
    }

    /**
     * Parses /proc/net/tcp or tcp6: the inode and local port of each socket in state LISTEN. The
     * tables list every TCP socket of the network namespace: tens of thousands on a busy server,
     * mostly TIME_WAIT: with 70,000 here, reading them all cost each restart 250-300 ms. The
     * kernel lists the listening sockets first (tcp_get_idx walks the listening hash before the
     * established one, which holds every other state), so reading stops at the first socket that
     * is not listening: the cost is that of the listeners, not of the traffic. Kernels before 4.4
     * list each listener's half-open connections (SYN_RECV) right after it: skipped.
     */
    static Map<Long, Integer> listeningPortsByInode(BufferedReader table) throws IOException {
        Map<Long, Integer> ports = new HashMap<>();
        table.readLine(); // the header
        for (String line = table.readLine(); line != null; line = table.readLine()) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && SYN_RECV.equals(f[3])) {
                continue;
            }
            if (f.length <= 9 || !LISTEN.equals(f[3])) {
                break;
            }
            String local = f[1];
            int port = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
            ports.put(Long.parseLong(f[9]), port);
        }
        return ports;
    }

    static Set<Long> openSocketInodes() {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                Long inode = socketInode(fd);
                if (inode != null) {
                    inodes.add(inode);
                }
            }
        } catch (IOException e) {
            // cannot list: claim nothing
        }
        return inodes;
    }

    /** The inode of a socket fd from its /proc link ({@code socket:[123]}), or null. */
    static Long socketInode(Path procFd) {
        try {
            return inodeOf(Files.readSymbolicLink(procFd).toString());
        } catch (NoSuchFileException closed) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    static Long inodeOf(String link) {
        return link.startsWith("socket:[") && link.endsWith("]")
                ? Long.valueOf(link.substring("socket:[".length(), link.length() - 1)) : null;
    }
}

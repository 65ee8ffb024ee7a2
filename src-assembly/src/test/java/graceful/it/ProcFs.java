package graceful.it;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What /proc says about a process: its executable, open fds and sockets, listeners, threads,
 * parent, children, pid namespaces, signals.
 */
final class ProcFs {
    private ProcFs() {}

    /** The {@code socket:[inode]} entries among the process's open fds. */
    static Set<String> sockets(long pid) throws IOException {
        Set<String> sockets = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        sockets.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // an fd closed between listing and reading: not open, not counted
                }
            }
        }
        return sockets;
    }

    /** Pids of the process's children, reaped or not (a zombie child is still listed). */
    static List<Long> children(long pid) throws IOException {
        List<Long> children = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                String text = Files.readString(task.resolve("children")).strip();
                for (String child : text.isEmpty() ? new String[0] : text.split("\\s+")) {
                    children.add(Long.parseLong(child));
                }
            }
        }
        return children;
    }

    /** Like {@link #children}, but none once the process itself is gone (for polling). */
    static List<Long> childrenOrNone(long pid) {
        try {
            return children(pid);
        } catch (IOException gone) {
            return List.of();
        }
    }

    /** The process's executable as the kernel shows it ({@code /proc/pid/exe}, with " (deleted)" if it is). */
    static String executable(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
    }

    /**
     * The {@code NSpid:} line of /proc/pid/status: the process's pid in each PID namespace from
     * this one down to its own (one entry unless it runs in a nested PID namespace).
     */
    static List<Long> namespacePids(long pid) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String nsPid : statusField(pid, "NSpid").split("\\s+")) {
            pids.add(Long.parseLong(nsPid));
        }
        return pids;
    }

    /**
     * The TCP sockets in state LISTEN in the process's network namespace (its
     * {@code net/tcp} and {@code net/tcp6}): local port by socket inode.
     */
    static Map<Long, Integer> listeningPortsByInode(long pid) throws IOException {
        Map<Long, Integer> ports = new HashMap<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path path = Path.of("/proc/" + pid + "/net/" + table);
            if (!Files.exists(path)) {
                continue; // no IPv6 here
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length > 9 && fields[3].equals("0A")) {
                    String local = fields[1];
                    ports.put(Long.parseLong(fields[9]), Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    /** How many fds the process has open. */
    static int fdCount(long pid) throws IOException {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            int count = 0;
            for (Path ignored : fds) {
                count++;
            }
            return count;
        }
    }

    /** The {@code Threads:} line of /proc/pid/status. */
    static int threadCount(long pid) throws IOException {
        return Integer.parseInt(statusField(pid, "Threads"));
    }

    /**
     * When the process started, in clock ticks after boot (field 22 of /proc/pid/stat): the fork,
     * not the last exec, so it tells a process apart from a later one that reuses its pid.
     */
    static long startTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(afterName[22 - 3]); // fields 3.. follow the name
    }

    /** The {@code PPid:} line of /proc/pid/status. */
    static long parentPid(long pid) throws IOException {
        return Long.parseLong(statusField(pid, "PPid"));
    }

    /** Whether the process ignores signal {@code number} (its bit in {@code SigIgn:}). */
    static boolean ignoresSignal(long pid, int number) throws IOException {
        long ignored = Long.parseUnsignedLong(statusField(pid, "SigIgn"), 16);
        return (ignored & (1L << (number - 1))) != 0;
    }

    private static String statusField(long pid, String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).strip();
            }
        }
        throw new IOException("no " + name + " in /proc/" + pid + "/status");
    }

    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }
}

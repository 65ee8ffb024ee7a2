package graceful.it;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What /proc says about a process: its open sockets and its children. */
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

    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }
}

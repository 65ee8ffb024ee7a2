package graceful.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reading the log file all generations of a test's server append to (their stdout and stderr,
 * so graceful's lines too). ISO-8859-1, so that no byte sequence makes a read fail.
 */
final class ServerLog {
    private ServerLog() {}

    static boolean contains(Path log, String text) {
        return !linesWith(log, text).isEmpty();
    }

    /** Waits until a line contains {@code text}; false if none does after the timeout. */
    static boolean await(Path log, String text, Duration timeout) throws InterruptedException {
        return Await.until(() -> contains(log, text), timeout);
    }

    /** The lines containing {@code text}, joined for an assertion message; empty if none or unreadable. */
    static String linesWith(Path log, String text) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return lines.stream().filter(line -> line.contains(text)).collect(Collectors.joining("\n"));
        } catch (IOException unreadable) {
            return "";
        }
    }

    /** Whether each text occurs in the log, and each first after the previous one's first occurrence. */
    static boolean inOrder(Path log, String... texts) {
        String all;
        try {
            all = Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException unreadable) {
            return false;
        }
        int from = 0;
        for (String text : texts) {
            int at = all.indexOf(text, from);
            if (at < 0) {
                return false;
            }
            from = at + text.length();
        }
        return true;
    }

    /** graceful's own lines (the agent prefixes each with {@code graceful[pid}), for assertion messages. */
    static String gracefulLines(Path log) {
        return "\n  " + linesWith(log, "graceful[pid").replace("\n", "\n  ");
    }
}

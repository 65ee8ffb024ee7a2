package graceful.agent.supervise;

import graceful.agent.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The pid of the JVM that serves, in a file: written when a JVM starts to serve (so it always
 * names a JVM that accepts), replaced whole by each new generation (a temporary file renamed
 * over it: a reader sees the old pid or the new one, never an empty or partial file), removed
 * by a graceful stop.
 */
final class Pidfile implements Supervisor {
    private final Path path;
    private final long pid = ProcessHandle.current().pid();

    Pidfile(Path path) {
        this.path = path;
    }

    @Override
    public void serving(boolean tookOverFromAnotherJvm) {
        Path temporary = path.resolveSibling(path.getFileName() + "." + pid + ".tmp");
        try {
            Files.write(temporary, (pid + "\n").getBytes(StandardCharsets.US_ASCII));
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Log.debug("wrote pid " + pid + " to " + path);
        } catch (IOException | RuntimeException e) {
            Log.warn("could not write the pidfile " + path + " (" + e + "); set pidfile to a writable path");
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }

    @Override
    public void restarting() {
        // the pidfile keeps naming this JVM until the new one serves
    }

    @Override
    public void restartFailed() {
    }

    /** Removes the file if it still names this JVM (a newer generation's is not ours to remove). */
    @Override
    public void stopping() {
        try {
            if (Files.readString(path, StandardCharsets.US_ASCII).strip().equals(Long.toString(pid))) {
                Files.delete(path);
            }
        } catch (IOException | RuntimeException e) {
            Log.debug("pidfile " + path + " not removed (" + e + ")");
        }
    }
}

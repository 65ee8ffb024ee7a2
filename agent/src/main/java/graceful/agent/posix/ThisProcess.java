package graceful.agent.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's pid, as every JVM start needs it: ProcessHandle's first use costs a few ms, /proc/self a read. */
public final class ThisProcess {
    private static final long PID = readPid();

    private ThisProcess() {}

    public static long pid() {
        return PID;
    }

    private static long readPid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid();
        }
    }
}

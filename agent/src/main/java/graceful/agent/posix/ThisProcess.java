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

    /**
     * Milliseconds since this process started (10 ms resolution), or -1. From /proc/self/stat's
     * start time and /proc/uptime, both counted from boot: ProcessHandle's start instant adds the
     * boot time, which Linux gives in whole seconds, so its age was up to a second too long.
     */
    public static long millisSinceStart() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name (which may hold spaces): state is field 3, starttime field 22.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(fields[22 - 3]);
            String uptime = Files.readString(Path.of("/proc/uptime"));
            double uptimeSeconds = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
            return Math.max(0, Math.round(uptimeSeconds * 1000) - startTicks * 1000 / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** USER_HZ: 100 on every Linux architecture graceful runs on. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private static long readPid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid();
        }
    }
}

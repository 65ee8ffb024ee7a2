package graceful.agent.inherit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * systemd socket activation (sd_listen_fds(3)) as a way in: {@code LISTEN_FDS} listening sockets
 * from fd 3 on, meant for the process {@code LISTEN_PID}. graceful treats them as inherited
 * listeners of a first generation: the app's bind of the same address and port takes one over.
 * Pure parsing; whether the fds are real is {@link Inheritance}'s business.
 */
public final class SocketActivation {
    public static final String LISTEN_PID = "LISTEN_PID";
    public static final String LISTEN_FDS = "LISTEN_FDS";
    public static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";
    private static final int FIRST_FD = 3;
    /** More than any socket unit passes; a larger count is garbage. */
    private static final int MAX_FDS = 1024;

    private SocketActivation() {}

    public static boolean present(Map<String, String> environment) {
        return environment.containsKey(LISTEN_FDS) || environment.containsKey(LISTEN_PID);
    }

    public static boolean isVariable(String name) {
        return name.equals(LISTEN_PID) || name.equals(LISTEN_FDS) || name.equals(LISTEN_FDNAMES);
    }

    /**
     * The fds systemd passed to this process: none when the variables are absent or meant for
     * another process (LISTEN_PID is not this pid).
     *
     * @throws IllegalArgumentException naming the variable and what is wrong with it
     */
    static List<Integer> fds(Map<String, String> environment, long ownPid) {
        String pid = environment.get(LISTEN_PID);
        String count = environment.get(LISTEN_FDS);
        if (pid == null && count == null) {
            return List.of();
        }
        if (pid == null || count == null) {
            throw new IllegalArgumentException((pid == null ? LISTEN_FDS : LISTEN_PID) + " is set but "
                    + (pid == null ? LISTEN_PID : LISTEN_FDS) + " is missing");
        }
        long listenPid = number(LISTEN_PID, pid, 1, Long.MAX_VALUE);
        int fds = (int) number(LISTEN_FDS, count, 0, MAX_FDS);
        if (listenPid != ownPid) {
            return List.of(); // for another process (a parent that did not clear them)
        }
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < fds; i++) {
            numbers.add(FIRST_FD + i);
        }
        return numbers;
    }

    private static long number(String name, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " holds '" + text + "', not a number");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " holds " + value + ", outside " + min + ".." + max);
        }
        return value;
    }
}

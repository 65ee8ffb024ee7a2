package graceful.agent.inherit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The restart variables a parent puts in its child's environment, and their parsing. Pure logic:
 * whether the fds they name are real is {@link Inheritance}'s business.
 *
 * <pre>
 * GRACEFUL_INHERIT_PARENT_PID=4242
 * GRACEFUL_INHERIT_GENERATION=2
 * GRACEFUL_INHERIT_READY_FD=5
 * GRACEFUL_INHERIT_LISTENERS=3/*&#47;8080/1234567,4/127.0.0.1/9090/1234568   (fd/host/port/socket inode)
 * </pre>
 *
 * <p>A same-pid restart (restartMode=exec) has no parent and no ready pipe: the process replaced
 * its own image. It names itself as the "parent" and says when it did it, instead of a ready fd:
 *
 * <pre>
 * GRACEFUL_INHERIT_PARENT_PID=4242          (its own pid)
 * GRACEFUL_INHERIT_GENERATION=2
 * GRACEFUL_INHERIT_SAME_PID=1717171717171   (wall-clock ms of the exec; its presence is the marker)
 * GRACEFUL_INHERIT_LISTENERS=57/127.0.0.1/8080/1234567
 * </pre>
 */
public final class Handover {
    public static final String PREFIX = "GRACEFUL_INHERIT_";
    public static final String PARENT_PID = PREFIX + "PARENT_PID";
    public static final String GENERATION = PREFIX + "GENERATION";
    public static final String READY_FD = PREFIX + "READY_FD";
    public static final String LISTENERS = PREFIX + "LISTENERS";
    public static final String SAME_PID = PREFIX + "SAME_PID";

    /** One listening socket handed to the child. */
    public static final class Listener {
        public final int fd;
        public final Endpoint endpoint;
        public final long inode;

        public Listener(int fd, Endpoint endpoint, long inode) {
            this.fd = fd;
            this.endpoint = endpoint;
            this.inode = inode;
        }

        @Override
        public String toString() {
            return endpoint + " (fd " + fd + ")";
        }
    }

    public final long parentPid;
    public final int generation;
    /** The ready pipe's write end, or -1 in a same-pid restart. */
    public final int readyFd;
    public final List<Listener> listeners;
    /** A same-pid restart: the wall-clock ms at which the process replaced its image; 0 otherwise. */
    public final long execMillis;

    public Handover(long parentPid, int generation, int readyFd, List<Listener> listeners) {
        this(parentPid, generation, readyFd, listeners, 0);
    }

    private Handover(long parentPid, int generation, int readyFd, List<Listener> listeners, long execMillis) {
        this.parentPid = parentPid;
        this.generation = generation;
        this.readyFd = readyFd;
        this.listeners = Collections.unmodifiableList(new ArrayList<>(listeners));
        this.execMillis = execMillis;
    }

    /** What a process that replaces its own image at {@code execMillis} hands the new image. */
    public static Handover samePid(long pid, int generation, List<Listener> listeners, long execMillis) {
        if (execMillis <= 0) {
            throw new IllegalArgumentException("execMillis must be positive");
        }
        return new Handover(pid, generation, -1, listeners, execMillis);
    }

    public boolean isSamePid() {
        return execMillis > 0;
    }

    /** Whether the environment holds any restart variable at all. */
    public static boolean present(Map<String, String> environment) {
        for (String name : environment.keySet()) {
            if (name.startsWith(PREFIX)) {
                return true;
            }
        }
        return false;
    }

    public Map<String, String> toEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(PARENT_PID, Long.toString(parentPid));
        env.put(GENERATION, Integer.toString(generation));
        if (isSamePid()) {
            env.put(SAME_PID, Long.toString(execMillis));
        } else {
            env.put(READY_FD, Integer.toString(readyFd));
        }
        StringBuilder list = new StringBuilder();
        for (Listener l : listeners) {
            if (list.length() > 0) {
                list.append(',');
            }
            list.append(l.fd).append('/').append(l.endpoint.host).append('/').append(l.endpoint.port).append('/').append(l.inode);
        }
        env.put(LISTENERS, list.toString());
        return env;
    }

    /** @throws IllegalArgumentException naming the variable and what is wrong with it */
    public static Handover parse(Map<String, String> environment) {
        long parent = number(environment, PARENT_PID, 1, Long.MAX_VALUE);
        int generation = (int) number(environment, GENERATION, 2, Integer.MAX_VALUE);
        boolean samePid = environment.containsKey(SAME_PID);
        long execMillis = samePid ? number(environment, SAME_PID, 1, Long.MAX_VALUE) : 0;
        if (samePid && environment.containsKey(READY_FD)) {
            throw new IllegalArgumentException(SAME_PID + " (a same-pid restart) comes without " + READY_FD);
        }
        int readyFd = samePid ? -1 : (int) number(environment, READY_FD, 3, Integer.MAX_VALUE);
        String text = required(environment, LISTENERS);
        List<Listener> listeners = new ArrayList<>();
        for (String item : text.isEmpty() ? new String[0] : text.split(",", -1)) {
            String[] parts = item.split("/", -1);
            if (parts.length != 4 || parts[1].isEmpty()) {
                throw new IllegalArgumentException(LISTENERS + " entry '" + item + "' is not fd/host/port/inode");
            }
            int fd = (int) parse(LISTENERS, parts[0], 3, Integer.MAX_VALUE);
            int port = (int) parse(LISTENERS, parts[2], 1, 65535);
            long inode = parse(LISTENERS, parts[3], 1, Long.MAX_VALUE);
            if (fd == readyFd) {
                throw new IllegalArgumentException(LISTENERS + " names fd " + fd + ", which is also " + READY_FD);
            }
            for (Listener other : listeners) {
                if (other.fd == fd) {
                    throw new IllegalArgumentException(LISTENERS + " names fd " + fd + " twice");
                }
            }
            listeners.add(new Listener(fd, new Endpoint(parts[1], port), inode));
        }
        return new Handover(parent, generation, readyFd, listeners, execMillis);
    }

    private static String required(Map<String, String> environment, String name) {
        String value = environment.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        return value.trim();
    }

    private static long number(Map<String, String> environment, String name, long min, long max) {
        return parse(name, required(environment, name), min, max);
    }

    private static long parse(String name, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " holds '" + text + "', not a number");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " holds " + value + ", outside " + min + ".." + max);
        }
        return value;
    }
}

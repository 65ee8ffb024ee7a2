package graceful.agent.inherit;

import graceful.agent.log.Log;
import graceful.agent.posix.JdkSockets;
import graceful.agent.posix.ThisProcess;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The new JVM's side of a restart: the parent's listeners waiting to be taken over, and the
 * ready pipe to tell the parent once all are.
 */
public final class Inheritance {
    /** Frames that mark a bind as a listener's bind (client sockets and UDP reach Net.bind too). */
    private static final Set<String> LISTENER_BINDERS = Set.of(
            "sun.nio.ch.ServerSocketChannelImpl", "java.net.ServerSocket",
            "sun.nio.ch.AsynchronousServerSocketChannelImpl", "sun.nio.ch.UnixAsynchronousServerSocketChannelImpl");

    private final JdkSockets sockets;
    private final Duration settle;
    private final int generation;
    private final int readyFd;
    private final List<Handover.Listener> waiting;
    private final int inherited;
    /** Socket inodes named in the restart variables that failed the checks: left open, never used. */
    private final Set<Long> rejected;
    private boolean readySent;
    private long lastListenerBindNanos;
    private ScheduledExecutorService settleTimer;
    private volatile Runnable onReady;
    /** The addresses whose listeners this JVM took over rather than bound. */
    private final Set<Endpoint> takenOver = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final long parentPid;
    /** A same-pid restart: the wall-clock ms at which this process replaced its image; 0 otherwise. */
    private final long execMillis;

    private Inheritance(JdkSockets sockets, Duration settle, int generation, int readyFd, List<Handover.Listener> waiting,
                        Set<Long> rejected, long parentPid) {
        this(sockets, settle, generation, readyFd, waiting, rejected, parentPid, 0);
    }

    private Inheritance(JdkSockets sockets, Duration settle, int generation, int readyFd, List<Handover.Listener> waiting,
                        Set<Long> rejected, long parentPid, long execMillis) {
        this.parentPid = parentPid;
        this.execMillis = execMillis;
        this.rejected = Set.copyOf(rejected);
        this.sockets = sockets;
        this.settle = settle;
        this.generation = generation;
        this.readyFd = readyFd;
        this.waiting = new ArrayList<>(waiting);
        this.inherited = waiting.size();
        // A first generation is ready at once, unless systemd passed it listeners to take over. A
        // same-pid restart has no pipe but must still say it is ready (systemd waits after RELOADING=1).
        this.readySent = readyFd < 0 && waiting.isEmpty() && execMillis == 0;
    }

    /** A first-generation JVM: nothing to inherit. */
    public static Inheritance none(JdkSockets sockets) {
        return new Inheritance(sockets, Duration.ZERO, 1, -1, List.of(), Set.of(), 0);
    }

    /**
     * Reads and checks the restart variables. Anything wrong means: inherit nothing, touch no fd
     * the variables name, bind normally, and say why.
     */
    public static Inheritance fromEnvironment(Map<String, String> environment, JdkSockets sockets, Duration settle) {
        if (!Handover.present(environment)) {
            return SocketActivation.present(environment) ? socketActivated(environment, sockets, settle) : none(sockets);
        }
        Handover handover;
        try {
            handover = Handover.parse(environment);
        } catch (IllegalArgumentException malformed) {
            Log.warn("ignoring the restart variables (" + malformed.getMessage() + "); binding normally");
            return none(sockets);
        }
        Log.generation(handover.generation);
        if (handover.isSamePid()) {
            return samePid(handover, sockets, settle);
        }
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        if (parent != handover.parentPid) {
            Log.warn("ignoring the restart variables: they were made for a child of pid " + handover.parentPid
                    + ", and this JVM's parent is pid " + parent + " (copied into another process?); binding normally");
            return none(sockets);
        }
        if (!JdkSockets.describe(handover.readyFd).startsWith("pipe:")) {
            Log.warn("ignoring the restart variables: " + Handover.READY_FD + "=" + handover.readyFd
                    + " is not a pipe here; binding normally");
            return none(sockets);
        }
        List<Handover.Listener> usable = new ArrayList<>();
        Set<Long> rejected = new HashSet<>();
        checkListeners(handover, sockets, usable, rejected);
        return new Inheritance(sockets, settle, handover.generation, handover.readyFd, usable, rejected, handover.parentPid);
    }

    /**
     * This process replaced its own image (restartMode=exec): the variables must name this very
     * process, since the previous image was this pid; a copy in any other process names another.
     */
    private static Inheritance samePid(Handover handover, JdkSockets sockets, Duration settle) {
        long own = ProcessHandle.current().pid();
        if (handover.parentPid != own) {
            Log.warn("ignoring the restart variables: they were made for a same-pid restart of pid " + handover.parentPid
                    + ", and this JVM is pid " + own + " (copied into another process?); binding normally");
            return none(sockets);
        }
        List<Handover.Listener> usable = new ArrayList<>();
        Set<Long> rejected = new HashSet<>();
        checkListeners(handover, sockets, usable, rejected);
        return new Inheritance(sockets, settle, handover.generation, -1, usable, rejected, own, handover.execMillis);
    }

    private static void checkListeners(Handover handover, JdkSockets sockets, List<Handover.Listener> usable,
                                       Set<Long> rejected) {
        for (Handover.Listener listener : handover.listeners) {
            String problem = checkListener(listener, sockets);
            if (problem == null) {
                usable.add(listener);
            } else {
                rejected.add(listener.inode);
                Log.warn("not inheriting " + listener + ": " + problem + "; that address binds normally");
            }
        }
    }

    /**
     * A first generation started by systemd socket activation: the listeners it passed wait for
     * the app's binds like inherited ones. An fd that is not a listening TCP socket is left alone.
     */
    private static Inheritance socketActivated(Map<String, String> environment, JdkSockets sockets, Duration settle) {
        List<Integer> fds;
        try {
            fds = SocketActivation.fds(environment, ProcessHandle.current().pid());
        } catch (IllegalArgumentException malformed) {
            Log.warn("ignoring systemd's socket activation variables (" + malformed.getMessage() + "); binding normally");
            return none(sockets);
        }
        List<Handover.Listener> usable = new ArrayList<>();
        for (int fd : fds) {
            Long inode = inodeOf(JdkSockets.describe(fd));
            String problem = inode == null ? "fd " + fd + " is not a socket" : null;
            Endpoint endpoint = null;
            try {
                if (problem == null && sockets.socketType(fd) != JdkSockets.SOCK_STREAM) {
                    problem = "fd " + fd + " is not a TCP socket";
                } else if (problem == null && !sockets.isListening(fd)) {
                    problem = "fd " + fd + " is not listening";
                } else if (problem == null) {
                    endpoint = Endpoint.of(sockets.localAddress(fd));
                }
            } catch (IOException | RuntimeException e) {
                problem = "fd " + fd + " cannot be inspected: " + e.getMessage();
            }
            if (problem == null) {
                usable.add(new Handover.Listener(fd, endpoint, inode));
            } else {
                Log.warn("not using the socket systemd passed as fd " + fd + ": " + problem + "; it is left alone");
            }
        }
        if (!usable.isEmpty()) {
            Log.info("socket activation: the app's binds to " + usable + " take over the sockets systemd passed");
        }
        return new Inheritance(sockets, settle, 1, -1, usable, Set.of(), 0);
    }

    private static Long inodeOf(String fdLink) {
        if (!fdLink.startsWith("socket:[") || !fdLink.endsWith("]")) {
            return null;
        }
        try {
            return Long.parseLong(fdLink.substring("socket:[".length(), fdLink.length() - 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Null if the fd is exactly the listening socket the parent named, else what is wrong. */
    static String checkListener(Handover.Listener listener, JdkSockets sockets) {
        String actual = JdkSockets.describe(listener.fd);
        if (!actual.equals("socket:[" + listener.inode + "]")) {
            return "fd " + listener.fd + " is " + (actual.isEmpty() ? "not open" : actual)
                    + ", not the parent's socket:[" + listener.inode + "]";
        }
        if (sockets.socketType(listener.fd) != JdkSockets.SOCK_STREAM) {
            return "fd " + listener.fd + " is not a TCP socket";
        }
        try {
            if (!sockets.isListening(listener.fd)) {
                return "fd " + listener.fd + " is not listening";
            }
            Endpoint actualEndpoint = Endpoint.of(sockets.localAddress(listener.fd));
            if (!actualEndpoint.equals(listener.endpoint)) {
                return "fd " + listener.fd + " listens on " + actualEndpoint + ", not " + listener.endpoint;
            }
        } catch (IOException e) {
            return "fd " + listener.fd + " cannot be inspected: " + e.getMessage();
        }
        return null;
    }

    public int generation() {
        return generation;
    }

    /** Whether this JVM is a same-pid restart: the previous generation was this process's previous image. */
    public boolean isSamePid() {
        return execMillis > 0;
    }

    /** The JVM this one took over from, or 0. */
    public long parentPid() {
        return parentPid;
    }

    /** Whether this JVM took over the listener on {@code endpoint} (from its parent, or from systemd). */
    public boolean tookOver(Endpoint endpoint) {
        return takenOver.contains(endpoint);
    }

    /** Inodes of the sockets the restart variables named and the checks refused. */
    public Set<Long> rejected() {
        return rejected;
    }

    /** Whether this JVM has taken over everything it inherited and said so (always, in a first generation). */
    public synchronized boolean isReady() {
        return readySent;
    }

    /**
     * The bind hook: if an inherited listener waits for this address and port and the caller is
     * binding a listener, make the caller's fd that listener and skip the real bind.
     */
    public boolean bind(FileDescriptor fd, InetAddress address, int port) {
        Handover.Listener match;
        synchronized (this) {
            if (waiting.isEmpty()) {
                return false;
            }
            match = find(Endpoint.of(address, port));
            if (match == null || !calledToBindAListener()) {
                return false;
            }
            int target = sockets.fdOf(fd);
            if (sockets.socketType(target) != JdkSockets.SOCK_STREAM) {
                return false;
            }
            try {
                sockets.dup2(match.fd, target);
            } catch (IOException | RuntimeException failed) {
                Log.warn("could not take over " + match + " (" + failed + "); binding normally");
                return false;
            }
            // From here on the socket is ours: report success whatever happens next.
            waiting.remove(match);
            takenOver.add(match.endpoint);
            try {
                sockets.close(match.fd);
            } catch (IOException | RuntimeException ignored) {
                // the inherited number stays open: a leaked fd, not a failed bind
            }
        }
        Log.debug("took over " + match.endpoint + " from the previous generation");
        readyIfNothingWaits();
        return true;
    }

    /** Tells the parent this JVM is ready if no inherited listener is left to take over. */
    public void readyIfNothingWaits() {
        synchronized (this) {
            if (readySent || !waiting.isEmpty()) {
                return;
            }
            readySent = true;
        }
        sendReady("took over " + inherited + " listener(s)");
    }

    /**
     * The app starts binding a listener, inherited or new. The ready rule when the new version does
     * not bind every inherited listener: once {@code settle} passes without another listener bind,
     * this JVM counts as ready and closes the inherited listeners it did not take.
     */
    public void listenerBinding() {
        synchronized (this) {
            if (readySent || waiting.isEmpty()) {
                return;
            }
            lastListenerBindNanos = System.nanoTime();
            if (settleTimer == null) {
                settleTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "graceful-ready-settle");
                    t.setDaemon(true);
                    return t;
                });
            }
            settleTimer.schedule(this::readyIfSettled, settle.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void readyIfSettled() {
        List<Handover.Listener> untaken;
        synchronized (this) {
            if (readySent || waiting.isEmpty() || System.nanoTime() - lastListenerBindNanos < settle.toNanos()) {
                return;
            }
            readySent = true;
            untaken = new ArrayList<>(waiting);
            waiting.clear();
        }
        List<Endpoint> endpoints = new ArrayList<>();
        untaken.forEach(listener -> endpoints.add(listener.endpoint));
        Log.info("this version does not bind " + endpoints + ": no listener bind for " + settle.toMillis()
                + " ms, so it counts as ready and closes them after telling the previous generation");
        sendReady("took over " + (inherited - untaken.size()) + " of " + inherited + " listener(s)");
        for (Handover.Listener listener : untaken) {
            try {
                sockets.close(listener.fd);
            } catch (IOException | RuntimeException e) {
                Log.warn("could not close " + listener + ": " + e);
            }
        }
    }

    private void sendReady(String what) {
        synchronized (this) {
            if (settleTimer != null) {
                settleTimer.shutdown();
            }
        }
        if (readyFd >= 0) {
            try (FileOutputStream ready = new FileOutputStream(sockets.descriptor(readyFd))) {
                ready.write('R');
            } catch (IOException | RuntimeException failed) {
                Log.warn("could not tell the previous generation that this one is ready: " + failed);
                return;
            }
        }
        // After an exec the process's start time is the first image's, so a same-pid restart counts from the exec.
        long sinceStart = execMillis > 0 ? System.currentTimeMillis() - execMillis : ThisProcess.millisSinceStart();
        Runnable announce = () -> {
            Runnable listener = onReady;
            if (listener != null && (readyFd >= 0 || execMillis > 0)) {
                try {
                    listener.run();
                } catch (RuntimeException failure) {
                    Log.warn("after taking over the listeners: " + failure);
                }
            }
            Log.info("ready: " + what + ", " + sinceStart + " ms after this JVM started"
                    + (execMillis > 0 ? " (same pid: replaced its own image)" : ""));
        };
        // Off the app's thread: the listeners serve already, and announcing ready may need native
        // calls (onReady) and graceful's first log line, which starts tinylog (~60 ms), while the
        // app, whose bind this is, has not yet started accepting.
        Thread thread = new Thread(announce, "graceful-ready");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs once this JVM has told its predecessor it is ready (not in a first generation), before
     * the line that says so; in a same-pid restart, on a thread of its own.
     */
    public void onReady(Runnable listener) {
        onReady = listener;
    }

    private Handover.Listener find(Endpoint endpoint) {
        for (Handover.Listener listener : waiting) {
            if (listener.endpoint.equals(endpoint)) {
                return listener;
            }
        }
        return null;
    }

    private static boolean calledToBindAListener() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> LISTENER_BINDERS.contains(f.getClassName())));
    }
}

package graceful.agent.upgrade;

import graceful.agent.drain.Drainer;
import graceful.agent.inherit.Endpoint;
import graceful.agent.inherit.Handover;
import graceful.agent.log.Log;
import graceful.agent.log.Timestamps;
import graceful.agent.posix.JdkSockets;
import graceful.agent.posix.Posix;
import graceful.agent.supervise.Supervisor;
import graceful.agent.track.Listener;
import graceful.agent.track.Tracker;
import java.io.FileInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The old JVM's side of a restart (spawn, wait for ready or roll back, then drain) and of a
 * graceful stop (drain, then exit). One of these at a time; the state says which.
 */
public final class Upgrader {
    private enum State { SERVING, UPGRADING, DRAINING, STOPPING }

    private static final Duration KILL_AFTER_TERM = Duration.ofSeconds(5);

    private final Tracker tracker;
    private final JdkSockets sockets;
    private final Drainer drainer;
    private final int generation;
    private final Duration readyTimeout;
    /** False while this JVM is still taking over its predecessor's listeners: no upgrade before that. */
    private final BooleanSupplier thisJvmIsReady;
    /** Inodes of sockets this JVM was started with and graceful refused to inherit. */
    private final Supplier<Set<Long>> rejectedAtStart;
    /**
     * Runs the upgrade itself, which blocks while it waits for ready, and the drain. Made at the
     * first restart or stop, as is {@link #timer}: the executor classes cost every start a few
     * ms, and most JVMs never restart.
     */
    private ScheduledExecutorService worker;
    /** Runs the ready timeout, which must fire while the worker blocks. */
    private ScheduledExecutorService timer;

    private State state = State.SERVING;
    /** The exit status of a stop requested while an upgrade was under way. */
    private int stopStatus;
    /** The child of the upgrade under way, until it is ready or reaped: a reaped pid may be reused. */
    private volatile int unreapedChild = -1;
    private Posix posix;
    /**
     * jffi and its native library, loaded on a thread of their own as a restart is requested (tens
     * of ms) while the request's first log line starts tinylog (as long again): two cores, half the wait.
     */
    private FutureTask<Posix> natives;
    /** Hears of restarts and stops (systemd, the pidfile). */
    private final Supervisor supervisor;
    /** Whether the supervisor was told of the restart under way, so it must hear how it ended. */
    private boolean restartAnnounced;
    /** How the last restart went (none yet, under way, refused, rolled back, handed over), for the status MBean. */
    private final AtomicReference<String> lastRestart;
    /** restartMode=exec: a restart replaces this process's image in place instead of spawning a new JVM. */
    private final boolean samePid;
    /**
     * The restart signal's number. A same-pid restart execs with it ignored: a default disposition
     * would let a second signal during the new image's startup end the process before graceful
     * can handle it. The new image handles it again once ready (Signals).
     */
    private final int restartSignal;
    /** A stop signal while draining or stopping: the JVM exits at once, and a same-pid restart does not exec. */
    private volatile boolean exitNow;

    /**
     * The exit status of a same-pid restart whose exec failed after the drain: the listeners no
     * longer accept here and cannot be given back to the app (a selector's listener is closed), so
     * the JVM ends with it and its supervisor starts it again.
     */
    static final int EXEC_FAILED_STATUS = 1;

    public Upgrader(Tracker tracker, JdkSockets sockets, Drainer drainer, int generation, Duration readyTimeout,
                    BooleanSupplier thisJvmIsReady, Supplier<Set<Long>> rejectedAtStart, Supervisor supervisor,
                    AtomicReference<String> lastRestart, boolean samePid, int restartSignal) {
        this.samePid = samePid;
        this.restartSignal = restartSignal;
        this.lastRestart = lastRestart;
        this.supervisor = supervisor;
        this.rejectedAtStart = rejectedAtStart;
        this.tracker = tracker;
        this.sockets = sockets;
        this.drainer = drainer;
        this.generation = generation;
        this.readyTimeout = readyTimeout;
        this.thisJvmIsReady = thisJvmIsReady;
    }

    private synchronized ScheduledExecutorService worker() {
        if (worker == null) {
            worker = daemon("graceful-upgrade");
        }
        return worker;
    }

    private synchronized ScheduledExecutorService timer() {
        if (timer == null) {
            timer = daemon("graceful-timer");
        }
        return timer;
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Asks for an upgrade; ignored, with a line, while one is under way. Returns at once. */
    public void request(String reason) {
        if (!thisJvmIsReady.getAsBoolean()) {
            Log.info(reason + " ignored: this JVM is not ready yet (it has not taken over all its predecessor's listeners)");
            return;
        }
        synchronized (this) {
            if (state != State.SERVING) {
                Log.info(reason + " ignored: " + describe(state));
                return;
            }
            state = State.UPGRADING;
        }
        lastRestart.set("under way since " + Timestamps.utcNow() + " (" + reason + ")");
        // The work starts before the line: the first line of a JVM starts tinylog (~60 ms), which
        // then runs beside the work's own first steps instead of before them. The work's lines
        // come after its spawn, and wait for this one (Log writes a JVM's first line before any other).
        loadNatives();
        worker().execute(samePid ? this::replaceInPlace : this::upgrade);
        Log.info(reason + ": upgrade started");
    }

    /**
     * A graceful stop: stop accepting, drain, exit with the given status. A new JVM still starting
     * is stopped first. A second stop request while stopping exits at once.
     */
    public void stop(String reason, int exitStatus) {
        State was;
        synchronized (this) {
            was = state;
            if (was == State.SERVING || was == State.UPGRADING) {
                state = State.STOPPING;
                stopStatus = exitStatus;
            }
        }
        switch (was) {
            case SERVING:
                Log.info(reason + ": stopping gracefully (no longer accepting, draining, then exit status " + exitStatus + ")");
                supervisor.stopping();
                worker().execute(() -> drain(exitStatus));
                break;
            case UPGRADING:
                Log.info(reason + ": stopping gracefully; first stopping the new JVM, which is not ready yet");
                supervisor.stopping();
                int child = unreapedChild;
                if (child > 0) {
                    stopChild(child);
                }
                break; // the upgrade sees STOPPING once its child is gone, and drains
            default:
                exitNow = true;
                Log.info(reason + " while " + describe(was) + ": exiting now with status " + exitStatus);
                new Thread(() -> System.exit(exitStatus), "graceful-exit").start();
                break;
        }
    }

    private synchronized FutureTask<Posix> loadNatives() {
        if (natives == null) {
            natives = new FutureTask<>(Posix::new);
            Thread loader = new Thread(natives, "graceful-natives");
            loader.setDaemon(true);
            loader.start();
        }
        return natives;
    }

    /** Waits for the native layer: a failure to load it fails this restart, which rolls back. */
    private void posix() throws InterruptedException {
        if (posix != null) {
            return;
        }
        try {
            posix = loadNatives().get();
        } catch (ExecutionException failed) {
            synchronized (this) {
                natives = null; // the next restart tries again
            }
            Throwable cause = failed.getCause();
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw cause instanceof RuntimeException ? (RuntimeException) cause : new IllegalStateException(cause);
        }
    }

    private static String describe(State state) {
        switch (state) {
            case UPGRADING: return "an upgrade is under way";
            case DRAINING: return "already handed over, draining";
            case STOPPING: return "stopping";
            default: return "serving";
        }
    }

    private void upgrade() {
        long started = System.nanoTime();
        int pid = -1;
        int readEnd = -1;
        boolean ready = false;
        try {
            Handed handed = listenersToHandOver();
            String refusal = Preflight.refusal(handed.managedInodes, rejectedAtStart.get(), false);
            if (refusal != null) {
                Log.warn("restart refused, still serving: " + refusal);
                lastRestart.set("refused at " + Timestamps.utcNow() + ": " + refusal);
                afterUpgrade(false, -1);
                return;
            }
            if (stopping()) {
                afterUpgrade(false, -1); // a stop came before the new JVM was started: do not start it
                return;
            }
            CommandLine command = CommandLine.ofThisProcess();
            supervisor.restarting();
            restartAnnounced = true;
            posix();
            int[] pipe = posix.pipe();
            readEnd = pipe[0];
            List<Integer> passed = new ArrayList<>(handed.fds);
            int readyFd = 3 + passed.size();
            passed.add(pipe[1]);
            Handover handover = new Handover(ProcessHandle.current().pid(), generation + 1, readyFd, handed.listeners);
            try {
                pid = posix.spawn(command.executable, command.arguments,
                        CommandLine.environment(System.getenv(), handover), passed);
            } finally {
                posix.close(pipe[1]);
            }
            unreapedChild = pid;
            Log.info("started the new JVM, pid " + pid + " (generation " + (generation + 1) + "), handing it "
                    + handed.listeners.size() + " listener(s): " + handed.listeners);
            int child = pid;
            ScheduledFuture<?> timeout = timer().schedule(() -> {
                Log.warn("the new JVM pid " + child + " was not ready within " + readyTimeout.toMillis() + " ms; stopping it");
                stopChild(child);
            }, readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            drainer.prepare();
            ready = awaitReady(readEnd);
            readEnd = -1;
            timeout.cancel(false);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (ready) {
                unreapedChild = -1;
                Log.info("new JVM pid " + pid + " is ready " + elapsed + " ms after the upgrade started; draining");
                lastRestart.set("handed over to pid " + pid + ", ready " + elapsed + " ms after the upgrade started; draining");
                supervisor.handingOver(pid);
            } else {
                String ended = reap(pid);
                Log.warn("rollback: the new JVM pid " + pid + " ended before it was ready (" + ended
                        + ", after " + elapsed + " ms); still serving. See its output above for why.");
                lastRestart.set("rolled back at " + Timestamps.utcNow() + ": the new JVM pid " + pid + " ended before it"
                        + " was ready (" + ended + ", after " + elapsed + " ms)");
            }
        } catch (IOException expected) {
            // The new JVM could not be started: java gone, fork limit, out of memory, ...
            Log.warn("rollback: could not start the new JVM: " + expected.getMessage() + "; still serving");
            lastRestart.set("rolled back at " + Timestamps.utcNow() + ": could not start the new JVM: " + expected.getMessage());
            stopAndReapIfStarted(pid);
        } catch (Throwable failure) {
            Log.error("rollback: the upgrade failed (" + failure + "); still serving", failure);
            lastRestart.set("rolled back at " + Timestamps.utcNow() + ": " + failure);
            stopAndReapIfStarted(pid);
        } finally {
            if (readEnd >= 0) {
                posix.close(readEnd);
            }
        }
        afterUpgrade(ready, pid);
    }

    /**
     * A same-pid restart (restartMode=exec): keep each listening socket open in a copy of its fd
     * that survives exec, stop accepting as a drain does (the app's fd is closed or pointed at the
     * private socket; the socket itself stays open and listening through the copy, so new
     * connections wait in its accept queue), drain, then exec this process's own command line
     * with the copies described in the restart variables. Everything up to the drain can still be
     * refused or fail with the JVM serving on; from the drain on there is no way back.
     */
    private void replaceInPlace() {
        List<Integer> copies = new ArrayList<>();
        try {
            Handed handed = listenersToHandOver();
            String refusal = Preflight.refusal(handed.managedInodes, rejectedAtStart.get(), true);
            if (refusal != null) {
                Log.warn("restart refused, still serving: " + refusal);
                lastRestart.set("refused at " + Timestamps.utcNow() + ": " + refusal);
                afterUpgrade(false, -1);
                return;
            }
            CommandLine command = CommandLine.ofThisProcess(); // checked now: after the drain a missing java is fatal
            posix();
            List<Handover.Listener> kept = new ArrayList<>();
            for (int i = 0; i < handed.fds.size(); i++) {
                int copy = posix.dupForExec(handed.fds.get(i));
                copies.add(copy);
                Handover.Listener listener = handed.listeners.get(i);
                kept.add(new Handover.Listener(copy, listener.endpoint, listener.inode));
            }
            drainer.prepare();
            boolean stopCame;
            synchronized (this) {
                stopCame = state != State.UPGRADING;
                if (!stopCame) {
                    state = State.DRAINING;
                }
            }
            if (stopCame) { // it drains and exits instead
                copies.forEach(posix::close);
                afterUpgrade(false, -1);
                return;
            }
            supervisor.restartingInPlace();
            Log.info("replacing this process in place (same pid " + ProcessHandle.current().pid() + ", generation "
                    + (generation + 1) + ") with " + kept.size() + " listener(s) kept open: " + kept
                    + "; new connections wait in their queues until the new JVM accepts");
            lastRestart.set("replacing this process in place since " + Timestamps.utcNow());
            drainer.drainThen("replacing this process image (exec)", () -> exec(command, kept, copies));
        } catch (Throwable failure) {
            boolean drainStarted;
            synchronized (this) {
                drainStarted = state == State.DRAINING;
            }
            if (drainStarted) {
                Log.error("same-pid restart failed after this JVM stopped accepting (" + failure + "); exiting with status "
                        + EXEC_FAILED_STATUS, failure);
                System.exit(EXEC_FAILED_STATUS);
                return;
            }
            Log.error("restart failed before anything changed (" + failure + "); still serving", failure);
            lastRestart.set("failed at " + Timestamps.utcNow() + ": " + failure);
            if (posix != null) {
                copies.forEach(posix::close);
            }
            afterUpgrade(false, -1);
        }
    }

    /**
     * Ends the drained JVM by exec: from the last step of System.exit when possible, so the app's
     * shutdown hooks run first; if the exec fails, the JVM exits with {@link #EXEC_FAILED_STATUS}.
     */
    private void exec(CommandLine command, List<Handover.Listener> kept, List<Integer> copies) {
        long pid = ProcessHandle.current().pid();
        Runnable exec = () -> {
            if (exitNow) {
                return; // a stop signal came during the drain: the JVM exits as it asked
            }
            Handover handover = Handover.samePid(pid, generation + 1, kept, System.currentTimeMillis());
            try {
                posix.replaceImage(command.executable, command.arguments,
                        CommandLine.environment(System.getenv(), handover), copies, restartSignal);
            } catch (IOException | RuntimeException | LinkageError failed) {
                Log.error("same-pid restart: could not replace this process image (" + failed + "); this JVM no longer"
                        + " accepts, so it exits with status " + EXEC_FAILED_STATUS + " for its supervisor to start it again", failed);
            }
        };
        if (LastShutdownStep.register(exec)) {
            System.exit(EXEC_FAILED_STATUS); // only if the exec fails does the JVM end with this status
        } else {
            exec.run();
            System.exit(EXEC_FAILED_STATUS);
        }
    }

    /** The listeners to hand over: their fds here, and how the new JVM finds them. */
    private static final class Handed {
        final List<Handover.Listener> listeners = new ArrayList<>();
        final List<Integer> fds = new ArrayList<>();
        /** Every listener graceful manages, handed over or not (port 0): the rest are unmanaged. */
        final Set<Long> managedInodes = new HashSet<>();
    }

    private Handed listenersToHandOver() {
        Handed handed = new Handed();
        for (Listener listener : tracker.openListeners()) {
            int fd = tracker.fdOf(listener);
            Endpoint endpoint = listener.endpoint();
            Long inode = Preflight.inodeOf(JdkSockets.describe(fd));
            if (fd < 0 || endpoint == null || inode == null || !listener.isManaged()) {
                continue; // closed meanwhile, or not one graceful can hand over (Preflight names its port)
            }
            handed.managedInodes.add(inode);
            if (listener.isEphemeral()) {
                Log.info("not handing over " + endpoint + ": it was bound to port 0, the new JVM binds its own");
                continue;
            }
            handed.listeners.add(new Handover.Listener(3 + handed.fds.size(), endpoint, inode));
            handed.fds.add(fd);
        }
        Long own = Preflight.inodeOf(JdkSockets.describe(drainer.privateSocketFd()));
        if (own != null) {
            handed.managedInodes.add(own); // left from an upgrade that rolled back
        }
        return handed;
    }

    private void stopAndReapIfStarted(int pid) {
        if (pid > 0 && unreapedChild == pid) {
            stopChild(pid);
            Log.info("the new JVM pid " + pid + " ended: " + reap(pid));
        }
    }

    private synchronized boolean stopping() {
        return state == State.STOPPING;
    }

    /** Ready: hand over and drain. Not ready: serve on, unless a stop came meanwhile. */
    private void afterUpgrade(boolean ready, int child) {
        State now;
        synchronized (this) {
            now = state;
            if (now == State.UPGRADING) {
                state = ready ? State.DRAINING : State.SERVING;
            }
        }
        boolean announced = restartAnnounced;
        restartAnnounced = false;
        if (announced && !ready && now == State.UPGRADING) {
            supervisor.restartFailed();
        }
        if (now == State.STOPPING) {
            if (ready) {
                Log.info("the new JVM pid " + child + " became ready as the stop came: stopping it too");
                posix.kill(child, Posix.SIGTERM);
            }
            drain(stopStatus);
        } else if (ready) {
            drain(0);
        }
    }

    private void drain(int exitStatus) {
        try {
            drainer.drain(exitStatus);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(exitStatus);
        }
    }

    /** Blocks until the child writes its ready byte (true) or the pipe's far end closes (false: the child ended). */
    private boolean awaitReady(int readEnd) throws IOException {
        try (FileInputStream in = new FileInputStream(sockets.descriptor(readEnd))) {
            return in.read() == 'R';
        }
    }

    /** TERM, then KILL if it still has not ended. Its end of the ready pipe closes, and awaitReady returns. */
    private void stopChild(int pid) {
        if (unreapedChild == pid) {
            posix.kill(pid, Posix.SIGTERM);
        }
        timer().schedule(() -> {
            if (unreapedChild == pid) {
                posix.kill(pid, Posix.SIGKILL);
            }
        }, KILL_AFTER_TERM.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for the child to end, so that it does not stay a zombie, and says how it ended. */
    private String reap(int pid) {
        try {
            return posix.waitFor(pid);
        } catch (IOException e) {
            return "could not reap it: " + e.getMessage();
        } finally {
            unreapedChild = -1;
        }
    }
}

package graceful.agent.upgrade;

import graceful.agent.drain.Drainer;
import graceful.agent.inherit.Endpoint;
import graceful.agent.inherit.Handover;
import graceful.agent.log.Log;
import graceful.agent.posix.JdkSockets;
import graceful.agent.posix.Posix;
import graceful.agent.track.Listener;
import graceful.agent.track.Tracker;
import java.io.FileInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/** The old JVM's side of a restart: spawn, wait for ready or rollback, then hand over to drain. */
public final class Upgrader {
    private enum State { SERVING, UPGRADING, DRAINING }

    private static final Duration KILL_AFTER_TERM = Duration.ofSeconds(5);

    private final AtomicReference<State> state = new AtomicReference<>(State.SERVING);
    private final Tracker tracker;
    /** False while this JVM is still taking over its predecessor's listeners: no upgrade before that. */
    private final BooleanSupplier thisJvmIsReady;
    private final JdkSockets sockets;
    private final Drainer drainer;
    private final int generation;
    private final Duration readyTimeout;
    /** Runs the upgrade itself, which blocks while it waits for ready. */
    private final ScheduledExecutorService worker = daemon("graceful-upgrade");
    /** Runs the ready timeout, which must fire while the worker blocks. */
    private final ScheduledExecutorService timer = daemon("graceful-timer");
    /** The child of the upgrade under way, until it is ready or reaped: a reaped pid may be reused. */
    private volatile int unreapedChild = -1;
    private Posix posix;

    public Upgrader(Tracker tracker, JdkSockets sockets, Drainer drainer, int generation, Duration readyTimeout,
                    BooleanSupplier thisJvmIsReady) {
        this.thisJvmIsReady = thisJvmIsReady;
        this.tracker = tracker;
        this.sockets = sockets;
        this.drainer = drainer;
        this.generation = generation;
        this.readyTimeout = readyTimeout;
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
        if (!state.compareAndSet(State.SERVING, State.UPGRADING)) {
            Log.info(reason + " ignored: " + (state.get() == State.DRAINING ? "already handed over, draining" : "an upgrade is under way"));
            return;
        }
        Log.info(reason + ": upgrade started");
        worker.execute(this::upgrade);
    }

    private void upgrade() {
        long started = System.nanoTime();
        int pid = -1;
        int readEnd = -1;
        try {
            if (posix == null) {
                posix = new Posix();
            }
            List<Handover.Listener> handed = new ArrayList<>();
            List<Integer> passed = new ArrayList<>();
            for (Listener listener : tracker.openListeners()) {
                int fd = tracker.fdOf(listener);
                Endpoint endpoint = listener.endpoint();
                String socket = JdkSockets.describe(fd);
                if (fd < 0 || endpoint == null || !socket.startsWith("socket:[")) {
                    continue; // closed meanwhile
                }
                if (listener.isEphemeral()) {
                    Log.info("not handing over " + endpoint + ": it was bound to port 0, the new JVM binds its own");
                    continue;
                }
                long inode = Long.parseLong(socket.substring("socket:[".length(), socket.length() - 1));
                handed.add(new Handover.Listener(3 + passed.size(), endpoint, inode));
                passed.add(fd);
            }
            int[] pipe = posix.pipe();
            readEnd = pipe[0];
            int readyFd = 3 + passed.size();
            passed.add(pipe[1]);
            Handover handover = new Handover(ProcessHandle.current().pid(), generation + 1, readyFd, handed);
            CommandLine command = CommandLine.ofThisProcess();
            try {
                pid = posix.spawn(command.executable, command.arguments,
                        CommandLine.environment(System.getenv(), handover), passed);
            } finally {
                posix.close(pipe[1]);
            }
            Log.info("started the new JVM, pid " + pid + " (generation " + (generation + 1) + "), handing it "
                    + handed.size() + " listener(s): " + handed);
            unreapedChild = pid;
            int child = pid;
            ScheduledFuture<?> timeout = timer.schedule(() -> {
                Log.warn("the new JVM pid " + child + " was not ready within " + readyTimeout.toMillis() + " ms; stopping it");
                stop(child);
            }, readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            boolean ready = awaitReady(readEnd);
            readEnd = -1;
            timeout.cancel(false);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (ready) {
                unreapedChild = -1;
                Log.info("new JVM pid " + pid + " is ready " + elapsed + " ms after the upgrade started; draining");
                state.set(State.DRAINING);
                drainer.drain();
                return;
            }
            String status = reap(pid);
            Log.warn("rollback: the new JVM pid " + pid + " ended before it was ready (" + status
                    + ", after " + elapsed + " ms); still serving. See its output above for why.");
        } catch (Throwable failure) {
            Log.error("rollback: the upgrade failed (" + failure + "); still serving", failure);
            if (unreapedChild > 0) {
                stop(pid);
                Log.info("the new JVM pid " + pid + " ended: " + reap(pid));
            }
        } finally {
            if (readEnd >= 0) {
                posix.close(readEnd);
            }
        }
        state.compareAndSet(State.UPGRADING, State.SERVING);
    }

    /** Blocks until the child writes its ready byte (true) or the pipe's far end closes (false: the child ended). */
    private boolean awaitReady(int readEnd) throws IOException {
        try (FileInputStream in = new FileInputStream(sockets.descriptor(readEnd))) {
            return in.read() == 'R';
        }
    }

    /** TERM, then KILL if it still has not ended. Its end of the ready pipe closes, and awaitReady returns. */
    private void stop(int pid) {
        if (unreapedChild == pid) {
            posix.kill(pid, Posix.SIGTERM);
        }
        timer.schedule(() -> {
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

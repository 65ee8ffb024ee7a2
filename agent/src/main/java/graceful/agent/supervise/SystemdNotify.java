package graceful.agent.supervise;

import graceful.agent.log.Log;
import graceful.agent.posix.UnixDatagram;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * sd_notify(3) without libsystemd: each message is one datagram to the Unix socket named in
 * {@code NOTIFY_SOCKET}. Sent from graceful's own thread, in order, since the first native call
 * loads jffi and its native library (tens of ms) and must not delay the app.
 */
final class SystemdNotify implements Supervisor {
    static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
    /** A stop waits this long for STOPPING=1 to go out before the drain goes on. */
    private static final long STOPPING_WAIT_MILLIS = 2_000;

    private final String socket;
    private final long pid = ProcessHandle.current().pid();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "graceful-notify");
        thread.setDaemon(true);
        return thread;
    });

    private SystemdNotify(String socket) {
        this.socket = socket;
    }

    /** The notifier when systemd asked for notifications, else null. */
    static SystemdNotify fromEnvironment(Map<String, String> environment) {
        String socket = environment.get(NOTIFY_SOCKET);
        if (socket == null || socket.isEmpty()) {
            return null;
        }
        if (!socket.startsWith("/") && !socket.startsWith("@")) {
            Log.warn(NOTIFY_SOCKET + "='" + socket + "' is neither a socket path nor an abstract name (@...);"
                    + " systemd will not hear from graceful");
            return null;
        }
        return new SystemdNotify(socket);
    }

    @Override
    public void serving(boolean tookOverFromAnotherJvm) {
        send(NotifyMessages.ready(pid, tookOverFromAnotherJvm));
    }

    @Override
    public void restarting() {
        send(NotifyMessages.reloading(System.nanoTime() / 1000));
    }

    /** As stopping: the exec would end the sender thread with RELOADING=1 unsent. */
    @Override
    public void restartingInPlace() {
        awaitSent(send(NotifyMessages.reloading(System.nanoTime() / 1000)));
    }

    /**
     * The new JVM names itself the main pid when it is ready, but on its own thread after loading
     * jffi: this JVM may have drained and exited by then, and systemd, seeing its main pid exit,
     * would stop the service. So this JVM names the new one before it drains.
     */
    @Override
    public void handingOver(long newPid) {
        awaitSent(send(NotifyMessages.mainPid(newPid)));
    }

    @Override
    public void restartFailed() {
        send(NotifyMessages.reloadFailed());
    }

    @Override
    public void stopping() {
        awaitSent(send(NotifyMessages.stopping()));
    }

    private static void awaitSent(Future<?> sent) {
        try {
            sent.get(STOPPING_WAIT_MILLIS, TimeUnit.MILLISECONDS); // before the exit can end the sender thread
        } catch (Exception notInTime) {
            // logged by the sender if it failed; a slow send does not hold up the stop
        }
    }

    private Future<?> send(String message) {
        return sender.submit(() -> {
            try {
                UnixDatagram.send(socket, message);
                Log.debug("told systemd " + message.replace('\n', ' '));
            } catch (RuntimeException | LinkageError e) {
                Log.warn("could not tell systemd " + message.replace('\n', ' ') + " through " + socket + " (" + e + ")");
            }
        });
    }
}

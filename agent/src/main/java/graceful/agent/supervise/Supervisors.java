package graceful.agent.supervise;

import graceful.agent.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Every supervisor this JVM has (the status MBean; systemd if NOTIFY_SOCKET is set; a pidfile if
 * one is set), and
 * the rule for when a first JVM serves: one second after its last listener bind, since no JVM
 * can know that its app will bind no further listener.
 */
public final class Supervisors implements Supervisor {
    private static final long FIRST_SERVING_SETTLE_MILLIS = 1_000;

    private final List<Supervisor> supervisors;
    private boolean served;
    private long lastListenerBindNanos;
    private ScheduledExecutorService settleTimer;

    private Supervisors(List<Supervisor> supervisors) {
        this.supervisors = supervisors;
    }

    public static Supervisors of(Settings settings, Map<String, String> environment, Status status) {
        List<Supervisor> supervisors = new ArrayList<>();
        supervisors.add(status);
        SystemdNotify systemd = SystemdNotify.fromEnvironment(environment);
        if (systemd != null) {
            supervisors.add(systemd);
        }
        if (settings.pidfile != null) {
            supervisors.add(new Pidfile(settings.pidfile));
        }
        return new Supervisors(supervisors);
    }

    /** A first-generation JVM starts binding a listener: it serves once a second passes without another. */
    public void firstGenerationBindsAListener() {
        synchronized (this) {
            if (served || supervisors.isEmpty()) {
                return;
            }
            lastListenerBindNanos = System.nanoTime();
            if (settleTimer == null) {
                settleTimer = Executors.newSingleThreadScheduledExecutor(new SettleThreads());
            }
            settleTimer.schedule(new Settled(), FIRST_SERVING_SETTLE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void servingIfSettled() {
        synchronized (this) {
            if (System.nanoTime() - lastListenerBindNanos < TimeUnit.MILLISECONDS.toNanos(FIRST_SERVING_SETTLE_MILLIS)) {
                return; // another bind came: its own check follows
            }
        }
        serving(false);
    }

    @Override
    public void serving(boolean tookOverFromAnotherJvm) {
        synchronized (this) {
            if (served) {
                return;
            }
            served = true;
            if (settleTimer != null) {
                settleTimer.shutdown();
            }
        }
        supervisors.forEach(supervisor -> supervisor.serving(tookOverFromAnotherJvm));
    }

    @Override
    public void restarting() {
        supervisors.forEach(Supervisor::restarting);
    }

    @Override
    public void restartingInPlace() {
        supervisors.forEach(Supervisor::restartingInPlace);
    }

    @Override
    public void restartFailed() {
        supervisors.forEach(Supervisor::restartFailed);
    }

    @Override
    public void stopping() {
        supervisors.forEach(Supervisor::stopping);
    }

    // Classes, not lambdas: the first listener bind is on the app's startup path, and each lambda
    // costs the JVM about half a millisecond the first time (it spins a class).

    /** The settle timer's thread: a daemon. */
    private static final class SettleThreads implements ThreadFactory {
        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "graceful-serving-settle");
            thread.setDaemon(true);
            return thread;
        }
    }

    /** A second after a listener bind. */
    private final class Settled implements Runnable {
        @Override
        public void run() {
            servingIfSettled();
        }
    }
}

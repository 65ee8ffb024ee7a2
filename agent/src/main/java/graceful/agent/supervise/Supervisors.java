package graceful.agent.supervise;

import graceful.agent.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    /** Waits out the settle second after each listener bind; ends once this JVM serves. */
    private Thread settleThread;

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
            if (settleThread == null) {
                // A thread of its own rather than a scheduled executor: the first bind is on the
                // app's startup path, and the executor's ~25 JDK classes cost it a few ms.
                settleThread = new Thread(new Settle(), "graceful-serving-settle");
                settleThread.setDaemon(true);
                settleThread.start();
            }
        }
    }

    @Override
    public void serving(boolean tookOverFromAnotherJvm) {
        synchronized (this) {
            if (served) {
                return;
            }
            served = true;
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
    public void handingOver(long newPid) {
        for (Supervisor supervisor : supervisors) {
            supervisor.handingOver(newPid);
        }
    }

    @Override
    public void restartFailed() {
        supervisors.forEach(Supervisor::restartFailed);
    }

    @Override
    public void stopping() {
        supervisors.forEach(Supervisor::stopping);
    }

    /**
     * This JVM serves once a second has passed since its last listener bind. A class, not a
     * lambda: each lambda costs the JVM about half a millisecond the first time (it spins a class).
     */
    private final class Settle implements Runnable {
        @Override
        public void run() {
            long settle = TimeUnit.MILLISECONDS.toNanos(FIRST_SERVING_SETTLE_MILLIS);
            while (true) {
                long wait;
                synchronized (Supervisors.this) {
                    if (served) {
                        return;
                    }
                    wait = lastListenerBindNanos + settle - System.nanoTime();
                }
                if (wait <= 0) {
                    serving(false);
                    return;
                }
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}

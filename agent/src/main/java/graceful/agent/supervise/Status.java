package graceful.agent.supervise;

import graceful.agent.log.Log;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * The status MBean. Registered once the JVM serves and the platform MBeanServer exists or is
 * asked for (by the app, or by the JDK's JMX agent as jconsole or {@code jcmd ManagementAgent.start}
 * starts it), whichever comes last, on a thread of its own. Not earlier: creating the platform
 * MBeanServer loads about 700 classes and registers every platform MXBean, 8-13 MiB of resident
 * memory in a JVM that nobody ever looks at over JMX. Anyone who looks must ask for that server
 * first, which is when graceful registers. Not on the asking thread: it holds the lock of
 * {@code ManagementFactory}; the registration waits for it and for the server.
 */
public final class Status implements StatusMBean, Supervisor {
    public static final String NAME = "dev.graceful:type=Graceful";

    private final int generation;
    private final long parentPid;
    private final Supplier<List<String>> listeners;
    private final IntSupplier liveConnections;
    private final AtomicReference<String> lastRestart;
    private volatile boolean serving;
    private volatile boolean wanted;
    private final AtomicBoolean registering = new AtomicBoolean();

    public Status(int generation, long parentPid, Supplier<List<String>> listeners, IntSupplier liveConnections,
                  AtomicReference<String> lastRestart) {
        this.generation = generation;
        this.parentPid = parentPid;
        this.listeners = listeners;
        this.liveConnections = liveConnections;
        this.lastRestart = lastRestart;
    }

    @Override
    public void serving(boolean tookOverFromAnotherJvm) {
        serving = true;
        if (wanted || platformServerMayExist()) {
            registerInBackground();
        }
    }

    /**
     * At the start of every {@code ManagementFactory.getPlatformMBeanServer}. Both this and
     * {@link #serving} set their flag before they read the other's, so whichever comes last
     * registers.
     */
    public void platformMBeanServerWanted() {
        wanted = true;
        if (serving) {
            registerInBackground();
        }
    }

    /**
     * Whether an MBeanServer was made before graceful could see it asked for (e.g. by a JMX agent
     * started before graceful's patch was in): then register as soon as the JVM serves.
     */
    private static boolean platformServerMayExist() {
        try {
            return !MBeanServerFactory.findMBeanServer(null).isEmpty();
        } catch (RuntimeException | LinkageError e) {
            return true; // let the registration itself tell why JMX is not there
        }
    }

    @Override
    public void restarting() {
    }

    @Override
    public void restartFailed() {
    }

    @Override
    public void stopping() {
    }

    /** Registers it on a daemon thread, once; a failure costs one line. */
    private void registerInBackground() {
        if (!registering.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                ManagementFactory.getPlatformMBeanServer().registerMBean(this, new ObjectName(NAME));
            } catch (Exception | LinkageError e) {
                Log.warn("the " + NAME + " MBean is not available (" + e + ")");
            }
        }, "graceful-jmx");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public int getGeneration() {
        return generation;
    }

    @Override
    public long getPid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public long getParentPid() {
        return parentPid;
    }

    @Override
    public String[] getListeners() {
        return listeners.get().toArray(new String[0]);
    }

    @Override
    public int getLiveConnections() {
        return liveConnections.getAsInt();
    }

    @Override
    public String getLastRestart() {
        return lastRestart.get();
    }
}

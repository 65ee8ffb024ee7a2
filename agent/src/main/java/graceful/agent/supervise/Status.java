package graceful.agent.supervise;

import graceful.agent.log.Log;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import javax.management.ObjectName;

/**
 * The status MBean. Registered once the JVM serves, on a thread of its own: loading JMX costs
 * tens of milliseconds, which the app's startup does not pay.
 */
public final class Status implements StatusMBean, Supervisor {
    public static final String NAME = "dev.graceful:type=Graceful";

    private final int generation;
    private final long parentPid;
    private final Supplier<List<String>> listeners;
    private final IntSupplier liveConnections;
    private final AtomicReference<String> lastRestart;

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
        registerInBackground();
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

    /** Registers it on a daemon thread; a failure costs one line. */
    private void registerInBackground() {
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

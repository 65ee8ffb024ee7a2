package graceful.agent.supervise;

/** What JMX shows of graceful, as {@code dev.graceful:type=Graceful}. Open types only, for any JMX client. */
public interface StatusMBean {
    /** 1 for the JVM started by hand (or by systemd), one more for each restart since. */
    int getGeneration();

    long getPid();

    /** The pid of the JVM this one took over from, or 0 for a first generation. */
    long getParentPid();

    /** Each listener: its address and whether it was inherited or bound by this JVM. */
    String[] getListeners();

    /** Connections accepted on the listeners and still open. */
    int getLiveConnections();

    /** How this JVM's last restart went: none yet, under way, refused, rolled back, or handed over (and timings). */
    String getLastRestart();
}

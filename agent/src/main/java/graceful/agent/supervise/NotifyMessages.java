package graceful.agent.supervise;

/**
 * The sd_notify(3) messages graceful sends, one datagram each. A new JVM names itself the main
 * pid before it says READY, since systemd knows only the JVM it started (hence NotifyAccess=all).
 */
final class NotifyMessages {
    private NotifyMessages() {}

    static String ready(long pid, boolean tookOverFromAnotherJvm) {
        return tookOverFromAnotherJvm ? "MAINPID=" + pid + "\nREADY=1" : "READY=1";
    }

    /** Sent by the old JVM as it hands over, so that the main pid never names an exited process. */
    static String mainPid(long pid) {
        return "MAINPID=" + pid;
    }

    /** {@code monotonicMicros}: CLOCK_MONOTONIC, which is what System.nanoTime reads on Linux. */
    static String reloading(long monotonicMicros) {
        return "RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros;
    }

    /** A rolled-back restart: the reload is over and this JVM is what serves. */
    static String reloadFailed() {
        return "READY=1\nSTATUS=restart rolled back; the previous JVM serves on";
    }

    static String stopping() {
        return "STOPPING=1";
    }
}

package graceful.bootstrap;

/** {@code java -jar graceful.jar}: says what this jar is and how to use it. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String version = Main.class.getPackage().getImplementationVersion();
        System.out.print("graceful " + (version == null ? "(development build)" : version)
                + ": zero-downtime restarts for JVM servers.\n"
                + "\n"
                + "  java -javaagent:graceful.jar[=name=value,...] [JVM options] -jar app.jar [arguments]\n"
                + "  kill -HUP <pid>    restart: a new JVM with the same command line takes over the\n"
                + "                     listening sockets; the old one finishes its connections and exits\n"
                + "  kill -TERM <pid>   stop: stop accepting, finish the connections, exit\n"
                + "\n"
                + "Settings, with their defaults; each as an agent argument (drainTimeout=10s),\n"
                + "a system property (-Dgraceful.drainTimeout=10s) or in the environment\n"
                + "(GRACEFUL_DRAIN_TIMEOUT=10s):\n"
                + "  drainTimeout=30s     the old JVM waits this long for its connections to close\n"
                + "  readyTimeout=60s     the old JVM waits this long for the new one to be ready\n"
                + "  readySettle=5s       a new JVM binding fewer listeners is ready this long after its last bind\n"
                + "  stopOnTerm=true      SIGTERM and SIGINT stop gracefully; false: the JVM's own behaviour\n"
                + "  closeKeepAlive=true  a draining JVM's next HTTP/1.1 response says Connection: close\n"
                + "  restartSignal=HUP    the signal that starts a restart\n"
                + "  pidfile=             a file that always holds the serving JVM's pid (default: none)\n"
                + "  restartMode=spawn    spawn: a new JVM (new pid); exec: drain, then replace this process (same pid)\n"
                + "  logLevel=info        trace, debug, info, warn, error or off\n"
                + "\n"
                + "Details: README.md, beside graceful.jar in graceful-<version>.tar.gz.\n");
    }
}

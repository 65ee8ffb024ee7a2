package graceful.bootstrap;

/** {@code java -jar graceful.jar}: says what this jar is and how to use it. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String version = Main.class.getPackage().getImplementationVersion();
        System.out.println("graceful " + (version == null ? "(development build)" : version)
                + ": zero-downtime restarts for JVM servers.");
        System.out.println();
        System.out.println("  java -javaagent:graceful.jar -jar app.jar    run your server under graceful");
        System.out.println("  kill -HUP <pid>                              restart it: a new JVM takes over the");
        System.out.println("                                               listening sockets, the old one drains");
        System.out.println();
        System.out.println("Settings: -javaagent:graceful.jar=drainTimeout=30s,readyTimeout=60s");
        System.out.println("          or -Dgraceful.drainTimeout=30s, or GRACEFUL_DRAIN_TIMEOUT=30s");
    }
}

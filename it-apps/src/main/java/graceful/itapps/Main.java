package graceful.itapps;

/**
 * {@code java -jar it-apps.jar <app> <port> [bindHost]}: runs one of the small servers graceful
 * is tested against. Each is written the way a real server of its kind is, so the integration
 * tests exercise the JDK code paths real servers use (HttpServer, ServerSocket, Selector).
 */
public final class Main {

    static final String DEFAULT_BIND_HOST = "127.0.0.1";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            usage();
        }
        String app = args[0];
        int port = parsePort(args[1]);
        String bindHost = args.length == 3 ? args[2] : DEFAULT_BIND_HOST;
        switch (app) {
            case HttpServerApp.NAME -> HttpServerApp.run(bindHost, port);
            case BlockingApp.NAME -> BlockingApp.run(bindHost, port);
            case NioApp.NAME -> NioApp.run(bindHost, port);
            default -> usage();
        }
    }

    /** The line the harness and humans wait for: printed once the listener is bound and accepting. */
    static void announceListening(String app, String bindHost, int boundPort) {
        System.out.println("graceful-it-app " + app + " listening on " + bindHost + ":" + boundPort
                + " pid " + ProcessHandle.current().pid());
        System.out.flush();
    }

    private static int parsePort(String port) {
        try {
            return Integer.parseInt(port);
        } catch (NumberFormatException e) {
            usage();
            return -1; // not reached: usage() exits
        }
    }

    private static void usage() {
        System.err.println("usage: java -jar it-apps.jar (" + HttpServerApp.NAME + "|" + BlockingApp.NAME + "|"
                + NioApp.NAME + ") <port> [bindHost, default " + DEFAULT_BIND_HOST + "]");
        System.exit(2);
    }
}

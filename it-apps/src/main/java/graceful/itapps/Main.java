package graceful.itapps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar it-apps.jar <app> <port> [bindHost]}: runs one of the small servers graceful
 * is tested against. Each is written the way a real server of its kind is, so the integration
 * tests exercise the JDK code paths real servers use (HttpServer, ServerSocket, Selector).
 *
 * <p>Test hooks, as system properties (each generation graceful starts has the same command
 * line, so a test steers a later generation by changing the file a property names):
 * <ul>
 * <li>{@code -Dgraceful.it.hangIfExists=<path>}: if the file exists at startup, never bind and
 *     sleep forever (a new release that never becomes ready).
 * <li>{@code -Dgraceful.it.extraPortsFile=<path>}: {@code httpserver(-inline)} only: also listen on each
 *     port the file lists (whitespace-separated, 0 for a free one; missing or empty file: none),
 *     on the same host, serving the same endpoints (a second listener, like an admin port); each
 *     is announced as {@code ... also listening on <host>:<port> pid <pid>}.
 * </ul>
 */
public final class Main {

    static final String DEFAULT_BIND_HOST = "127.0.0.1";
    static final String HANG_IF_EXISTS_PROPERTY = "graceful.it.hangIfExists";
    static final String EXTRA_PORTS_FILE_PROPERTY = "graceful.it.extraPortsFile";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            usage();
        }
        String app = args[0];
        int port = parsePort(args[1]);
        String bindHost = args.length == 3 ? args[2] : DEFAULT_BIND_HOST;
        hangIfFileExists(System.getProperty(HANG_IF_EXISTS_PROPERTY));
        List<Integer> extraPorts = extraPorts(System.getProperty(EXTRA_PORTS_FILE_PROPERTY));
        if (!extraPorts.isEmpty() && !app.startsWith(HttpServerApp.NAME)) {
            System.err.println(EXTRA_PORTS_FILE_PROPERTY + " is supported by " + HttpServerApp.NAME + " only");
            System.exit(2);
        }
        switch (app) {
            case HttpServerApp.NAME, HttpServerApp.INLINE_NAME ->
                    HttpServerApp.run(app, bindHost, port, extraPorts);
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

    /** The {@code hangIfExists} hook: parks the main thread for good, before anything is bound. */
    private static void hangIfFileExists(String path) throws InterruptedException {
        if (path != null && Files.exists(Path.of(path))) {
            System.out.println("graceful-it-app: " + path + " exists, hanging before binding");
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }

    /** The {@code extraPortsFile} hook's ports; a malformed file is a usage error, not a silent none. */
    private static List<Integer> extraPorts(String path) throws IOException {
        if (path == null || !Files.exists(Path.of(path))) {
            return List.of();
        }
        List<Integer> ports = new ArrayList<>();
        for (String word : Files.readString(Path.of(path)).strip().split("\\s+")) {
            if (!word.isEmpty()) {
                ports.add(parsePort(word));
            }
        }
        return ports;
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
        System.err.println("usage: java -jar it-apps.jar (" + HttpServerApp.NAME + "|" + HttpServerApp.INLINE_NAME + "|"
                + BlockingApp.NAME + "|" + NioApp.NAME + ") <port> [bindHost, default " + DEFAULT_BIND_HOST + "]");
        System.exit(2);
    }
}

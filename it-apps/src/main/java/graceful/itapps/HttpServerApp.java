package graceful.itapps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's own com.sun.net.httpserver: one dispatcher thread selecting on a
 * ServerSocketChannel, handlers on a small pool so a slow request does not hold up the others
 * ({@value #INLINE_NAME}: on the dispatcher thread, as HttpServer does when no executor is set).
 * It parses HTTP and honours {@code Connection: close} itself.
 */
final class HttpServerApp {

    static final String NAME = "httpserver";
    /**
     * The same server with no executor set, HttpServer's default: each exchange runs on the
     * dispatcher thread itself, between its select and its next accept.
     */
    static final String INLINE_NAME = "httpserver-inline";

    private static final int HANDLER_THREADS = 8;
    private static final int BACKLOG = 128;

    private HttpServerApp() {
    }

    /**
     * Serves on {@code port} and on each of {@code extraPorts} (one HttpServer, so one listener,
     * per port, sharing the handler pool), like a server with a separate admin port.
     */
    static void run(String name, String bindHost, int port, List<Integer> extraPorts) throws IOException {
        ExecutorService handlers = name.equals(INLINE_NAME) ? null : Executors.newFixedThreadPool(HANDLER_THREADS);
        // The extra listeners first, so that the announced main port means: everything is bound.
        for (int extraPort : extraPorts) {
            HttpServer extra = start(name, bindHost, extraPort, handlers);
            System.out.println("graceful-it-app " + name + " also listening on " + bindHost + ":"
                    + extra.getAddress().getPort() + " pid " + ProcessHandle.current().pid());
        }
        HttpServer server = start(name, bindHost, port, handlers);
        Main.announceListening(name, bindHost, server.getAddress().getPort());
        // Returns: the dispatcher and pool threads are not daemons and keep the JVM running, also
        // after graceful closes the listener (the dispatcher just stops seeing accepts).
    }

    private static HttpServer start(String name, String bindHost, int port, ExecutorService handlers) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bindHost, port), BACKLOG);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> handle(exchange, name));
        server.start();
        return server;
    }

    private static void handle(HttpExchange exchange, String name) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            Http.Reply reply = Http.route(uri.getRawPath(), uri.getRawQuery(), name);
            if (reply.delayMillis() > 0) {
                Thread.sleep(reply.delayMillis());
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(reply.status(), body.length); // a length > 0 sets Content-Length
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

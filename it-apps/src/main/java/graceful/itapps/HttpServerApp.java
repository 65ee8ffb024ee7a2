package graceful.itapps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The JDK's own com.sun.net.httpserver: one dispatcher thread selecting on a
 * ServerSocketChannel, handlers on a small pool so a slow request does not hold up the others.
 * It parses HTTP and honours {@code Connection: close} itself.
 */
final class HttpServerApp {

    static final String NAME = "httpserver";

    private static final int HANDLER_THREADS = 8;
    private static final int BACKLOG = 128;

    private HttpServerApp() {
    }

    static void run(String bindHost, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bindHost, port), BACKLOG);
        server.setExecutor(Executors.newFixedThreadPool(HANDLER_THREADS));
        server.createContext("/", HttpServerApp::handle);
        server.start();
        Main.announceListening(NAME, bindHost, server.getAddress().getPort());
        // Returns: the dispatcher and pool threads are not daemons and keep the JVM running, also
        // after graceful closes the listener (the dispatcher just stops seeing accepts).
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            Http.Reply reply = Http.route(uri.getRawPath(), uri.getRawQuery(), NAME);
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

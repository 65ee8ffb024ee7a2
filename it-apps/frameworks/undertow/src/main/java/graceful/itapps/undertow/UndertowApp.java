package graceful.itapps.undertow;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.Deque;

/**
 * {@code java -jar undertow.jar undertow <port>}: Undertow core as its documentation shows it,
 * one HTTP listener and one HttpHandler, dispatched to a worker thread for the blocking
 * {@code /slow}. Answers {@code GET /} and {@code GET /slow?ms=N} with {@code pid=<pid> app=undertow}.
 */
public final class UndertowApp {

    static final String NAME = "undertow";
    private static final String HOST = "127.0.0.1";

    private UndertowApp() {
    }

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        Undertow server = Undertow.builder()
                .addHttpListener(Integer.parseInt(args[1]), HOST)
                .setHandler(new AppHandler())
                .build();
        server.start();
        System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + args[1]
                + " pid " + ProcessHandle.current().pid());
    }

    private static final class AppHandler implements HttpHandler {
        private final String body = "pid=" + ProcessHandle.current().pid() + " app=" + NAME + "\n";

        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            switch (exchange.getRelativePath()) {
                case "/" -> {
                }
                case "/slow" -> {
                    if (exchange.isInIoThread()) {
                        exchange.dispatch(this); // sleeping is for worker threads
                        return;
                    }
                    Deque<String> ms = exchange.getQueryParameters().get("ms");
                    try {
                        Thread.sleep(Long.parseLong(ms == null ? "" : ms.getFirst()));
                    } catch (NumberFormatException e) {
                        exchange.setStatusCode(400);
                        exchange.getResponseSender().send("expected /slow?ms=<millis>\n");
                        return;
                    }
                }
                default -> {
                    exchange.setStatusCode(404);
                    exchange.getResponseSender().send("not found\n");
                    return;
                }
            }
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getResponseSender().send(body);
        }
    }
}

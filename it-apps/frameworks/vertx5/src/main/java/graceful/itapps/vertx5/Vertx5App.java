package graceful.itapps.vertx5;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code java -jar vertx5.jar vertx5 <port>}: Vert.x 5 core as its documentation shows it, one
 * HTTP server with a request handler. Answers {@code GET /} and {@code GET /slow?ms=N} (a timer,
 * the event loop is never blocked) with {@code pid=<pid> app=vertx5}.
 */
public final class Vertx5App {

    static final String NAME = "vertx5";
    private static final String HOST = "127.0.0.1";
    private static final String BODY = "pid=" + ProcessHandle.current().pid() + " app=" + NAME + "\n";

    private Vertx5App() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> handle(vertx, request))
                .listen(Integer.parseInt(args[1]), HOST)
                .toCompletionStage().toCompletableFuture().get();
        System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + server.actualPort()
                + " pid " + ProcessHandle.current().pid());
    }

    private static void handle(Vertx vertx, HttpServerRequest request) {
        switch (request.path()) {
            case "/" -> reply(request);
            case "/slow" -> {
                long millis;
                try {
                    millis = Long.parseLong(request.getParam("ms"));
                } catch (NumberFormatException e) {
                    request.response().setStatusCode(400).end("expected /slow?ms=<millis>\n");
                    return;
                }
                vertx.setTimer(Math.max(1, millis), id -> reply(request));
            }
            default -> request.response().setStatusCode(404).end("not found\n");
        }
    }

    private static void reply(HttpServerRequest request) {
        request.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(BODY);
    }
}

package graceful.itapps.helidon4;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code java -jar helidon4.jar helidon4 <port>} (JDK 21+): Helidon SE 4 as its documentation
 * shows it, a {@link WebServer} with HTTP routing, each request on a virtual thread (so
 * {@code /slow} simply sleeps). Answers {@code GET /} and {@code GET /slow?ms=N} with
 * {@code pid=<pid> app=helidon4}.
 */
public final class Helidon4App {

    static final String NAME = "helidon4";
    private static final String HOST = "127.0.0.1";
    private static final String BODY = "pid=" + ProcessHandle.current().pid() + " app=" + NAME + "\n";

    private Helidon4App() {
    }

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        WebServer server = WebServer.builder()
                .host(HOST)
                .port(Integer.parseInt(args[1]))
                .routing(routing -> routing
                        .get("/", (request, response) -> reply(response))
                        .get("/slow", Helidon4App::slow))
                .build()
                .start();
        System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + server.port()
                + " pid " + ProcessHandle.current().pid());
    }

    private static void slow(ServerRequest request, ServerResponse response) throws InterruptedException {
        long millis;
        try {
            millis = Long.parseLong(request.query().first("ms").orElse(""));
        } catch (NumberFormatException e) {
            response.status(Status.BAD_REQUEST_400).send("expected /slow?ms=<millis>\n");
            return;
        }
        Thread.sleep(millis);
        reply(response);
    }

    private static void reply(ServerResponse response) {
        response.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8").send(BODY);
    }
}

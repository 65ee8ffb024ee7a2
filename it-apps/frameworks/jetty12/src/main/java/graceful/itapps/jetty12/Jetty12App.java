package graceful.itapps.jetty12;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * {@code java -jar jetty12.jar jetty12 <port>}: Jetty 12 as its documentation shows it, a
 * {@link Server} with one {@link ServerConnector} and a plain {@link Handler}. Answers
 * {@code GET /} and {@code GET /slow?ms=N} with {@code pid=<pid> app=jetty12}.
 */
public final class Jetty12App {

    static final String NAME = "jetty12";
    private static final String HOST = "127.0.0.1";

    private Jetty12App() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(HOST);
        connector.setPort(Integer.parseInt(args[1]));
        server.addConnector(connector);
        server.setHandler(new AppHandler());
        server.start();
        System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + connector.getLocalPort()
                + " pid " + ProcessHandle.current().pid());
        server.join();
    }

    /** Blocking is fine here: a Handler.Abstract is invoked as BLOCKING, on Jetty's thread pool. */
    private static final class AppHandler extends Handler.Abstract {
        private final String body = "pid=" + ProcessHandle.current().pid() + " app=" + NAME + "\n";

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            switch (Request.getPathInContext(request)) {
                case "/" -> {
                }
                case "/slow" -> {
                    long millis;
                    try {
                        millis = Long.parseLong(Request.extractQueryParameters(request).getValue("ms"));
                    } catch (NumberFormatException e) {
                        Response.writeError(request, response, callback, 400, "expected /slow?ms=<millis>");
                        return true;
                    }
                    Thread.sleep(millis);
                }
                default -> {
                    Response.writeError(request, response, callback, 404);
                    return true;
                }
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            Content.Sink.write(response, true, body, callback);
            return true;
        }
    }
}

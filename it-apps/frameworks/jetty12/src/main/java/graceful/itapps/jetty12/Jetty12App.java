package graceful.itapps.jetty12;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * {@code java -jar jetty12.jar jetty12 <port>}: Jetty 12 as its documentation shows it, a
 * {@link Server} with one {@link ServerConnector} and a plain {@link Handler}. Answers
 * {@code GET /} and {@code GET /slow?ms=N} with {@code pid=<pid> app=jetty12}.
 *
 * <p>With {@code -Dgraceful.it.keystore=<PKCS12 file>} (and its password in
 * {@code -Dgraceful.it.keystorePassword}) the connector serves HTTPS (HTTP/1.1 over TLS) instead,
 * with the key in that file, the way Jetty's documentation configures it.
 */
public final class Jetty12App {

    static final String NAME = "jetty12";
    private static final String HOST = "127.0.0.1";
    private static final String KEYSTORE_PROPERTY = "graceful.it.keystore";
    private static final String KEYSTORE_PASSWORD_PROPERTY = "graceful.it.keystorePassword";

    private Jetty12App() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        Server server = new Server();
        String keystore = System.getProperty(KEYSTORE_PROPERTY);
        ServerConnector connector = keystore == null ? new ServerConnector(server) : httpsConnector(server, keystore);
        connector.setHost(HOST);
        connector.setPort(Integer.parseInt(args[1]));
        server.addConnector(connector);
        server.setHandler(new AppHandler());
        server.start();
        System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + connector.getLocalPort()
                + (keystore == null ? "" : " (https)") + " pid " + ProcessHandle.current().pid());
        server.join();
    }

    /** An HTTPS connector: TLS with the key in {@code keystore}, then HTTP/1.1 with the secure-request customizer. */
    private static ServerConnector httpsConnector(Server server, String keystore) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStoreType("PKCS12");
        tls.setKeyStorePath(keystore);
        tls.setKeyStorePassword(System.getProperty(KEYSTORE_PASSWORD_PROPERTY, ""));
        HttpConfiguration https = new HttpConfiguration();
        https.addCustomizer(new SecureRequestCustomizer());
        return new ServerConnector(server, new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
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

package graceful.itapps.vthreads;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadFactory;

/**
 * {@code java -jar vthreads.jar vthreads <port>} (JDK 21+): the JDK only, a virtual thread per
 * connection on a plain ServerSocket, the way JEP 444's server example writes it: accept in a
 * loop on the main thread, {@code Thread.ofVirtual().start(...)} for each connection, the
 * listener closed in a {@code finally}. Answers {@code GET /} and {@code GET /slow?ms=N} with
 * {@code pid=<pid> app=vthreads}, one request per connection ({@code Connection: close}).
 */
public final class VthreadsApp {

    static final String NAME = "vthreads";
    private static final String HOST = "127.0.0.1";
    private static final String BODY = "pid=" + ProcessHandle.current().pid() + " app=" + NAME + "\n";

    private VthreadsApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        ThreadFactory virtualThreads = virtualThreadFactory();
        ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 128, InetAddress.getByName(HOST));
        System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + server.getLocalPort()
                + " pid " + ProcessHandle.current().pid());
        try {
            while (true) {
                Socket socket = server.accept();
                virtualThreads.newThread(() -> serve(socket)).start(); // Thread.ofVirtual().start(...)
            }
        } finally {
            server.close();
        }
    }

    /**
     * {@code Thread.ofVirtual().factory()}, called reflectively only so that this module compiles
     * on the JDK 17 the build runs on; it runs on 21+.
     */
    private static ThreadFactory virtualThreadFactory() throws ReflectiveOperationException {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
    }

    private static void serve(Socket socket) {
        try {
            serveOne(socket);
        } catch (IOException e) {
            // the client went away; nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void serveOne(Socket socket) throws IOException, InterruptedException {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            String requestLine = in.readLine();
            for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
                // headers are not needed: every response closes the connection
            }
            String[] parts = requestLine == null ? new String[0] : requestLine.split(" ");
            if (parts.length != 3 || !parts[0].equals("GET")) {
                respond(socket.getOutputStream(), 400, "expected GET <path> HTTP/1.1\n");
                return;
            }
            URI uri = URI.create(parts[1]);
            switch (uri.getPath()) {
                case "/" -> respond(socket.getOutputStream(), 200, BODY);
                case "/slow" -> {
                    String query = uri.getQuery() == null ? "" : uri.getQuery();
                    if (!query.matches("ms=\\d{1,9}")) {
                        respond(socket.getOutputStream(), 400, "expected /slow?ms=<millis>\n");
                        return;
                    }
                    Thread.sleep(Long.parseLong(query.substring(3)));
                    respond(socket.getOutputStream(), 200, BODY);
                }
                default -> respond(socket.getOutputStream(), 404, "not found\n");
            }
        }
    }

    private static void respond(OutputStream out, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Error") + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + bytes.length + "\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }
}

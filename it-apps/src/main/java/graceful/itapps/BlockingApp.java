package graceful.itapps;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

/** A classic java.net.ServerSocket server: a blocking accept loop, one platform thread per connection. */
final class BlockingApp {

    static final String NAME = "blocking";

    private static final int BACKLOG = 128;

    /**
     * Back-off after accept failures on a listener that is still open (e.g. out of file
     * descriptors), doubling up to the maximum, so such failures cannot turn the loop into a
     * busy spin or flood the log.
     */
    private static final long MIN_ACCEPT_BACKOFF_MILLIS = 50;
    private static final long MAX_ACCEPT_BACKOFF_MILLIS = 1_600;

    private BlockingApp() {
    }

    static void run(String bindHost, int port) throws IOException, InterruptedException {
        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(bindHost, port), BACKLOG);
        Main.announceListening(NAME, bindHost, listener.getLocalPort());
        acceptUntilClosed(listener);
        System.out.println("graceful-it-app " + NAME + ": listener closed, still serving open connections");
        System.out.flush();
        // A real server's main thread would now wait for a shutdown that never comes on its own;
        // stopping the JVM is left to whoever closed the listener (graceful calls System.exit).
        new CountDownLatch(1).await();
    }

    private static void acceptUntilClosed(ServerSocket listener) throws InterruptedException {
        long connections = 0;
        long backoffMillis = 0;
        while (true) {
            Socket socket;
            try {
                socket = listener.accept();
                backoffMillis = 0;
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return; // closed by another thread: the expected way to stop accepting
                }
                backoffMillis = Math.min(Math.max(backoffMillis * 2, MIN_ACCEPT_BACKOFF_MILLIS), MAX_ACCEPT_BACKOFF_MILLIS);
                System.err.println("graceful-it-app " + NAME + ": accept failed (" + e + "), retrying in "
                        + backoffMillis + " ms");
                Thread.sleep(backoffMillis);
                continue;
            }
            Thread connection = new Thread(() -> serve(socket), NAME + "-connection-" + ++connections);
            connection.start();
        }
    }

    /** Serves requests on one connection, one after another, until either side closes it. */
    private static void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buf = new byte[Http.MAX_REQUEST_BYTES];
            int buffered = 0;
            while (true) {
                Http.Request request;
                while ((request = Http.parse(buf, buffered)) == null) {
                    int read = in.read(buf, buffered, buf.length - buffered);
                    if (read < 0) {
                        return; // the client closed the connection
                    }
                    buffered += read;
                }
                Http.Reply reply = Http.route(request.target(), NAME);
                if (reply.delayMillis() > 0) {
                    Thread.sleep(reply.delayMillis());
                }
                out.write(Http.format(reply, !request.keepAlive()));
                out.flush();
                if (!request.keepAlive()) {
                    return;
                }
                // Keep whatever the client already sent of its next (pipelined) request.
                buffered -= request.length();
                System.arraycopy(buf, request.length(), buf, 0, buffered);
            }
        } catch (IOException e) {
            // The client reset the connection or sent something unparseable: drop it quietly.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package graceful.itapps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A java.nio server in the style of Netty or Undertow: one thread runs a Selector and does all
 * non-blocking accepts, reads and writes. A slow reply is timed on a scheduler, never by
 * blocking the selector thread; the scheduler hands it back through a queue plus a wakeup.
 */
final class NioApp {

    static final String NAME = "nio";

    private static final int BACKLOG = 128;

    /** One connection's state, attached to its SelectionKey. */
    private static final class Connection {
        final SocketChannel channel;
        /** Bytes received and not yet consumed by a request, in write mode (position = length). */
        final ByteBuffer received = ByteBuffer.allocate(Http.MAX_REQUEST_BYTES);
        ByteBuffer response;
        boolean closeAfterResponse;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final Selector selector;
    private final ServerSocketChannel listener;
    private final ScheduledExecutorService slowReplies = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, NAME + "-slow-replies");
        thread.setDaemon(true); // the selector thread is what keeps the server alive
        return thread;
    });
    /** Work the scheduler hands to the selector thread, which alone touches keys and buffers. */
    private final Queue<Runnable> selectorTasks = new ConcurrentLinkedQueue<>();

    private NioApp(Selector selector, ServerSocketChannel listener) {
        this.selector = selector;
        this.listener = listener;
    }

    static void run(String bindHost, int port) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(bindHost, port), BACKLOG);
        listener.configureBlocking(false);
        Selector selector = Selector.open();
        listener.register(selector, SelectionKey.OP_ACCEPT);
        Main.announceListening(NAME, bindHost, listener.socket().getLocalPort());
        new NioApp(selector, listener).selectForever();
    }

    private void selectForever() throws IOException {
        boolean listenerClosedReported = false;
        while (true) {
            selector.select();
            for (Runnable task; (task = selectorTasks.poll()) != null; ) {
                task.run();
            }
            for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                SelectionKey key = keys.next();
                keys.remove();
                handle(key);
            }
            // A listener closed by another thread has its key cancelled; the selector drops it on
            // its next select and serves the open connections as before. graceful stops accepting
            // without either (tests look for this line).
            SelectionKey listenerKey = listener.keyFor(selector);
            if (!listenerClosedReported && (!listener.isOpen() || listenerKey == null || !listenerKey.isValid())) {
                listenerClosedReported = true;
                System.out.println("graceful-it-app " + NAME + ": lost its listener (closed or its key cancelled),"
                        + " still serving open connections");
                System.out.flush();
            }
        }
    }

    private void handle(SelectionKey key) {
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.isAcceptable()) {
                accept();
                return;
            }
            if (key.isReadable()) {
                read(key);
            }
            if (key.isValid() && key.isWritable()) {
                write(key);
            }
        } catch (CancelledKeyException e) {
            // Cancelled under us (the listener closed by another thread, or a failed connection).
        } catch (IOException e) {
            // The client reset the connection or sent something unparseable: drop it quietly.
            close(key);
        }
    }

    private void accept() {
        SocketChannel channel;
        try {
            channel = listener.accept();
        } catch (ClosedChannelException e) {
            return; // closed by another thread after the select: the expected way to stop accepting
        } catch (IOException e) {
            System.err.println("graceful-it-app " + NAME + ": accept failed: " + e);
            return;
        }
        if (channel == null) {
            return; // another process sharing the listener took the connection
        }
        try {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, new Connection(channel));
        } catch (IOException e) {
            closeQuietly(channel);
        }
    }

    private void read(SelectionKey key) throws IOException {
        Connection connection = (Connection) key.attachment();
        if (connection.channel.read(connection.received) < 0) {
            close(key);
            return;
        }
        startNextRequest(key);
    }

    /** Answers the next complete request in the buffer, if there is one. */
    private void startNextRequest(SelectionKey key) throws IOException {
        Connection connection = (Connection) key.attachment();
        Http.Request request = Http.parse(connection.received.array(), connection.received.position());
        if (request == null) {
            return;
        }
        // Drop the request's bytes, keeping what the client already sent of its next one.
        connection.received.flip().position(request.length());
        connection.received.compact();

        Http.Reply reply = Http.route(request.target(), NAME);
        byte[] response = Http.format(reply, !request.keepAlive());
        boolean close = !request.keepAlive();
        // One request at a time per connection: read nothing more until this reply is written.
        key.interestOps(0);
        if (reply.delayMillis() == 0) {
            respond(key, response, close);
        } else {
            slowReplies.schedule(() -> {
                selectorTasks.add(() -> respond(key, response, close));
                selector.wakeup();
            }, reply.delayMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Queues a response for writing; the next select finds the channel writable. */
    private void respond(SelectionKey key, byte[] response, boolean close) {
        if (!key.isValid()) {
            return; // the connection failed while its slow reply was pending
        }
        Connection connection = (Connection) key.attachment();
        connection.response = ByteBuffer.wrap(response);
        connection.closeAfterResponse = close;
        key.interestOps(SelectionKey.OP_WRITE);
    }

    private void write(SelectionKey key) throws IOException {
        Connection connection = (Connection) key.attachment();
        connection.channel.write(connection.response);
        if (connection.response.hasRemaining()) {
            return; // the socket buffer is full: the rest goes on the next writable select
        }
        connection.response = null;
        if (connection.closeAfterResponse) {
            close(key);
            return;
        }
        key.interestOps(SelectionKey.OP_READ);
        startNextRequest(key); // a pipelined request may be buffered already
    }

    private static void close(SelectionKey key) {
        key.cancel();
        closeQuietly(key.channel());
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
    }
}

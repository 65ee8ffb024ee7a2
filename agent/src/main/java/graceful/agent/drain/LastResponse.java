package graceful.agent.drain;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One of the draining JVM's connections, whose next HTTP/1.1 response goes out as its last: its
 * head carries {@code Connection: close}, so an HTTP/1.1 client finishes reading that response
 * and then closes the connection itself, at a point where no request is under way. Its next
 * request opens a fresh connection, which the new JVM accepts. The server, seeing the client
 * close, closes too, and the drain counts one connection less.
 *
 * <p>Nothing else changes: the server still believes the connection is kept alive; writes that
 * do not start a response head pass untouched (a response body already under way, a protocol
 * that is not HTTP/1.1, TLS, which graceful cannot read); a 101 Switching Protocols ends the
 * watch, as the connection speaks something else from then on.
 *
 * <p>The app sees its own byte counts: the extra header line is graceful's. A non-blocking write
 * that the socket takes only in part returns how many of the app's bytes went out, and the rest
 * of the marked head goes first on the app's next write, as the app resubmits what it has not
 * yet written. Writes on one connection are serialised here, as the JDK's write lock would.
 */
final class LastResponse {
    /** A write through the JDK, which may take only part of the bytes (a non-blocking channel). */
    interface Writer {
        long write(ByteBuffer[] buffers) throws IOException;
    }

    private enum Phase { AWAITING_HEAD, WRITING_HEAD, DONE }

    private Phase phase = Phase.AWAITING_HEAD;
    private ResponseHead head;
    private byte[] marked;
    private int markedWritten;
    /** The thread writing through graceful right now: its write re-enters the JDK's hooked method and must pass. */
    private Thread writing;

    /**
     * Writes the app's bytes {@code sources[offset, offset + length)} with the head marked, if a
     * head is to be marked; returns how many of the app's bytes were written (and advances its
     * buffers by that many), or -1 to let the JDK write them as they are.
     */
    synchronized long write(ByteBuffer[] sources, int offset, int length, Writer writer) throws IOException {
        if (phase == Phase.DONE || writing == Thread.currentThread()) {
            return -1;
        }
        long available = remaining(sources, offset, length);
        if (available == 0) {
            return -1;
        }
        if (phase == Phase.AWAITING_HEAD) {
            ResponseHead found = ResponseHead.at(firstWithRemaining(sources, offset, length));
            if (found == null || !found.isFinal() && !found.switchesProtocols()) {
                return -1; // not a head (a body under way, another protocol), or an interim 100 Continue
            }
            if (found.switchesProtocols() || found.closes) {
                phase = Phase.DONE;
                return -1;
            }
            head = found;
            marked = found.markedLast();
            phase = Phase.WRITING_HEAD;
        }
        return writeMarkedHead(sources, offset, length, available, writer);
    }

    /** Whether the marked head has gone out in full. */
    synchronized boolean marked() {
        return phase == Phase.DONE && marked != null && markedWritten == marked.length;
    }

    private long writeMarkedHead(ByteBuffer[] sources, int offset, int length, long available, Writer writer)
            throws IOException {
        // The app's buffers start where the original head stands for what the marked head has sent so far.
        int originalDone = head.originalOffset(markedWritten);
        long originalHeadLeft = head.length - originalDone;
        boolean wholeHeadOffered = available >= originalHeadLeft;
        int markedEnd = wholeHeadOffered ? marked.length : head.markedOffset(originalDone + available);
        List<ByteBuffer> parts = new ArrayList<>();
        parts.add(ByteBuffer.wrap(marked, markedWritten, markedEnd - markedWritten));
        if (wholeHeadOffered) {
            addAfter(parts, sources, offset, length, originalHeadLeft);
        }
        long written;
        writing = Thread.currentThread();
        try {
            written = writer.write(parts.toArray(new ByteBuffer[0]));
        } catch (IOException | RuntimeException | Error failed) {
            phase = Phase.DONE; // the connection is broken; the app hears of it as usual
            throw failed;
        } finally {
            writing = null;
        }
        int markedNow = (int) Math.min(written, markedEnd - markedWritten);
        markedWritten += markedNow;
        long appWritten = head.originalOffset(markedWritten) - originalDone + (written - markedNow);
        advance(sources, offset, length, appWritten);
        if (markedWritten == marked.length) {
            phase = Phase.DONE;
        }
        return appWritten;
    }

    private static long remaining(ByteBuffer[] buffers, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += buffers[i].remaining();
        }
        return total;
    }

    private static ByteBuffer firstWithRemaining(ByteBuffer[] buffers, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i].hasRemaining()) {
                return buffers[i];
            }
        }
        throw new IllegalStateException("no bytes to write");
    }

    /** Views of the app's bytes after the first {@code skip}, without moving the app's buffers. */
    private static void addAfter(List<ByteBuffer> parts, ByteBuffer[] buffers, int offset, int length, long skip) {
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer view = buffers[i].duplicate();
            int skipped = (int) Math.min(skip, view.remaining());
            view.position(view.position() + skipped);
            skip -= skipped;
            if (view.hasRemaining()) {
                parts.add(view);
            }
        }
    }

    private static void advance(ByteBuffer[] buffers, int offset, int length, long count) {
        for (int i = offset; i < offset + length && count > 0; i++) {
            int step = (int) Math.min(count, buffers[i].remaining());
            buffers[i].position(buffers[i].position() + step);
            count -= step;
        }
    }
}

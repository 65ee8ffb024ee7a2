/**
 * drain: once the new JVM is ready, stop accepting (the new JVM holds the same socket, so no
 * connection waiting in its queue is lost), ask keep-alive clients to leave by marking the next
 * HTTP/1.1 response on each connection {@code Connection: close}, wait for the connections this
 * JVM accepted to close, up to the drain deadline, then exit through System.exit so the app's
 * shutdown hooks run.
 *
 * <p>Rules: never shutdown(2) a listener: the socket is shared with the new JVM. Never close a
 * connection graceful cannot judge idle: a request under way finishes on this JVM; what is not
 * recognisably HTTP/1.1 is left to the drain deadline. The app's own buffers are never written to.
 */
package graceful.agent.drain;

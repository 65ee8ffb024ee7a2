/**
 * drain: once the new JVM is ready, stop accepting by closing each listener through the JDK's own
 * close path (the new JVM holds the same socket, so no connection waiting in its queue is lost),
 * wait for the connections this JVM accepted to close, up to the drain deadline, then exit
 * through System.exit so the app's shutdown hooks run.
 *
 * <p>Rule: never shutdown(2) a listener: the socket is shared with the new JVM.
 */
package graceful.agent.drain;

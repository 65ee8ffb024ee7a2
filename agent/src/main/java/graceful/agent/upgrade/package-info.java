/**
 * upgrade: on a restart request, start a new JVM with this JVM's exact command line and
 * environment, handing it the listening sockets and a ready pipe, and wait for ready. Anything
 * that goes wrong before ready is a rollback: the old JVM serves on, as if nothing happened.
 *
 * <p>Rules: one upgrade at a time; the work runs on graceful's own thread, never the signal
 * thread; the child gets exactly the listeners and the ready pipe, no other fd, and an empty
 * signal mask; a child that ends is always reaped.
 */
package graceful.agent.upgrade;

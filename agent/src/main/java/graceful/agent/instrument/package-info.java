/**
 * Rewrites a handful of JDK methods so that binds, accepts and closes of TCP sockets reach
 * graceful. See README "How it works" for each method before and after.
 *
 * <p>Rules: each patch is one call into {@code sun.nio.ch.GracefulBridge} at a method's entry and
 * nothing else; the transformer touches only the named JDK classes of the boot loader; every target class is
 * loaded and checked at install time, so instrumentation either takes completely or is undone
 * and the app runs without graceful.
 */
package graceful.agent.instrument;

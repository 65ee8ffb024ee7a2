/**
 * Rewrites a handful of JDK methods so that binds, accepts, writes and closes of TCP sockets
 * reach graceful. See README "How it works" for each method before and after.
 *
 * <p>Rules: each patch is one call into {@code sun.nio.ch.GracefulBridge} at a method's entry and
 * nothing else; the transformer touches only the named JDK classes of the boot loader, each as it
 * loads (a class loaded before graceful is patched at install); a patch that fails, at install or
 * later, disconnects every hook, so the JDK behaves as without graceful and the app runs on.
 * Nothing on the startup path spins method handles it can avoid: no indy string concatenation
 * (see agent/pom.xml), JDK handles looked up on first use.
 */
package graceful.agent.instrument;

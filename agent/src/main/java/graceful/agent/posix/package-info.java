/**
 * The only code that makes native calls: the JDK's own private socket natives (reached through
 * method handles once java.base is opened to graceful), and libc through jnr for what the JDK
 * cannot do at all (posix_spawn with chosen fds, pipes, waitpid, kill).
 *
 * <p>Rule: the JDK natives serve the startup path of a new JVM (no native library to load);
 * jnr is used only on the restart path of the old JVM, because its first call costs 0.2-0.8 s.
 * Errors become exceptions carrying the call's name and errno.
 */
package graceful.agent.posix;

/**
 * The only code that makes native calls: the JDK's own private socket natives (reached through
 * method handles once java.base is opened to graceful), and libc through jffi for what the JDK
 * cannot do at all (posix_spawn with chosen fds, pipes, waitpid, kill).
 *
 * <p>Rule: the JDK natives serve the startup path of a new JVM (no native library to load);
 * jffi is used only on the restart path of the old JVM (and for sd_notify): loading it and its
 * native library costs tens of milliseconds and ~9 MB of memory, which a JVM never restarted
 * should not pay.
 * Errors become exceptions carrying the call's name and errno.
 */
package graceful.agent.posix;

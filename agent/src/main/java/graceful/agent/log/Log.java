package graceful.agent.log;

import graceful.agent.posix.ThisProcess;
import java.util.HashMap;
import java.util.Map;
import org.tinylog.Level;
import org.tinylog.configuration.Configuration;
import org.tinylog.provider.LoggingProvider;
import org.tinylog.provider.ProviderRegistry;

/** Every log line graceful writes goes through here, prefixed with pid and generation. */
public final class Log {
    private static volatile String prefix = "graceful[pid " + ThisProcess.pid() + "] ";
    private static volatile boolean configured;
    private static LoggingProvider provider;
    private static volatile String lowest = "info";

    private Log() {}

    /** Sets the generation shown in each line; called once the agent knows it. */
    public static void generation(int generation) {
        prefix = "graceful[pid " + ThisProcess.pid() + " gen " + generation + "] ";
    }

    /** The lowest level written: trace, debug, info, warn, error or off. Before the first line only. */
    public static void level(String lowest) {
        Log.lowest = lowest;
    }

    public static void debug(String message) {
        // Starting tinylog costs the first line ~60 ms: a debug line that would not be written
        // must not pay it (the new JVM's bind path logs one before it tells its parent it is ready).
        if ("debug".equals(lowest) || "trace".equals(lowest)) {
            write(Level.DEBUG, message, null);
        }
    }

    public static void info(String message) {
        write(Level.INFO, message, null);
    }

    public static void warn(String message) {
        write(Level.WARN, message, null);
    }

    public static void error(String message, Throwable cause) {
        write(Level.ERROR, message, cause);
    }

    /**
     * The first line is written while tinylog starts, under the lock: a line from another thread
     * waits for it, so a step that begins before the line that announces it logs after it.
     */
    private static void write(Level level, String message, Throwable cause) {
        if (!configured) {
            synchronized (Log.class) {
                if (!configured) {
                    configure();
                    writeConfigured(level, message, cause);
                    configured = true;
                    return;
                }
            }
        }
        writeConfigured(level, message, cause);
    }

    private static void writeConfigured(Level level, String message, Throwable cause) {
        if (provider.isEnabled(1, null, level)) {
            String line = Timestamps.localNow() + " " + level + ": " + prefix + message;
            provider.log(1, null, level, cause, null, line, (Object[]) null);
        }
    }

    /** Starts tinylog; under the lock, once. */
    private static void configure() {
        Map<String, String> settings = new HashMap<>();
        settings.put("writer", "console");
        settings.put("writer.stream", "err");
        settings.put("writer.level", lowest);
        // Time and level are written by Log: tinylog's {date} and its Logger class start java.time's
        // formatter and locale data, ~35 ms more of a first line that lies on a restart's path.
        settings.put("writer.format", "{message}");
        settings.put("writingthread", "false");
        settings.put("autoshutdown", "false");
        // tinylog finds its provider and writers through the thread's context class loader
        // first: on an app's thread (or a signal thread on JDK 25) that is the app's loader,
        // and an app with tinylog of its own would hand graceful's tinylog its classes, which
        // it rejects, logging nothing ever after. Everything tinylog loads is loaded now.
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(Log.class.getClassLoader());
        try {
            Configuration.replace(settings);
            provider = ProviderRegistry.getLoggingProvider();
            provider.isEnabled(1, null, Level.TRACE);
        } finally {
            thread.setContextClassLoader(context);
        }
    }
}

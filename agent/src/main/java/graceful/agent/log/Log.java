package graceful.agent.log;

import graceful.agent.posix.ThisProcess;
import java.util.HashMap;
import java.util.Map;
import org.tinylog.Logger;
import org.tinylog.configuration.Configuration;
import org.tinylog.provider.ProviderRegistry;

/** Every log line graceful writes goes through here, prefixed with pid and generation. */
public final class Log {
    private static volatile String prefix = "graceful[pid " + ThisProcess.pid() + "] ";
    private static volatile boolean configured;
    private static volatile String level = "info";

    private Log() {}

    /** Sets the generation shown in each line; called once the agent knows it. */
    public static void generation(int generation) {
        prefix = "graceful[pid " + ThisProcess.pid() + " gen " + generation + "] ";
    }

    /** The lowest level written: trace, debug, info, warn, error or off. Before the first line only. */
    public static void level(String lowest) {
        level = lowest;
    }

    public static void debug(String message) {
        configure();
        Logger.debug(prefix + message);
    }

    public static void info(String message) {
        configure();
        Logger.info(prefix + message);
    }

    public static void warn(String message) {
        configure();
        Logger.warn(prefix + message);
    }

    public static void error(String message, Throwable cause) {
        configure();
        Logger.error(cause, prefix + message);
    }

    private static void configure() {
        if (configured) {
            return;
        }
        synchronized (Log.class) {
            if (configured) {
                return;
            }
            Map<String, String> settings = new HashMap<>();
            settings.put("writer", "console");
            settings.put("writer.stream", "err");
            settings.put("writer.level", level);
            settings.put("writer.format", "{date:yyyy-MM-dd HH:mm:ss.SSS} {level}: {message}");
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
                ProviderRegistry.getLoggingProvider();
                Logger.isTraceEnabled();
            } finally {
                thread.setContextClassLoader(context);
            }
            configured = true;
        }
    }
}

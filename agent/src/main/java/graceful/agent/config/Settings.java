package graceful.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * graceful's settings. Each has a name (e.g. {@code drainTimeout}) that reads the same three ways,
 * highest precedence first: agent argument {@code -javaagent:graceful.jar=drainTimeout=10s},
 * system property {@code -Dgraceful.drainTimeout=10s}, environment {@code GRACEFUL_DRAIN_TIMEOUT=10s}.
 */
public final class Settings {
    public static final String SPAWN = "spawn";
    public static final String EXEC = "exec";
    /** How long the old JVM waits for its connections to close before it exits anyway. */
    public final Duration drainTimeout;
    /** How long the old JVM waits for the new one to become ready before it stops it and serves on. */
    public final Duration readyTimeout;
    /**
     * How long a new JVM that has not taken over every inherited listener waits after its last
     * listener bind before it counts as ready anyway (its new version no longer binds the rest).
     */
    public final Duration readySettle;
    /** Whether SIGTERM and SIGINT stop gracefully (stop accepting, drain, exit) rather than at once. */
    public final boolean stopOnTerm;
    /**
     * Whether a draining JVM marks the next HTTP/1.1 response on each of its connections
     * {@code Connection: close}, so keep-alive clients move to the new JVM between two requests.
     */
    public final boolean closeKeepAlive;
    /** The signal that asks for a restart, without its SIG prefix: HUP or USR1. */
    public final String restartSignal;
    /**
     * How a restart makes the new JVM: {@code spawn} (a new process beside this one, which
     * drains and exits) or {@code exec} (this process stops accepting, drains and replaces its
     * own image: same pid, for supervisors that track one and for PID 1 in a container).
     */
    public final String restartMode;
    /** Where the JVM that serves writes its pid, or null for no pidfile. */
    public final Path pidfile;
    /** The lowest level graceful logs at. */
    public final String logLevel;
    /** One line per malformed value; logged by the caller once logging is set up. */
    public final List<String> problems;

    private Settings(Duration drainTimeout, Duration readyTimeout, Duration readySettle, boolean stopOnTerm,
                     boolean closeKeepAlive, String restartSignal, String restartMode, Path pidfile, String logLevel,
                     List<String> problems) {
        this.drainTimeout = drainTimeout;
        this.readyTimeout = readyTimeout;
        this.readySettle = readySettle;
        this.stopOnTerm = stopOnTerm;
        this.closeKeepAlive = closeKeepAlive;
        this.restartSignal = restartSignal;
        this.restartMode = restartMode;
        this.pidfile = pidfile;
        this.logLevel = logLevel;
        this.problems = Collections.unmodifiableList(problems);
    }

    public static Settings read(String agentArguments, Map<String, String> systemProperties, Map<String, String> environment) {
        Reader reader = new Reader(agentArguments, systemProperties, environment);
        Duration drain = reader.read("drainTimeout", Duration.ofSeconds(30), DURATION, Durations.FORM);
        Duration ready = reader.read("readyTimeout", Duration.ofSeconds(60), DURATION, Durations.FORM);
        Duration settle = reader.read("readySettle", Duration.ofSeconds(5), DURATION, Durations.FORM);
        boolean stopOnTerm = reader.read("stopOnTerm", true, BOOLEAN, "true or false");
        boolean closeKeepAlive = reader.read("closeKeepAlive", true, BOOLEAN, "true or false");
        String signal = reader.read("restartSignal", "HUP", SIGNAL, "HUP or USR1 (the JVM itself uses USR2)");
        String mode = reader.read("restartMode", SPAWN, MODE, SPAWN + " or " + EXEC);
        Path pidfile = reader.read("pidfile", null, PATH, "an absolute path, e.g. /run/app/app.pid");
        String level = reader.read("logLevel", "info", LEVEL, "one of trace, debug, info, warn, error, off");
        reader.reportUnknown();
        return new Settings(drain, ready, settle, stopOnTerm, closeKeepAlive, signal, mode, pidfile, level,
                reader.problems);
    }

    // How a setting's text is parsed. Plain constants and a switch rather than a parser function
    // per setting: on the startup path, each lambda or method reference costs the JVM about half a
    // millisecond the first time (it spins a class), which every start of every app pays.
    private static final int DURATION = 0;
    private static final int BOOLEAN = 1;
    private static final int SIGNAL = 2;
    private static final int MODE = 3;
    private static final int PATH = 4;
    private static final int LEVEL = 5;

    /** @throws RuntimeException if the text is not of the setting's form */
    private static Object parse(int kind, String text) {
        switch (kind) {
            case DURATION: return Durations.parse(text);
            case BOOLEAN: return bool(text);
            case SIGNAL: return signal(text);
            case MODE: return mode(text);
            case PATH: return path(text);
            default: return level(text);
        }
    }

    private static boolean bool(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: throw new IllegalArgumentException("not a boolean");
        }
    }

    private static String signal(String text) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        name = name.startsWith("SIG") ? name.substring(3) : name;
        if (!name.equals("HUP") && !name.equals("USR1")) {
            throw new IllegalArgumentException("not a restart signal");
        }
        return name;
    }

    private static String mode(String text) {
        String mode = text.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals(SPAWN) && !mode.equals(EXEC)) {
            throw new IllegalArgumentException("not a restart mode");
        }
        return mode;
    }

    /** Whether a restart replaces this process's image in place (restartMode=exec) rather than spawning a new one. */
    public boolean samePid() {
        return EXEC.equals(restartMode);
    }

    private static Path path(String text) {
        Path path = Path.of(text.trim());
        if (!path.isAbsolute() || path.getFileName() == null) {
            throw new IllegalArgumentException("not an absolute file path");
        }
        return path;
    }

    private static String level(String text) {
        String lower = text.trim().toLowerCase(Locale.ROOT);
        if (!List.of("trace", "debug", "info", "warn", "error", "off").contains(lower)) {
            throw new IllegalArgumentException("unknown level");
        }
        return lower;
    }

    /** The environment variable a setting name reads from: drainTimeout becomes GRACEFUL_DRAIN_TIMEOUT. */
    public static String environmentName(String name) {
        // By hand, not with a regular expression: java.util.regex costs a few ms of every start.
        StringBuilder snake = new StringBuilder("GRACEFUL_");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (i > 0 && c >= 'A' && c <= 'Z' && name.charAt(i - 1) >= 'a' && name.charAt(i - 1) <= 'z') {
                snake.append('_');
            }
            snake.append(c);
        }
        return snake.toString().toUpperCase(Locale.ROOT);
    }

    private static String display(Object value) {
        if (value instanceof Duration) {
            Duration d = (Duration) value;
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
        if (value == null) {
            return "(none)";
        }
        return String.valueOf(value);
    }

    private static final class Reader {
        final Map<String, String> arguments = new HashMap<>();
        final Map<String, String> properties;
        final Map<String, String> environment;
        final List<String> problems = new ArrayList<>();

        Reader(String agentArguments, Map<String, String> properties, Map<String, String> environment) {
            this.properties = properties;
            this.environment = environment;
            if (agentArguments != null && !agentArguments.isBlank()) {
                for (String pair : agentArguments.split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        problems.add("agent argument '" + pair + "' ignored: expected name=value, e.g. drainTimeout=30s");
                    } else {
                        arguments.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                    }
                }
            }
        }

        final List<String> known = new ArrayList<>();

        void reportUnknown() {
            for (String name : arguments.keySet()) {
                if (!known.contains(name)) {
                    problems.add("agent argument '" + name + "' ignored: unknown setting (known: " + String.join(", ", known) + ")");
                }
            }
        }

        @SuppressWarnings("unchecked")
        <T> T read(String name, T fallback, int kind, String form) {
            known.add(name);
            String where;
            String text;
            if (arguments.containsKey(name)) {
                where = "agent argument " + name;
                text = arguments.get(name);
            } else if (properties.containsKey("graceful." + name)) {
                where = "system property graceful." + name;
                text = properties.get("graceful." + name);
            } else if (environment.containsKey(environmentName(name))) {
                where = "environment variable " + environmentName(name);
                text = environment.get(environmentName(name));
            } else {
                return fallback;
            }
            try {
                return (T) parse(kind, text);
            } catch (RuntimeException malformed) {
                problems.add(where + "='" + text + "' is not valid (" + form + "); using the default " + display(fallback));
                return fallback;
            }
        }
    }
}

package graceful.agent.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the duration form settings accept: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
public final class Durations {
    public static final String FORM = "a whole number followed by ms, s, m or h, e.g. 30s";
    private static final Pattern SHAPE = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Durations() {}

    /** @throws IllegalArgumentException if the text is not of the accepted form */
    public static Duration parse(String text) {
        Matcher m = SHAPE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected " + FORM);
        }
        long amount = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms": return Duration.ofMillis(amount);
            case "s": return Duration.ofSeconds(amount);
            case "m": return Duration.ofMinutes(amount);
            default: return Duration.ofHours(amount);
        }
    }
}

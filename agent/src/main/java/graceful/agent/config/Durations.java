package graceful.agent.config;

import java.time.Duration;

/** Parses the duration form settings accept: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
public final class Durations {
    public static final String FORM = "a whole number followed by ms, s, m or h, e.g. 30s";

    private Durations() {}

    /** @throws IllegalArgumentException if the text is not of the accepted form */
    public static Duration parse(String text) {
        // The form is (\d{1,9})(ms|s|m|h), read by hand: java.util.regex costs a few ms of every start.
        String trimmed = text.trim();
        int digits = 0;
        while (digits < trimmed.length() && trimmed.charAt(digits) >= '0' && trimmed.charAt(digits) <= '9') {
            digits++;
        }
        if (digits < 1 || digits > 9) {
            throw new IllegalArgumentException("expected " + FORM);
        }
        long amount = Long.parseLong(trimmed.substring(0, digits));
        switch (trimmed.substring(digits)) {
            case "ms": return Duration.ofMillis(amount);
            case "s": return Duration.ofSeconds(amount);
            case "m": return Duration.ofMinutes(amount);
            case "h": return Duration.ofHours(amount);
            default: throw new IllegalArgumentException("expected " + FORM);
        }
    }
}

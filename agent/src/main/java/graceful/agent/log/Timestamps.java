package graceful.agent.log;

import java.util.TimeZone;

/**
 * Times as graceful writes them, formatted by hand: java.time's formatter costs the JVM ~25 ms
 * the first time (it loads locale data), and a restart's first steps would pay it.
 */
public final class Timestamps {
    private Timestamps() {}

    /** Now, {@code yyyy-MM-dd HH:mm:ss.SSS} in the JVM's time zone: the start of each log line. */
    static String localNow() {
        long millis = System.currentTimeMillis();
        return format(millis, TimeZone.getDefault().getOffset(millis));
    }

    /** Now, as ISO 8601 in UTC to the millisecond, e.g. {@code 2026-12-06T20:23:41.668Z}. */
    public static String utcNow() {
        return format(System.currentTimeMillis(), 0).replace(' ', 'T') + 'Z';
    }

    /** {@code epochMillis} as local time {@code offsetMillis} ahead of UTC. */
    static String format(long epochMillis, int offsetMillis) {
        long local = epochMillis + offsetMillis;
        long days = Math.floorDiv(local, 86_400_000L);
        long ofDay = Math.floorMod(local, 86_400_000L);
        // Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil, inverted).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
        long month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        StringBuilder line = new StringBuilder(23);
        line.append(year).append('-');
        two(line, month).append('-');
        two(line, day).append(' ');
        two(line, ofDay / 3_600_000).append(':');
        two(line, ofDay / 60_000 % 60).append(':');
        two(line, ofDay / 1000 % 60).append('.');
        long millis = ofDay % 1000;
        if (millis < 100) {
            line.append('0');
        }
        return two(line, millis).toString();
    }

    private static StringBuilder two(StringBuilder line, long value) {
        if (value < 10) {
            line.append('0');
        }
        return line.append(value);
    }
}

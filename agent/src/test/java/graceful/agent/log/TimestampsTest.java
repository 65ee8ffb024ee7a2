package graceful.agent.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    private static final DateTimeFormatter JAVA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    @Test
    void writesTheTimeAsJavaTimeWould() {
        assertEquals("2026-12-06 20:12:52.035",
                Timestamps.format(Instant.parse("2026-12-06T19:12:52.035Z").toEpochMilli(), 3_600_000));
        assertEquals("1970-01-01 00:00:00.000", Timestamps.format(0, 0));
        assertEquals("1969-12-31 19:00:00.007", Timestamps.format(7, -5 * 3_600_000));
        assertEquals("2024-02-29 23:59:59.999",
                Timestamps.format(Instant.parse("2024-02-29T23:59:59.999Z").toEpochMilli(), 0));
        assertEquals("2100-03-01 00:00:00.010",
                Timestamps.format(Instant.parse("2100-02-28T23:00:00.010Z").toEpochMilli(), 3_600_000));
    }

    @Test
    void utcIsIso8601ToTheMillisecond() {
        String now = Timestamps.utcNow();
        assertTrue(now.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), now);
    }

    @Test
    void agreesWithJavaTimeOverTwoCenturiesAndEveryOffset() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            long millis = Instant.parse("1900-01-01T00:00:00Z").toEpochMilli()
                    + (long) (random.nextDouble() * 200 * 365.25 * 86_400_000L);
            int offsetSeconds = (random.nextInt(26 * 4) - 12 * 4) * 15 * 60;
            String expected = JAVA_TIME.format(
                    Instant.ofEpochMilli(millis).atOffset(ZoneOffset.ofTotalSeconds(offsetSeconds)));
            assertEquals(expected, Timestamps.format(millis, offsetSeconds * 1000), "at " + millis + " offset " + offsetSeconds);
        }
    }
}

package graceful.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded polling: every wait in the integration tests ends by itself. */
final class Await {
    private static final long POLL_MILLIS = 50;

    private Await() {}

    /** Polls until the condition holds; false if it still does not after the timeout. */
    static boolean until(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - end < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return condition.getAsBoolean();
    }
}

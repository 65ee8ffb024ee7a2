package graceful.it;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A call on its own daemon thread (e.g. a slow request in flight while the test signals the server). */
final class Background<T> {
    private final FutureTask<T> task;

    private Background(Callable<T> call) {
        task = new FutureTask<>(call);
    }

    static <T> Background<T> start(String name, Callable<T> call) {
        Background<T> background = new Background<>(call);
        Thread thread = new Thread(background.task, name);
        thread.setDaemon(true); // a failed test must not hang the test JVM on it
        thread.start();
        return background;
    }

    /** Its result; its failure or a timeout is an AssertionError naming {@code what}. */
    T await(long timeoutMillis, String what) throws InterruptedException {
        try {
            return task.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not finish within " + timeoutMillis + " ms", e);
        }
    }
}

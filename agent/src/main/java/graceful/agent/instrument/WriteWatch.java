package graceful.agent.instrument;

import java.util.function.Function;

/**
 * Points the JDK's socket writes at graceful, or back at nothing. Writes are the hottest path
 * graceful patches, so the hook stays unset (one volatile read per write) until a drain needs it.
 */
public final class WriteWatch {
    private final Class<?> bridge;

    WriteWatch(Class<?> bridge) {
        this.bridge = bridge;
    }

    /**
     * From now on every write on a socket channel or socket passes {socket, data, offset, length}
     * to {@code hook} first (see {@code GracefulBridge.write}); null stops that.
     */
    public void set(Function<Object[], Object> hook) {
        try {
            bridge.getField("write").set(null, hook);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("GracefulBridge.write", e);
        }
    }
}

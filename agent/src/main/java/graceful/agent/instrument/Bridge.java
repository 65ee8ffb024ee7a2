package graceful.agent.instrument;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.net.InetAddress;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Defines {@code sun.nio.ch.GracefulBridge} inside java.base (boot loader) and points its hooks
 * at graceful. Defining it through a private lookup in {@code sun.nio.ch} instead of
 * appending to the boot class path keeps CDS on and prints nothing.
 */
final class Bridge {
    static final String NAME = "sun.nio.ch.GracefulBridge";

    private Bridge() {}

    static Class<?> define() throws ReflectiveOperationException, IOException {
        try {
            return Class.forName(NAME, false, null);
        } catch (ClassNotFoundException notYet) {
            // Any class of the package serves as the lookup's anchor: a small one graceful does not
            // patch, so that loading it here does not load a class to patch before the transformer is in.
            Class<?> anchor = Class.forName("sun.nio.ch.IOStatus", false, null);
            byte[] bytes;
            try (InputStream in = Bridge.class.getClassLoader().getResourceAsStream("sun/nio/ch/GracefulBridge.class")) {
                if (in == null) {
                    throw new IOException("sun/nio/ch/GracefulBridge.class missing from graceful.jar");
                }
                bytes = in.readAllBytes();
            }
            return MethodHandles.privateLookupIn(anchor, MethodHandles.lookup()).defineClass(bytes);
        }
    }

    static void connect(Class<?> bridge, SocketEvents events) throws ReflectiveOperationException {
        Predicate<Object[]> bind = args -> events.bind((FileDescriptor) args[0], (InetAddress) args[1], (Integer) args[2]);
        Consumer<Object> bound = events::bound;
        BiConsumer<Object, Object> accepted = events::accepted;
        Consumer<Object> closed = events::closed;
        Consumer<Object> processStarting = builder -> events.processStarting((ProcessBuilder) builder);
        bridge.getField("bound").set(null, bound);
        bridge.getField("accepted").set(null, accepted);
        bridge.getField("closed").set(null, closed);
        bridge.getField("processStarting").set(null, processStarting);
        bridge.getField("bind").set(null, bind);
    }

    static void disconnect(Class<?> bridge) {
        for (String hook : new String[] {"bind", "bound", "accepted", "closed", "processStarting", "write"}) {
            try {
                bridge.getField(hook).set(null, null);
            } catch (ReflectiveOperationException ignored) {
                // nothing was connected
            }
        }
    }
}

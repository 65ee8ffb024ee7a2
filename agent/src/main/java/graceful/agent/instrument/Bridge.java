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

    /**
     * Sets the hooks through var handles rather than {@code Field.set}: on JDK 18 and later core
     * reflection makes a method handle per field and spins classes for it, several ms of every
     * start on JDK 25. Each is a volatile write, as {@code Field.set} of these volatile fields was.
     */
    static void connect(Class<?> bridge, SocketEvents events) throws ReflectiveOperationException {
        MethodHandles.Lookup inBridge = MethodHandles.privateLookupIn(bridge, MethodHandles.lookup());
        set(inBridge, bridge, "bound", Consumer.class, new Hook(Hook.BOUND, events));
        set(inBridge, bridge, "accepted", BiConsumer.class, new Hook(Hook.ACCEPTED, events));
        set(inBridge, bridge, "closed", Consumer.class, new Hook(Hook.CLOSED, events));
        set(inBridge, bridge, "processStarting", Consumer.class, new Hook(Hook.PROCESS_STARTING, events));
        set(inBridge, bridge, "platformMBeanServer", Runnable.class, new Hook(Hook.PLATFORM_MBEAN_SERVER, events));
        set(inBridge, bridge, "bind", Predicate.class, new Hook(Hook.BIND, events));
    }

    private static void set(MethodHandles.Lookup inBridge, Class<?> bridge, String hook, Class<?> type, Hook value)
            throws ReflectiveOperationException {
        inBridge.findStaticVarHandle(bridge, hook, type).setVolatile((Object) value);
    }

    /**
     * One hook of the bridge, passing its call on to {@code events}. One class for them all, not a
     * lambda each: every lambda costs the JVM about half a millisecond the first time (it spins a
     * class), and this is on the startup path of every JVM.
     */
    private static final class Hook implements Predicate<Object[]>, Consumer<Object>, BiConsumer<Object, Object>, Runnable {
        static final int BIND = 0;
        static final int BOUND = 1;
        static final int ACCEPTED = 2;
        static final int CLOSED = 3;
        static final int PROCESS_STARTING = 4;
        static final int PLATFORM_MBEAN_SERVER = 5;

        private final int kind;
        private final SocketEvents events;

        Hook(int kind, SocketEvents events) {
            this.kind = kind;
            this.events = events;
        }

        /** bind: {FileDescriptor, InetAddress, Integer port}. */
        @Override
        public boolean test(Object[] args) {
            return events.bind((FileDescriptor) args[0], (InetAddress) args[1], (Integer) args[2]);
        }

        /** bound, closed, processStarting. */
        @Override
        public void accept(Object object) {
            switch (kind) {
                case BOUND:
                    events.bound(object);
                    break;
                case CLOSED:
                    events.closed(object);
                    break;
                default:
                    events.processStarting((ProcessBuilder) object);
                    break;
            }
        }

        /** accepted. */
        @Override
        public void accept(Object listener, Object connection) {
            events.accepted(listener, connection);
        }

        /** platformMBeanServer. */
        @Override
        public void run() {
            events.platformMBeanServerWanted();
        }
    }

    static void disconnect(Class<?> bridge) {
        for (String hook : new String[] {"bind", "bound", "accepted", "closed", "processStarting", "platformMBeanServer", "write"}) {
            try {
                bridge.getField(hook).set(null, null);
            } catch (ReflectiveOperationException ignored) {
                // nothing was connected
            }
        }
    }
}

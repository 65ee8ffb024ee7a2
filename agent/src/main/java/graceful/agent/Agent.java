package graceful.agent;

import graceful.agent.config.Settings;
import graceful.agent.drain.Drainer;
import graceful.agent.inherit.Inheritance;
import graceful.agent.instrument.Instrumenter;
import graceful.agent.instrument.JdkModules;
import graceful.agent.instrument.SocketEvents;
import graceful.agent.log.Log;
import graceful.agent.posix.JdkSockets;
import graceful.agent.signal.HupTrigger;
import graceful.agent.track.Tracker;
import graceful.agent.upgrade.Upgrader;
import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** Wires the stages together at premain. */
public final class Agent {
    private Agent() {}

    /** Called by graceful.bootstrap.Premain through the isolated class loader. Never throws. */
    public static void start(String arguments, Instrumentation instrumentation) {
        try {
            Settings settings = Settings.read(arguments, systemProperties(), System.getenv());
            Log.level(settings.logLevel);
            settings.problems.forEach(Log::warn);

            JdkModules.openTo(Agent.class.getModule(), instrumentation);
            JdkSockets sockets = new JdkSockets();
            Inheritance inheritance = Inheritance.fromEnvironment(System.getenv(), sockets);
            Log.generation(inheritance.generation());
            Tracker tracker = new Tracker(sockets);
            Instrumenter.install(instrumentation, events(inheritance, tracker));

            Drainer drainer = new Drainer(tracker, settings.drainTimeout, System::exit);
            Upgrader upgrader = new Upgrader(tracker, sockets, drainer, inheritance.generation(), settings.readyTimeout,
                    inheritance::isReady);
            HupTrigger.install(upgrader::request);
            inheritance.readyIfNothingWaits();
        } catch (Throwable failure) {
            Log.error("restarts unavailable, the app runs without graceful: " + failure, failure);
        }
    }

    private static SocketEvents events(Inheritance inheritance, Tracker tracker) {
        return new SocketEvents() {
            @Override
            public boolean bind(FileDescriptor fd, InetAddress address, int port) {
                tracker.bindRequested(port);
                return inheritance.bind(fd, address, port);
            }

            @Override
            public void bound(Object listener) {
                tracker.binding(listener);
            }

            @Override
            public void accepted(Object listener, Object connection) {
                tracker.accepted(listener, connection);
            }

            @Override
            public void closed(Object socket) {
                tracker.closed(socket);
            }
        };
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> properties = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            properties.put(name, System.getProperty(name));
        }
        return properties;
    }
}

package graceful.agent;

import graceful.agent.config.Settings;
import graceful.agent.drain.Drainer;
import graceful.agent.inherit.Endpoint;
import graceful.agent.inherit.Handover;
import graceful.agent.inherit.Inheritance;
import graceful.agent.inherit.RestartVariables;
import graceful.agent.inherit.SocketActivation;
import graceful.agent.instrument.Instrumenter;
import graceful.agent.instrument.JdkModules;
import graceful.agent.instrument.SocketEvents;
import graceful.agent.instrument.WriteWatch;
import graceful.agent.log.Log;
import graceful.agent.posix.JdkSockets;
import graceful.agent.posix.ThisProcess;
import graceful.agent.signal.Signals;
import graceful.agent.supervise.Status;
import graceful.agent.supervise.Supervisors;
import graceful.agent.track.Listener;
import graceful.agent.track.Tracker;
import graceful.agent.upgrade.Preflight;
import graceful.agent.upgrade.Upgrader;
import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

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
            // First, before anything loads a JDK socket class: classes patched as they load cost
            // far less than classes patched again (retransformed) once loaded.
            Instrumenter.Patches patches = Instrumenter.patch(instrumentation);
            JdkSockets sockets = new JdkSockets();
            Inheritance inheritance = Inheritance.fromEnvironment(System.getenv(), sockets, settings.readySettle);
            Log.generation(inheritance.generation());
            Tracker tracker = new Tracker(sockets);
            AtomicReference<String> lastRestart = new AtomicReference<>("none");
            Supervisors supervisors = Supervisors.of(settings, System.getenv(), status(inheritance, tracker, lastRestart::get));
            boolean restartVariablesHidden = (Handover.present(System.getenv()) || SocketActivation.present(System.getenv()))
                    && hideRestartVariables();
            WriteWatch writes = patches.connect(events(inheritance, tracker, supervisors, restartVariablesHidden),
                    problem -> Log.warn("restarts unavailable from now on, the app runs on without graceful: " + problem));

            Drainer drainer = new Drainer(tracker, sockets, settings.drainTimeout,
                    settings.closeKeepAlive ? writes : null, System::exit);
            Upgrader upgrader = new Upgrader(tracker, sockets, drainer, inheritance.generation(), settings.readyTimeout,
                    inheritance::isReady, inheritance::rejected, supervisors, lastRestart, settings.samePid(),
                    Signals.number(settings.restartSignal));
            if (ThisProcess.pid() == 1 && !settings.samePid()) {
                Log.warn("restarts will be refused: " + Preflight.pid1());
            }
            boolean signalHandled = Signals.onRestartSignal(settings.restartSignal, upgrader::request, inheritance.isSamePid());
            boolean handleSignalOnceReady = !signalHandled && inheritance.isSamePid();
            inheritance.onReady(() -> {
                // Before ready is announced: whoever waits for it (a script, systemd) may restart again at once.
                if (handleSignalOnceReady) {
                    Signals.handleAgainAfterExec(settings.restartSignal, upgrader::request);
                }
                supervisors.serving(true);
            });
            if (settings.stopOnTerm) {
                Signals.onTermAndInt(upgrader::stop);
            }
            inheritance.readyIfNothingWaits();
        } catch (Throwable failure) {
            Log.error("restarts unavailable, the app runs without graceful: " + failure, failure);
        }
    }

    private static Status status(Inheritance inheritance, Tracker tracker, Supplier<String> lastRestart) {
        Supplier<List<String>> listeners = () -> {
            List<String> described = new ArrayList<>();
            for (Listener listener : tracker.openListeners()) {
                Endpoint endpoint = listener.endpoint();
                if (endpoint != null) {
                    described.add(endpoint + (inheritance.tookOver(endpoint) ? " inherited" : " bound")
                            + (listener.isEphemeral() ? " (port 0: not handed over)" : ""));
                }
            }
            return described;
        };
        return new Status(inheritance.generation(), inheritance.parentPid(), listeners, tracker::liveConnections,
                lastRestart);
    }

    private static SocketEvents events(Inheritance inheritance, Tracker tracker, Supervisors supervisors,
                                       boolean restartVariablesHidden) {
        return new SocketEvents() {
            @Override
            public boolean bind(FileDescriptor fd, InetAddress address, int port) {
                tracker.bindRequested(fd, port);
                return inheritance.bind(fd, address, port);
            }

            @Override
            public void bound(Object listener) {
                tracker.binding(listener);
                inheritance.listenerBinding();
                if (inheritance.generation() == 1) {
                    supervisors.firstGenerationBindsAListener();
                }
            }

            @Override
            public void accepted(Object listener, Object connection) {
                tracker.accepted(listener, connection);
            }

            @Override
            public void closed(Object socket) {
                tracker.closed(socket);
            }

            @Override
            public void processStarting(ProcessBuilder builder) {
                if (restartVariablesHidden) {
                    RestartVariables.cleanEnvironmentFor(builder);
                }
            }
        };
    }

    /** The app's own subprocesses must not look like restarted JVMs. Losing this costs a line, not the app. */
    private static boolean hideRestartVariables() {
        try {
            RestartVariables.hideFromTheApp();
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.warn("processes this app starts will see the GRACEFUL_INHERIT_* variables (" + e + "); graceful in"
                    + " such a process ignores them");
            return false;
        }
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> properties = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            properties.put(name, System.getProperty(name));
        }
        return properties;
    }
}

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
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** Wires the stages together at premain. */
public final class Agent {
    private Agent() {}

    /** Called by graceful.bootstrap.Premain through the isolated class loader. Never throws. */
    public static void start(String arguments, Instrumentation instrumentation) {
        try {
            Settings settings = Settings.read(arguments, systemProperties(), System.getenv());
            Log.level(settings.logLevel);
            for (String problem : settings.problems) {
                Log.warn(problem);
            }

            JdkModules.openTo(Agent.class.getModule(), instrumentation);
            // First, before anything loads a JDK socket class: classes patched as they load cost
            // far less than classes patched again (retransformed) once loaded.
            Instrumenter.Patches patches = Instrumenter.patch(instrumentation);
            JdkSockets sockets = new JdkSockets();
            Inheritance inheritance = Inheritance.fromEnvironment(System.getenv(), sockets, settings.readySettle);
            Log.generation(inheritance.generation());
            Tracker tracker = new Tracker(sockets);
            AtomicReference<String> lastRestart = new AtomicReference<>("none");
            StatusSource statusSource = new StatusSource(inheritance, tracker);
            Status status = new Status(inheritance.generation(), inheritance.parentPid(), statusSource, statusSource, lastRestart);
            Supervisors supervisors = Supervisors.of(settings, System.getenv(), status);
            boolean restartVariablesHidden = (Handover.present(System.getenv()) || SocketActivation.present(System.getenv()))
                    && hideRestartVariables();
            Wiring wiring = new Wiring(inheritance, tracker, supervisors, status, restartVariablesHidden);
            WriteWatch writes = patches.connect(wiring, wiring);

            if (ThisProcess.pid() == 1 && !settings.samePid()) {
                Log.warn("restarts will be refused: " + Preflight.pid1());
            }
            Requests requests = new Requests(settings, tracker, sockets, inheritance, writes, wiring, supervisors, lastRestart);
            boolean signalHandled = Signals.onRestartSignal(settings.restartSignal, requests, inheritance.isSamePid());
            inheritance.onReady(new OnReady(supervisors, !signalHandled && inheritance.isSamePid() ? settings.restartSignal : null,
                    requests));
            if (settings.stopOnTerm) {
                Signals.onTermAndInt(requests);
            }
            inheritance.readyIfNothingWaits();
        } catch (Throwable failure) {
            Log.error("restarts unavailable, the app runs without graceful: " + failure, failure);
        }
    }

    // The parts are wired with the named classes below rather than lambdas and method references:
    // each of those costs the JVM about half a millisecond the first time it runs (it spins a
    // class for it), and this is the startup path of every JVM graceful runs in.

    /** What the status MBean shows of the listeners and connections. */
    private static final class StatusSource implements Supplier<List<String>>, IntSupplier {
        private final Inheritance inheritance;
        private final Tracker tracker;

        StatusSource(Inheritance inheritance, Tracker tracker) {
            this.inheritance = inheritance;
            this.tracker = tracker;
        }

        /** The open listeners, described. */
        @Override
        public List<String> get() {
            List<String> described = new ArrayList<>();
            for (Listener listener : tracker.openListeners()) {
                Endpoint endpoint = listener.endpoint();
                if (endpoint != null) {
                    described.add(endpoint + (inheritance.tookOver(endpoint) ? " inherited" : " bound")
                            + (listener.isEphemeral() ? " (port 0: not handed over)" : ""));
                }
            }
            return described;
        }

        /** The live connections. */
        @Override
        public int getAsInt() {
            return tracker.liveConnections();
        }
    }

    /**
     * The instrumented JDK's events, and what the other parts ask of this JVM: whether it is ready
     * and which inherited sockets it refused (the upgrader), to exit (the drain), to log a failed
     * patch (the instrumenter).
     */
    private static final class Wiring implements SocketEvents, BooleanSupplier, Supplier<Set<Long>>, IntConsumer,
            Consumer<String> {
        private final Inheritance inheritance;
        private final Tracker tracker;
        private final Supervisors supervisors;
        private final Status status;
        private final boolean restartVariablesHidden;

        Wiring(Inheritance inheritance, Tracker tracker, Supervisors supervisors, Status status,
               boolean restartVariablesHidden) {
            this.inheritance = inheritance;
            this.tracker = tracker;
            this.supervisors = supervisors;
            this.status = status;
            this.restartVariablesHidden = restartVariablesHidden;
        }

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

        @Override
        public void platformMBeanServerWanted() {
            status.platformMBeanServerWanted();
        }

        /** Whether this JVM has taken over all it inherited: no restart before that. */
        @Override
        public boolean getAsBoolean() {
            return inheritance.isReady();
        }

        /** Inodes of the inherited sockets this JVM refused. */
        @Override
        public Set<Long> get() {
            return inheritance.rejected();
        }

        /** The drain's last step. */
        @Override
        public void accept(int status) {
            System.exit(status);
        }

        /** A JDK class could not be patched as it loaded. */
        @Override
        public void accept(String problem) {
            Log.warn("restarts unavailable from now on, the app runs on without graceful: " + problem);
        }
    }

    /**
     * This JVM is ready, having taken over from its predecessor. Before ready is announced, the
     * restart signal left ignored across a same-pid exec is handled again: whoever waits for ready
     * (a script, systemd) may restart again at once.
     */
    private static final class OnReady implements Runnable {
        private final Supervisors supervisors;
        /** The restart signal to handle again, or null. */
        private final String signalToHandleAgain;
        private final Requests requests;

        OnReady(Supervisors supervisors, String signalToHandleAgain, Requests requests) {
            this.supervisors = supervisors;
            this.signalToHandleAgain = signalToHandleAgain;
            this.requests = requests;
        }

        @Override
        public void run() {
            if (signalToHandleAgain != null) {
                Signals.handleAgainAfterExec(signalToHandleAgain, requests);
            }
            supervisors.serving(true);
        }
    }

    /**
     * The restart and stop signals, passed on to the upgrader. The upgrader and its drainer are
     * made at the first signal: most JVMs never get one, and loading their classes cost every
     * start a ms or two. Nothing in making them can fail but for a missing class.
     */
    private static final class Requests implements Signals.RestartRequest, Signals.StopRequest {
        private final Settings settings;
        private final Tracker tracker;
        private final JdkSockets sockets;
        private final Inheritance inheritance;
        private final WriteWatch writes;
        private final Wiring wiring;
        private final Supervisors supervisors;
        private final AtomicReference<String> lastRestart;
        private Upgrader upgrader;

        Requests(Settings settings, Tracker tracker, JdkSockets sockets, Inheritance inheritance, WriteWatch writes,
                 Wiring wiring, Supervisors supervisors, AtomicReference<String> lastRestart) {
            this.settings = settings;
            this.tracker = tracker;
            this.sockets = sockets;
            this.inheritance = inheritance;
            this.writes = writes;
            this.wiring = wiring;
            this.supervisors = supervisors;
            this.lastRestart = lastRestart;
        }

        private synchronized Upgrader upgrader() {
            if (upgrader == null) {
                Drainer drainer = new Drainer(tracker, sockets, settings.drainTimeout,
                        settings.closeKeepAlive ? writes : null, wiring);
                upgrader = new Upgrader(tracker, sockets, drainer, inheritance.generation(), settings.readyTimeout,
                        wiring, wiring, supervisors, lastRestart, settings.samePid(), Signals.number(settings.restartSignal));
            }
            return upgrader;
        }

        @Override
        public void restart(String reason) {
            Upgrader made;
            try {
                made = upgrader();
            } catch (Throwable failure) {
                Log.error(reason + " ignored: restarts unavailable (" + failure + ")", failure);
                return;
            }
            made.request(reason);
        }

        @Override
        public void stop(String reason, int exitStatus) {
            Upgrader made;
            try {
                made = upgrader();
            } catch (Throwable failure) {
                // as the JVM would have done without graceful
                Log.error(reason + ": exiting now (no graceful stop: " + failure + ")", failure);
                System.exit(exitStatus);
                return;
            }
            made.stop(reason, exitStatus);
        }
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

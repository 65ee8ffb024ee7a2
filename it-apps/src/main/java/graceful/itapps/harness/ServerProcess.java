package graceful.itapps.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;

/**
 * An it-app running in its own JVM, optionally under the graceful agent, and every later
 * generation graceful starts from it. Generations are found by a unique marker system property
 * on their command line (graceful starts the next JVM with the identical command line), so the
 * harness can count and stop them although they are not its children.
 */
public final class ServerProcess implements AutoCloseable {

    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TERM_GRACE = Duration.ofSeconds(10);
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 50;

    /**
     * What to run: {@code <launcher> <javaHome>/bin/java [-javaagent:<gracefulJar>]
     * -Dgraceful.it.marker=<uuid> <extraJvmArgs> -jar <itAppsJar> <app> <port> <appArguments>}
     * (e.g. the bind host), with {@code extraEnvironment} added to the environment, output
     * appended to {@code logFile}; the harness reaches it at {@code host} (127.0.0.1 unless set)
     * and {@code port}, over TLS with {@code tls} if not null (see {@link #target()}).
     * {@code gracefulJar} null runs the app without the agent (a baseline). A {@code launcher}
     * (e.g. {@code nohup}) must end by exec'ing the java command, so that the pid started is the
     * JVM's: graceful restarts whatever {@code /proc/self/cmdline} says, which is the JVM's. The
     * one exception: a launcher that starts the JVM as a child in a new PID namespace
     * ({@code unshare --pid --fork}); the app then answers with its pid there, which is accepted,
     * and the launcher (whose command line holds the marker too) counts as a generation.
     */
    public record Spec(Path javaHome, Path gracefulJar, Path itAppsJar, String app, int port, Path logFile,
                       List<String> extraJvmArgs, Map<String, String> extraEnvironment, List<String> launcher,
                       List<String> appArguments, String host, SSLSocketFactory tls) {

        public Spec(Path javaHome, Path gracefulJar, Path itAppsJar, String app, int port, Path logFile,
                    List<String> extraJvmArgs, Map<String, String> extraEnvironment, List<String> launcher) {
            this(javaHome, gracefulJar, itAppsJar, app, port, logFile, extraJvmArgs, extraEnvironment, launcher,
                    List.of(), HttpProbe.Target.LOOPBACK, null);
        }

        public Spec(Path javaHome, Path gracefulJar, Path itAppsJar, String app, int port, Path logFile,
                    List<String> extraJvmArgs) {
            this(javaHome, gracefulJar, itAppsJar, app, port, logFile, extraJvmArgs, Map.of(), List.of());
        }

        public Spec(Path javaHome, Path gracefulJar, Path itAppsJar, String app, int port, Path logFile) {
            this(javaHome, gracefulJar, itAppsJar, app, port, logFile, List.of());
        }

        public Spec withExtraEnvironment(Map<String, String> environment) {
            return new Spec(javaHome, gracefulJar, itAppsJar, app, port, logFile, extraJvmArgs, environment, launcher,
                    appArguments, host, tls);
        }

        public Spec withLauncher(List<String> command) {
            return new Spec(javaHome, gracefulJar, itAppsJar, app, port, logFile, extraJvmArgs, extraEnvironment, command,
                    appArguments, host, tls);
        }

        /** Arguments after {@code <app> <port>}, e.g. the it-apps' bind host. */
        public Spec withAppArguments(String... arguments) {
            return new Spec(javaHome, gracefulJar, itAppsJar, app, port, logFile, extraJvmArgs, extraEnvironment,
                    launcher, List.of(arguments), host, tls);
        }

        /** Reach the app at {@code address} (an IP literal, e.g. {@code ::1}) instead of 127.0.0.1. */
        public Spec withHost(String address) {
            return new Spec(javaHome, gracefulJar, itAppsJar, app, port, logFile, extraJvmArgs, extraEnvironment,
                    launcher, appArguments, address, tls);
        }

        /** Reach the app over TLS with {@code factory} (the app must serve HTTPS). */
        public Spec withTls(SSLSocketFactory factory) {
            return new Spec(javaHome, gracefulJar, itAppsJar, app, port, logFile, extraJvmArgs, extraEnvironment,
                    launcher, appArguments, host, factory);
        }

        /** Where and how the harness sends its requests. */
        public HttpProbe.Target target() {
            return new HttpProbe.Target(host, port, tls);
        }
    }

    private final Spec spec;
    private final String markerArgument;
    private final Process firstGeneration;
    private boolean closed;

    private ServerProcess(Spec spec, String markerArgument, Process firstGeneration) {
        this.spec = spec;
        this.markerArgument = markerArgument;
        this.firstGeneration = firstGeneration;
    }

    /** Starts the app and waits (at most {@link #STARTUP_TIMEOUT}) until it answers {@code GET /}. */
    public static ServerProcess start(Spec spec) throws IOException, InterruptedException {
        String markerArgument = "-Dgraceful.it.marker=" + UUID.randomUUID();
        List<String> command = new ArrayList<>(spec.launcher());
        command.add(spec.javaHome().resolve("bin/java").toString());
        if (spec.gracefulJar() != null) {
            command.add("-javaagent:" + spec.gracefulJar());
        }
        command.add(markerArgument);
        command.addAll(spec.extraJvmArgs());
        command.addAll(List.of("-jar", spec.itAppsJar().toString(), spec.app(), String.valueOf(spec.port())));
        command.addAll(spec.appArguments());

        Files.createDirectories(spec.logFile().toAbsolutePath().getParent());
        Files.writeString(spec.logFile(), "# " + Instant.now() + " starting: " + String.join(" ", command)
                        + (spec.extraEnvironment().isEmpty() ? "" : " with environment " + spec.extraEnvironment()) + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(spec.extraEnvironment());
        Process process = builder
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                // Appending: every later generation inherits this file and writes to it too.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()))
                .start();
        ServerProcess server = new ServerProcess(spec, markerArgument, process);
        try {
            server.awaitFirstAnswer(process);
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** A port that was free a moment ago (bound to port 0 on the loopback, then released). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return spec.port();
    }

    /** Where and how the harness reaches the app: 127.0.0.1 and plain HTTP unless the spec says otherwise. */
    public HttpProbe.Target target() {
        return spec.target();
    }

    public Path logFile() {
        return spec.logFile();
    }

    /** The pid of the generation answering {@code GET /} now; no retry, any failure is an exception. */
    public long pid() throws IOException {
        return HttpProbe.pidAnswering(spec.target());
    }

    /** {@code kill -HUP <pid>}: asks graceful in that JVM to hand over to a new generation. */
    public void hup(long pid) throws IOException, InterruptedException {
        signal(pid, "HUP");
    }

    /** {@code kill -<signal> <pid>}, e.g. {@code TERM} or {@code INT}, to a live generation of this server. */
    public void signal(long pid, String signal) throws IOException, InterruptedException {
        if (!isLive(pid)) {
            throw new IllegalArgumentException("pid " + pid + " is not a live generation of this server");
        }
        String what = "kill -" + signal + " " + pid;
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException(what + " did not finish within 10 s");
        }
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (kill.exitValue() != 0) {
            throw new IOException(what + " exited " + kill.exitValue() + ": " + output);
        }
    }

    /** The pid of the JVM this harness started (the first generation; its launcher exec'ed into it). */
    public long firstGenerationPid() {
        return firstGeneration.pid();
    }

    /**
     * Waits for the first generation to end and returns its exit value (128 + n when signal n
     * ended it, as a shell reports it); empty if it still runs after the timeout.
     */
    public OptionalInt awaitFirstGenerationExit(Duration timeout) throws InterruptedException {
        return firstGeneration.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(firstGeneration.exitValue()) : OptionalInt.empty();
    }

    /**
     * Polls {@code GET /} until a pid other than {@code oldPid} answers; failed probes meanwhile
     * are not counted (the load client counts failures). Empty if none did within the timeout.
     */
    public OptionalLong awaitPidOtherThan(long oldPid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            try {
                long pid = pid();
                if (pid != oldPid) {
                    return OptionalLong.of(pid);
                }
            } catch (IOException e) {
                // Not answering right now; keep polling until the deadline.
            }
            Thread.sleep(POLL_MILLIS);
        } while (System.nanoTime() - deadline < 0);
        return OptionalLong.empty();
    }

    /** The pids of every generation of this server still running (zombies count as gone). */
    public List<Long> livePids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                long pid = Long.parseLong(process.getFileName().toString());
                if (isLive(pid)) {
                    pids.add(pid);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return pids;
    }

    /** Waits until {@code pid} is no longer a live generation; false if it still is after the timeout. */
    public boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isLive(pid)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    /**
     * {@code jcmd <pid> Thread.print} of a live generation, written beside the log file: what a
     * JVM that should have finished by now is doing. Returns the file, or a line saying why there is none.
     */
    public String threadDump(long pid) throws InterruptedException {
        Path dump = spec.logFile().resolveSibling(spec.logFile().getFileName() + "-threads-" + pid + ".txt");
        try {
            Process jcmd = new ProcessBuilder(spec.javaHome().resolve("bin/jcmd").toString(), String.valueOf(pid), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(dump.toFile()).start();
            if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
                return "(jcmd " + pid + " Thread.print did not finish within 30 s; partial output in " + dump + ")";
            }
            return "thread dump of pid " + pid + ": " + dump;
        } catch (IOException e) {
            return "(no thread dump of pid " + pid + ": " + e + ")";
        }
    }

    /** The last lines of the log file, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(spec.logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + spec.logFile() + ": " + e + ")";
        }
    }

    /** Stops every live generation by pid: SIGTERM, then SIGKILL what is left after a grace period. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        signalAll(false);
        if (!awaitAllGone(TERM_GRACE)) {
            signalAll(true);
            awaitAllGone(KILL_GRACE);
        }
        // The first generation is our child: make sure the JDK has reaped it.
        firstGeneration.destroyForcibly();
        firstGeneration.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        List<Long> survivors = livePids();
        if (!survivors.isEmpty()) {
            throw new IllegalStateException("server generations " + survivors + " survived SIGKILL; log " + logFile());
        }
    }

    private void awaitFirstAnswer(Process process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        IOException lastFailure = null;
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IOException(spec.app() + " exited with " + process.exitValue() + " before answering on "
                        + spec.target() + "; log " + logFile() + ":\n" + logTail(30));
            }
            long pid;
            try {
                pid = pid();
            } catch (IOException e) {
                lastFailure = e;
                Thread.sleep(POLL_MILLIS * 2);
                continue;
            }
            if (pid != process.pid() && !isPidInOwnNamespaceOfALiveGeneration(pid)) {
                throw new IOException(spec.target() + " is answered by pid " + pid + ", not by the "
                        + spec.app() + " just started (pid " + process.pid() + "); log " + logFile());
            }
            return;
        }
        throw new IOException(spec.app() + " did not answer on " + spec.target() + " within " + STARTUP_TIMEOUT
                + " (last: " + lastFailure + "); log " + logFile() + ":\n" + logTail(30));
    }

    /**
     * Whether {@code pid} is the pid a live generation has in its own PID namespace (the last
     * {@code NSpid:} entry of its status), when a launcher such as {@code unshare --pid --fork}
     * started it in a new one: the app answers with that pid, not the one this harness sees.
     */
    private boolean isPidInOwnNamespaceOfALiveGeneration(long pid) {
        for (long live : livePids()) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(live), "status"))) {
                    if (line.startsWith("NSpid:")) {
                        String[] nsPids = line.substring("NSpid:".length()).strip().split("\\s+");
                        if (nsPids.length > 1 && Long.parseLong(nsPids[nsPids.length - 1]) == pid) {
                            return true;
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // exited meanwhile, or not ours to read: not that generation
            }
        }
        return false;
    }

    private void signalAll(boolean forcibly) {
        for (long pid : livePids()) {
            ProcessHandle.of(pid).ifPresent(process -> {
                if (forcibly) {
                    process.destroyForcibly();
                } else {
                    process.destroy();
                }
            });
        }
    }

    private boolean awaitAllGone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!livePids().isEmpty()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    /** True if {@code pid} runs with this server's marker and is not a zombie awaiting a reaper. */
    private boolean isLive(long pid) {
        Path process = Path.of("/proc", String.valueOf(pid));
        try {
            byte[] cmdline = Files.readAllBytes(process.resolve("cmdline"));
            if (!Arrays.asList(new String(cmdline, StandardCharsets.UTF_8).split("\0")).contains(markerArgument)) {
                return false;
            }
            // PID 1 here does not reap orphans, so an exited generation can linger as a zombie.
            String stat = Files.readString(process.resolve("stat"), StandardCharsets.UTF_8);
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false; // exited between listing and reading, or not ours to read
        }
    }
}

package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * graceful under systemd, without systemd: a real Unix datagram socket stands in for
 * NOTIFY_SOCKET (perl binds it and writes down each datagram), and a perl launcher hands the
 * JVM a listening socket the way socket activation does (fd 3, LISTEN_PID, LISTEN_FDS).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SystemdIT {
    private static final Duration MESSAGE_TIMEOUT = Duration.ofSeconds(20);

    /** {@code perl -e NOTIFY_LISTENER <socket path> <out file> <seconds>}: one line per datagram, newlines as spaces. */
    private static final String NOTIFY_LISTENER = String.join("\n",
            "use strict; use warnings; use IO::Socket::UNIX; use IO::Handle; use Socket;",
            "my ($path, $out, $seconds) = @ARGV;",
            "unlink $path;",
            "my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path) or die \"bind $path: $!\";",
            "open(my $fh, '>>', $out) or die \"$out: $!\"; $fh->autoflush(1);",
            "my $end = time + $seconds; my $rin = ''; vec($rin, fileno($s), 1) = 1;",
            "while (time < $end) {",
            "    if (select(my $rout = $rin, undef, undef, 0.2) > 0) {",
            "        my $message; $s->recv($message, 4096); $message =~ s/\\n/ /g; print $fh \"$message\\n\";",
            "    }",
            "}");

    /**
     * {@code perl -e SOCKET_ACTIVATION -- <port> <java command...>}: listens on 127.0.0.1:port, puts
     * the socket on fd 3 (through a high fd, so it loses perl's close-on-exec), logs its inode,
     * and execs java with LISTEN_PID (its own pid, which java keeps), LISTEN_FDS=1, LISTEN_FDNAMES.
     */
    private static final String SOCKET_ACTIVATION = String.join("\n",
            "use strict; use warnings; use Socket; use POSIX ();",
            "my ($port, @command) = @ARGV;",
            "socket(my $s, PF_INET, SOCK_STREAM, 0) or die \"socket: $!\";",
            "setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1) or die \"setsockopt: $!\";",
            "bind($s, pack_sockaddr_in($port, inet_aton('127.0.0.1'))) or die \"bind: $!\";",
            "listen($s, 128) or die \"listen: $!\";",
            "defined POSIX::dup2(fileno($s), 103) or die \"dup2: $!\";",
            "defined POSIX::dup2(103, 3) or die \"dup2: $!\"; POSIX::close(103);",
            "my ($inode) = readlink('/proc/self/fd/3') =~ /^socket:\\[(\\d+)\\]$/ or die 'fd 3 is not a socket';",
            "print STDERR \"systemd socket: fd 3 socket:[$inode]\\n\";",
            "$ENV{LISTEN_PID} = $$; $ENV{LISTEN_FDS} = 1; $ENV{LISTEN_FDNAMES} = 'http';",
            "exec { $command[0] } @command or die \"exec $command[0]: $!\";");
    private static final Pattern SYSTEMD_SOCKET = Pattern.compile("systemd socket: fd 3 socket:\\[(\\d+)]");

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void systemdAndThePidfileHearOfEachStep(Path jdk) throws Exception {
        Path dir = Files.createTempDirectory("graceful-systemd");
        Path socket = dir.resolve("notify");
        Path messages = dir.resolve("messages.txt");
        Path pidfile = dir.resolve("app.pid");
        Files.createFile(messages);
        Path log = ItEnvironment.freshLogFile("systemd-notify-" + jdk.getFileName());
        String where = "; server log " + log + ", messages " + messages;
        Process listener = new ProcessBuilder("perl", "-e", NOTIFY_LISTENER, socket.toString(), messages.toString(), "110")
                .redirectErrorStream(true).redirectOutput(dir.resolve("listener.txt").toFile()).start();
        try {
            awaitFile(socket, where);
            ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log, "-Dgraceful.pidfile=" + pidfile)
                    .withExtraEnvironment(Map.of("NOTIFY_SOCKET", socket.toString()));
            try (ServerProcess server = ServerProcess.start(spec)) {
                long first = server.pid();
                awaitMessage(messages, 1, "READY=1", log, where);
                assertEquals(String.valueOf(first), awaitPidfile(pidfile, first, where));

                long second = Restarts.handOver(server, first, where);
                awaitMessages(messages, 4, log, where);
                List<String> lines = Files.readAllLines(messages);
                assertTrue(lines.get(1).matches("RELOADING=1 MONOTONIC_USEC=\\d+"), "the old JVM says RELOADING at the HUP: "
                        + lines + where);
                // The old JVM names the new main pid before it drains (it must not exit while systemd
                // still takes it for the main pid); the new one names itself as it says READY.
                // Each sends from its own process, so the two arrive in either order.
                assertEquals(Set.of("MAINPID=" + second, "MAINPID=" + second + " READY=1"), Set.copyOf(lines.subList(2, 4)),
                        "messages 3 and 4 of " + lines + where);
                assertEquals(String.valueOf(second), awaitPidfile(pidfile, second, where));

                server.signal(second, "TERM");
                assertTrue(server.awaitGone(second, Duration.ofSeconds(20)), "the stopped JVM exits" + where);
                awaitMessage(messages, 5, "STOPPING=1", log, where);
                assertFalse(Files.exists(pidfile), "a graceful stop removes the pidfile" + where);
                assertEquals(List.of("READY=1", lines.get(1), lines.get(2), lines.get(3), "STOPPING=1"),
                        Files.readAllLines(messages), "exactly these messages, in this order" + where);
            }
        } finally {
            listener.destroy();
            listener.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** restartMode=exec (see SamePidIT): systemd hears of the reload, and the main pid and the pidfile stay. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void inSamePidModeTheMainPidStays(Path jdk) throws Exception {
        Path dir = Files.createTempDirectory("graceful-systemd-exec");
        Path socket = dir.resolve("notify");
        Path messages = dir.resolve("messages.txt");
        Path pidfile = dir.resolve("app.pid");
        Files.createFile(messages);
        Path log = ItEnvironment.freshLogFile("systemd-exec-" + jdk.getFileName());
        String where = "; server log " + log + ", messages " + messages;
        Process listener = new ProcessBuilder("perl", "-e", NOTIFY_LISTENER, socket.toString(), messages.toString(), "110")
                .redirectErrorStream(true).redirectOutput(dir.resolve("listener.txt").toFile()).start();
        try {
            awaitFile(socket, where);
            ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log, "-Dgraceful.pidfile=" + pidfile,
                            "-Dgraceful.restartMode=exec")
                    .withExtraEnvironment(Map.of("NOTIFY_SOCKET", socket.toString()));
            try (ServerProcess server = ServerProcess.start(spec)) {
                long pid = server.pid();
                awaitMessage(messages, 1, "READY=1", log, where);
                assertEquals(String.valueOf(pid), awaitPidfile(pidfile, pid, where));

                server.hup(pid);
                awaitMessage(messages, 3, "MAINPID=" + pid + " READY=1", log, where);
                List<String> lines = Files.readAllLines(messages);
                assertTrue(lines.get(1).matches("RELOADING=1 MONOTONIC_USEC=\\d+"), "RELOADING at the HUP, before the"
                        + " exec: " + lines + where);
                assertTrue(ServerLog.await(log, "[pid " + pid + " gen 2] ready", Duration.ofSeconds(10)),
                        "generation 2 is ready" + where);
                assertEquals(pid, server.pid(), "the same pid serves" + where);
                assertEquals(String.valueOf(pid), Files.readString(pidfile).strip(), "the pidfile names the same pid" + where);

                server.signal(pid, "TERM");
                assertTrue(server.awaitGone(pid, Duration.ofSeconds(20)), "the stopped JVM exits" + where);
                awaitMessage(messages, 4, "STOPPING=1", log, where);
                assertFalse(Files.exists(pidfile), "a graceful stop removes the pidfile" + where);
            }
        } finally {
            listener.destroy();
            listener.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void aSocketFromSocketActivationIsTakenOverAndHandedOn(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("systemd-socket-" + jdk.getFileName());
        String where = "; server log " + log;
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log);
        List<String> launcher = List.of("perl", "-e", SOCKET_ACTIVATION, "--", String.valueOf(spec.port()));
        try (ServerProcess server = ServerProcess.start(spec.withLauncher(launcher))) {
            Matcher systemd = SYSTEMD_SOCKET.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
            assertTrue(systemd.find(), "test setup: the launcher logs the socket it passed" + where);
            long inode = Long.parseLong(systemd.group(1));
            long first = server.pid();
            assertEquals(Map.of(inode, spec.port()), listening(first),
                    "the app's bind took over systemd's socket, and listens on nothing else" + where);

            long second = Restarts.handOver(server, first, where);
            assertEquals(Map.of(inode, spec.port()), listening(second),
                    "the new JVM got the same socket" + where);
            String environment = Files.readString(Path.of("/proc/" + second + "/environ"), StandardCharsets.ISO_8859_1);
            assertFalse(environment.contains("LISTEN_FDS="), "the new JVM gets the socket as graceful's, not systemd's" + where);
        }
    }

    /** The TCP ports a JVM itself listens on, by socket inode (/proc/net/tcp lists the whole network namespace). */
    private static Map<Long, Integer> listening(long pid) throws IOException {
        Map<Long, Integer> own = new java.util.HashMap<>(ProcFs.listeningPortsByInode(pid));
        java.util.Set<String> sockets = ProcFs.sockets(pid);
        own.keySet().removeIf(socketInode -> !sockets.contains("socket:[" + socketInode + "]"));
        return own;
    }

    private static void awaitFile(Path file, String where) throws InterruptedException {
        long end = System.nanoTime() + MESSAGE_TIMEOUT.toNanos();
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() < end, "test setup: the notify socket " + file + " never appeared" + where);
            Thread.sleep(20);
        }
    }

    /** Waits until {@code count} messages have arrived, the last being {@code last}. */
    private static void awaitMessage(Path messages, int count, String last, Path log, String where) throws Exception {
        List<String> lines = awaitMessages(messages, count, log, where);
        assertEquals(last, lines.get(count - 1), "message " + count + " of " + lines + where);
    }

    /** Waits until {@code count} messages have arrived; returns them all. */
    private static List<String> awaitMessages(Path messages, int count, Path log, String where) throws Exception {
        long end = System.nanoTime() + MESSAGE_TIMEOUT.toNanos();
        List<String> lines = Files.readAllLines(messages);
        while (lines.size() < count) {
            assertTrue(System.nanoTime() < end, "expected " + count + " messages, got " + lines + where
                    + ServerLog.gracefulLines(log));
            Thread.sleep(20);
            lines = Files.readAllLines(messages);
        }
        return lines;
    }

    private static String awaitPidfile(Path pidfile, long pid, String where) throws InterruptedException, IOException {
        long end = System.nanoTime() + MESSAGE_TIMEOUT.toNanos();
        while (true) {
            String text = Files.exists(pidfile) ? Files.readString(pidfile).strip() : "";
            if (text.equals(String.valueOf(pid)) || System.nanoTime() > end) {
                return text;
            }
            Thread.sleep(20);
        }
    }
}

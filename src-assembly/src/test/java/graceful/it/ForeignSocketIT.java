package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.itapps.harness.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Like {@link BadInputIT}'s forged fd, but closer to the real thing: the restart variables name
 * the right parent pid and fd 3 by its true socket inode, and fd 3 is a TCP socket, only not the
 * listener they describe: (a) bound but not listening, (b) listening on another port. graceful
 * must not take it over; the app binds its own port normally, and one line says why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForeignSocketIT {
    /**
     * The launcher: {@code perl -e LAUNCHER -- <bound|listening> <app port> <java command...>}.
     * Makes a TCP socket on 127.0.0.1, an ephemeral port, listening or not; puts it on fd 3 and a
     * pipe on fd 4 (ready fd; its read end on fd 5 so that the ready byte has somewhere to go),
     * each dup2'ed via a high fd so that none keeps perl's close-on-exec; logs the socket's inode
     * and port; sets the restart variables, naming fd 3 as the listener on the app's port with
     * the socket's true inode; and execs java. The JVM keeps perl's pid, so its parent is perl's
     * parent, this test JVM: that is the parent pid the variables name.
     */
    private static final String LAUNCHER = String.join("\n",
            "use strict; use warnings; use Socket; use POSIX ();",
            "my ($mode, $port, @command) = @ARGV;",
            "socket(my $s, PF_INET, SOCK_STREAM, 0) or die \"socket: $!\";",
            "bind($s, pack_sockaddr_in(0, inet_aton('127.0.0.1'))) or die \"bind: $!\";",
            "if ($mode eq 'listening') { listen($s, 8) or die \"listen: $!\"; }",
            "my ($at) = sockaddr_in(getsockname($s));",
            "pipe(my $r, my $w) or die \"pipe: $!\";",
            "my %from = (3 => fileno($s), 4 => fileno($w), 5 => fileno($r));",
            "for my $fd (3, 4, 5) { defined POSIX::dup2($from{$fd}, 100 + $fd) or die \"dup2: $!\"; }",
            "for my $fd (3, 4, 5) {",
            "    defined POSIX::dup2(100 + $fd, $fd) or die \"dup2: $!\"; POSIX::close(100 + $fd);",
            "}",
            "my ($inode) = readlink('/proc/self/fd/3') =~ /^socket:\\[(\\d+)\\]$/ or die 'fd 3 is not a socket';",
            "print STDERR \"foreign socket: fd 3 socket:[$inode] on 127.0.0.1:$at, $mode\\n\";",
            "$ENV{GRACEFUL_INHERIT_PARENT_PID} = getppid();",
            "$ENV{GRACEFUL_INHERIT_GENERATION} = 2;",
            "$ENV{GRACEFUL_INHERIT_READY_FD} = 4;",
            "$ENV{GRACEFUL_INHERIT_LISTENERS} = \"3/127.0.0.1/$port/$inode\";",
            "exec { $command[0] } @command or die \"exec $command[0]: $!\";");
    private static final Pattern FOREIGN_SOCKET =
            Pattern.compile("foreign socket: fd 3 socket:\\[(\\d+)] on 127\\.0\\.0\\.1:(\\d+)");

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void aBoundSocketThatIsNotListeningIsNotInherited(Path jdk) throws Exception {
        serveBesideForeignSocket(jdk, "bound", (port, foreignPort) -> "fd 3 is not listening");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void aSocketListeningElsewhereIsNotInherited(Path jdk) throws Exception {
        serveBesideForeignSocket(jdk, "listening",
                (port, foreignPort) -> "fd 3 listens on 127.0.0.1:" + foreignPort + ", not 127.0.0.1:" + port);
    }

    /**
     * Starts httpserver through the perl launcher with a {@code mode} socket on fd 3; checks that
     * graceful said why it does not inherit it ({@code problem}, given the app's and the foreign
     * socket's port), left the fd alone, and that the app serves on a listener of its own.
     */
    private static void serveBesideForeignSocket(Path jdk, String mode, BiFunction<Integer, Integer, String> problem)
            throws Exception {
        Path log = ItEnvironment.freshLogFile("foreign-socket-" + mode + "-" + jdk.getFileName());
        String where = "; server log " + log;
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log);
        int port = spec.port();
        List<String> launcher = List.of("perl", "-e", LAUNCHER, "--", mode, String.valueOf(port));
        try (ServerProcess server = ServerProcess.start(spec.withLauncher(launcher))) {
            long jvm = server.firstGenerationPid();
            assertEquals(ProcessHandle.current().pid(), ProcFs.parentPid(jvm),
                    "test setup: the JVM's parent must be this test JVM, as the variables say" + where);
            Matcher foreign = FOREIGN_SOCKET.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
            assertTrue(foreign.find(), "test setup: the launcher logs the socket it put on fd 3" + where);
            long foreignInode = Long.parseLong(foreign.group(1));
            int foreignPort = Integer.parseInt(foreign.group(2));
            assertNotEquals(port, foreignPort, "test setup: the foreign socket is on another port" + where);

            String expected = "not inheriting 127.0.0.1:" + port + " (fd 3): " + problem.apply(port, foreignPort);
            assertTrue(ServerLog.contains(log, expected),
                    "expected '" + expected + "'" + where + ServerLog.gracefulLines(log));
            assertEquals(jvm, server.pid(), "the app answers on its port" + where);

            String fd3 = Files.readSymbolicLink(Path.of("/proc/" + jvm + "/fd/3")).toString();
            assertEquals("socket:[" + foreignInode + "]", fd3, "fd 3 must be left alone" + where);
            Map<Long, Integer> listening = ProcFs.listeningPortsByInode(jvm);
            List<Long> onAppPort = listening.entrySet().stream()
                    .filter(entry -> entry.getValue() == port).map(Map.Entry::getKey).toList();
            assertEquals(1, onAppPort.size(),
                    "one socket listens on the app's port " + port + ": " + onAppPort + where);
            long appListener = onAppPort.get(0);
            assertNotEquals(foreignInode, appListener,
                    "the app's listener must be its own, not the foreign socket" + where);
            assertTrue(ProcFs.sockets(jvm).contains("socket:[" + appListener + "]"),
                    "the listener on port " + port + " (socket:[" + appListener + "]) is the JVM's own" + where);
            if (mode.equals("listening")) {
                assertEquals(foreignPort, listening.get(foreignInode),
                        "the foreign socket still listens on its port" + where);
            }
            // A bound socket that does not listen is in no table of /proc/net/tcp: nothing more to see of it.
        }
    }
}

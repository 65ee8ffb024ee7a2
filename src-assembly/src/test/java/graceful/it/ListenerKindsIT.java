package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import graceful.itapps.harness.HttpProbe;
import graceful.itapps.harness.ServerProcess;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Listeners other than one plain port on 127.0.0.1 survive restarts exactly like it, on each JDK:
 * RestartUnderLoad's check (load from fresh connections that never retry, a request in flight at
 * each HUP finished by the old JVM, no failed request, a new pid each time, the old JVM gone, one
 * process left), with the load and a request in flight on every listener, or every address a
 * listener is reached by:
 * <ul>
 * <li>two listeners in one app (a service and an admin port), with a third one on port 0, which
 *     graceful does not hand over: each generation binds its own ephemeral port;
 * <li>IPv6: bound to {@code ::1}, and bound to {@code ::} (dual-stack on Linux: reached over
 *     {@code ::1} and over 127.0.0.1);
 * <li>TLS: HTTPS on Jetty 12, with a key made for the test, each request a fresh TLS connection.
 * </ul>
 */
// A safety net only: every wait is bounded; a healthy case takes 20 to 30 s.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ListenerKindsIT {

    private static final int RESTARTS = 2;

    /**
     * Longer than a hand-over takes (1.5 to 5 s; up to 10 s when the 2-core machine is busy with
     * more than this test), so the old JVM must drain it after the new one answers; and within
     * the probe's read timeout (15 s).
     */
    private static final long SLOW_MILLIS = 12_000;

    /** Jetty with TLS starts slower still (its new JVM answers 4 to 10 s after the HUP): as long as the probe allows. */
    private static final long TLS_SLOW_MILLIS = 13_000;

    private static final String KEYSTORE_PASSWORD = "graceful-it";

    /** The httpserver it-app's line for an extra listener: {@code ... also listening on <host>:<port> pid <pid>}. */
    private static final Pattern ALSO_LISTENING = Pattern.compile("also listening on \\S+:(\\d+) pid (\\d+)");

    /** The PKCS12 keystore (made by {@link #makeKeystore}) Jetty serves HTTPS with. */
    private static Path keystore;
    /** TLS connections that trust just the certificate in {@link #keystore}, and check it is for 127.0.0.1. */
    private static SSLSocketFactory trustingTheTestCertificate;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeKeystore() throws Exception {
        keystore = ItEnvironment.workDir("tls").resolve("keystore.p12");
        Files.deleteIfExists(keystore);
        // Self-signed, for 127.0.0.1; made by the keytool of the JDK running the test.
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-noprompt", "-alias", "graceful-it", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "7",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", KEYSTORE_PASSWORD, "-keypass", KEYSTORE_PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0 || !Files.isRegularFile(keystore)) {
            keytool.destroyForcibly();
            fail("keytool could not make " + keystore + ": " + output);
        }
        trustingTheTestCertificate = trusting(keystore);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void twoListenersAndOneOnPort0(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("listener-kinds-two-listeners-" + jdk.getFileName());
        int adminPort = ServerProcess.freePort();
        Path extraPorts = dir.resolve("extra-ports");
        Files.writeString(extraPorts, adminPort + " 0");
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log, "-Dgraceful.it.extraPortsFile=" + extraPorts);
        String where = " [httpserver with admin port " + adminPort + " and a port-0 listener on " + jdk + "; server log "
                + log + "]";
        run("two listeners + port 0 on " + jdk.getFileName(), log, SLOW_MILLIS, handOvers ->
                RestartUnderLoad.run(spec, List.of(HttpProbe.Target.loopback(adminPort)), RESTARTS, SLOW_MILLIS, where,
                        handOvers, (server, handOver) -> {
                            // Bound while the old JVM's port-0 listener still listened: another port for sure.
                            int oldPort = ephemeralPort(log, handOver.oldPid(), adminPort, where);
                            int newPort = ephemeralPort(log, handOver.newPid(), adminPort, where);
                            assertNotEquals(oldPort, newPort, "the new JVM must bind its own port for port 0" + where);
                            assertEquals(handOver.newPid(), HttpProbe.pidAnswering(HttpProbe.Target.loopback(newPort)),
                                    "the new JVM serves on the port it got for port 0" + where);
                        }));
        assertEquals(RESTARTS, count(log, "handing it 2 listener(s)"), "each HUP must hand over the service and the"
                + " admin port, not the port-0 one" + where + ServerLog.gracefulLines(log));
        assertEquals(RESTARTS, count(log, "it was bound to port 0, the new JVM binds its own"),
                "each HUP must say it does not hand over the port-0 listener" + where + ServerLog.gracefulLines(log));
    }

    /** The blocking it-app (ServerSocket) bound to ::1, reached over ::1. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void ipv6Loopback(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("listener-kinds-ipv6-loopback-" + jdk.getFileName());
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "blocking", log).withAppArguments("::1").withHost("::1");
        String where = " [blocking bound to ::1 on " + jdk + "; server log " + log + "]";
        run("IPv6 ::1 on " + jdk.getFileName(), log, SLOW_MILLIS, handOvers ->
                RestartUnderLoad.run(spec, RESTARTS, SLOW_MILLIS, where, handOvers));
    }

    /** The httpserver it-app (ServerSocketChannel) bound to the IPv6 wildcard, reached over ::1 and 127.0.0.1. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void ipv6Wildcard(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("listener-kinds-ipv6-wildcard-" + jdk.getFileName());
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log).withAppArguments("::").withHost("::1");
        String where = " [httpserver bound to :: on " + jdk + "; server log " + log + "]";
        run("IPv6 :: on " + jdk.getFileName(), log, SLOW_MILLIS, handOvers ->
                RestartUnderLoad.run(spec, List.of(spec.target().withHost(HttpProbe.Target.LOOPBACK)), RESTARTS,
                        SLOW_MILLIS, where, handOvers, RestartUnderLoad.AfterHandOver.NOTHING));
    }

    /** Jetty 12 serving HTTPS; every request of the load is a new TCP connection and a new TLS handshake. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void tlsOnJetty(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("listener-kinds-tls-jetty12-" + jdk.getFileName());
        ServerProcess.Spec spec = new ServerProcess.Spec(ItEnvironment.requireJdk(jdk), ItEnvironment.gracefulJar(),
                ItEnvironment.frameworkJar("jetty12"), "jetty12", ServerProcess.freePort(), log,
                List.of("-Dgraceful.it.keystore=" + keystore, "-Dgraceful.it.keystorePassword=" + KEYSTORE_PASSWORD))
                .withTls(trustingTheTestCertificate);
        String where = " [jetty12 serving HTTPS on " + jdk + "; server log " + log + "]";
        run("TLS on Jetty 12 on " + jdk.getFileName(), log, TLS_SLOW_MILLIS, handOvers ->
                RestartUnderLoad.run(spec, RESTARTS, TLS_SLOW_MILLIS, where, handOvers));
    }

    /** A case's body, given the list it adds its hand-overs to. */
    @FunctionalInterface
    private interface Case {
        void run(List<RestartUnderLoad.HandOver> handOvers) throws Exception;
    }

    /** Runs a case and prints one line about it, as CompatibilityIT does: outcome, times, the server's error lines. */
    private static void run(String name, Path log, long slowMillis, Case body) throws Exception {
        List<RestartUnderLoad.HandOver> handOvers = new ArrayList<>();
        String outcome = "FAIL";
        long started = System.nanoTime();
        try {
            body.run(handOvers);
            outcome = "PASS";
        } finally {
            System.out.println(String.format(Locale.ROOT, "listener kinds: %-30s %s in %4.1f s%s%n%s", name, outcome,
                    (System.nanoTime() - started) / 1e9, RestartUnderLoad.timings(handOvers, slowMillis),
                    CompatibilityIT.LogScan.of(log).describe()));
        }
    }

    /** The port {@code pid}'s port-0 listener got: its extra listener other than the admin port, from its log line. */
    private static int ephemeralPort(Path log, long pid, int adminPort, String where) {
        Matcher line = ALSO_LISTENING.matcher(ServerLog.linesWith(log, "also listening on"));
        List<Integer> ports = new ArrayList<>();
        while (line.find()) {
            if (Long.parseLong(line.group(2)) == pid && Integer.parseInt(line.group(1)) != adminPort) {
                ports.add(Integer.parseInt(line.group(1)));
            }
        }
        assertEquals(1, ports.size(), "pid " + pid + " must have logged one port for its port-0 listener, logged "
                + ports + where);
        return ports.get(0);
    }

    private static long count(Path log, String text) {
        return ServerLog.linesWith(log, text).lines().count();
    }

    /** TLS sockets that trust the certificate in {@code keystore} and nothing else. */
    private static SSLSocketFactory trusting(Path keystore) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            keys.load(in, KEYSTORE_PASSWORD.toCharArray());
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("graceful-it", keys.getCertificate("graceful-it"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context.getSocketFactory();
    }
}

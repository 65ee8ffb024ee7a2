package graceful.itapps.harness;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One GET on a fresh connection (to 127.0.0.1 unless a {@link Target} says otherwise), with a
 * raw socket, or a TLS socket over it. It never retries: a refused connect, a reset, a failed
 * handshake, a truncated response or a timeout is an exception the caller counts.
 * (java.net.http.HttpClient would silently retry some of those and hide the very failures a
 * restart must not cause.)
 */
public final class HttpProbe {

    public static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    public static final int READ_TIMEOUT_MILLIS = 15_000;

    private static final int MAX_HEAD_LINE_BYTES = 8 * 1024;

    private static final Pattern PID_IN_BODY = Pattern.compile("\\bpid=(\\d+)");

    /** A complete response; {@code pid} is from the it-apps body {@code pid=<pid> app=<app>}, or -1. */
    public record Response(int status, long pid, String body) {
    }

    /**
     * Where a request goes: {@code host} (an IP literal, e.g. {@code 127.0.0.1} or {@code ::1})
     * and {@code port}, over plain TCP ({@code tls} null) or over TLS with {@code tls}, which also
     * checks that the server's certificate is for {@code host} (HTTPS endpoint identification).
     */
    public record Target(String host, int port, SSLSocketFactory tls) {
        public static final String LOOPBACK = "127.0.0.1";

        /** Plain HTTP to 127.0.0.1:{@code port}. */
        public static Target loopback(int port) {
            return new Target(LOOPBACK, port, null);
        }

        public Target withHost(String otherHost) {
            return new Target(otherHost, port, tls);
        }

        public Target withPort(int otherPort) {
            return new Target(host, otherPort, tls);
        }

        /** {@code host:port}, the host in brackets if IPv6: the form of a URL and a Host header. */
        public String authority() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }

        @Override
        public String toString() {
            return (tls == null ? "http://" : "https://") + authority();
        }
    }

    private HttpProbe() {
    }

    public static Response get(int port, String path) throws IOException {
        return get(Target.loopback(port), path);
    }

    public static Response get(Target target, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            // Closing the TLS socket (autoClose) closes the TCP socket too; closing both is harmless.
            try (Socket connection = target.tls() == null ? socket : startTls(socket, target)) {
                OutputStream out = connection.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: " + target.authority() + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return readResponse(new BufferedInputStream(connection.getInputStream()));
            }
        }
    }

    /** The pid that answers {@code GET /} with 200 right now; anything else is an exception. */
    public static long pidAnswering(int port) throws IOException {
        return pidAnswering(Target.loopback(port));
    }

    /** The pid that answers {@code GET /} at {@code target} with 200 right now; anything else is an exception. */
    public static long pidAnswering(Target target) throws IOException {
        Response response = get(target, "/");
        if (response.status() != 200 || response.pid() < 0) {
            throw new IOException("GET / on " + target + " answered " + response.status() + ": " + response.body());
        }
        return response.pid();
    }

    /** TLS over the connected {@code socket}; the handshake is done (within the read timeout) when this returns. */
    private static SSLSocket startTls(Socket socket, Target target) throws IOException {
        SSLSocket tls = (SSLSocket) target.tls().createSocket(socket, target.host(), target.port(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }

    private static Response readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in);
        String[] statusParts = statusLine.split(" ", 3);
        if (statusParts.length < 2 || !statusParts[0].startsWith("HTTP/")) {
            throw new IOException("malformed status line: " + statusLine);
        }
        int status = parseInt(statusParts[1], statusLine);
        int contentLength = -1;
        for (String header; !(header = readLine(in)).isEmpty(); ) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                contentLength = parseInt(header.substring(colon + 1).trim(), header);
            }
        }
        String body = readBody(in, contentLength);
        Matcher pid = PID_IN_BODY.matcher(body);
        return new Response(status, pid.find() ? Long.parseLong(pid.group(1)) : -1, body);
    }

    /** Reads Content-Length bytes, or up to EOF when there is none. */
    private static String readBody(InputStream in, int contentLength) throws IOException {
        byte[] body = contentLength >= 0 ? in.readNBytes(contentLength) : in.readAllBytes();
        if (contentLength >= 0 && body.length < contentLength) {
            throw new IOException("connection closed after " + body.length + " of " + contentLength + " body bytes");
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed in the response head"
                        + (line.size() == 0 ? "" : " after: " + line.toString(StandardCharsets.ISO_8859_1)));
            }
            if (line.size() >= MAX_HEAD_LINE_BYTES) {
                throw new IOException("response head line longer than " + MAX_HEAD_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static int parseInt(String number, String context) throws IOException {
        try {
            return Integer.parseInt(number);
        } catch (NumberFormatException e) {
            throw new IOException("malformed number in: " + context);
        }
    }
}

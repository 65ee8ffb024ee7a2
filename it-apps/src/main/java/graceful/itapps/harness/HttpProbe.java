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

/**
 * One GET on a fresh connection to 127.0.0.1, with a raw socket. It never retries: a refused
 * connect, a reset, a truncated response or a timeout is an exception the caller counts.
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

    private HttpProbe() {
    }

    public static Response get(int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readResponse(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /** The pid that answers {@code GET /} with 200 right now; anything else is an exception. */
    public static long pidAnswering(int port) throws IOException {
        Response response = get(port, "/");
        if (response.status() != 200 || response.pid() < 0) {
            throw new IOException("GET / on port " + port + " answered " + response.status() + ": " + response.body());
        }
        return response.pid();
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

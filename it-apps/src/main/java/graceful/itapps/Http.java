package graceful.itapps;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The little HTTP/1.1 every it-app speaks: parse a request head (for the two hand-written
 * servers), choose the reply (all three), format the response bytes (hand-written servers).
 */
final class Http {

    /** Largest request (head plus body) the hand-written servers buffer; more closes the connection. */
    static final int MAX_REQUEST_BYTES = 16 * 1024;

    /** The longest /slow?ms= honoured: a typo must not park a connection for hours. */
    static final long MAX_SLOW_MILLIS = 120_000;

    private static final long PID = ProcessHandle.current().pid();

    /** What {@code GET /spawn} runs: the environment and the open fds a subprocess of the app inherits. */
    static final List<String> SPAWN_COMMAND = List.of("/bin/sh", "-c", "env; ls -l /proc/self/fd");
    private static final long SPAWN_TIMEOUT_SECONDS = 10;

    /** A parsed request; {@code length} is how many buffered bytes it occupies (head and body). */
    record Request(String target, boolean keepAlive, int length) {
    }

    /** What to answer, and how long to wait before answering. */
    record Reply(int status, String body, long delayMillis) {
    }

    private Http() {
    }

    /**
     * Parses the request at the start of {@code buf[0..len)}, or returns null if it has not all
     * arrived yet. Throws on a malformed or oversized request: the caller drops the connection.
     */
    static Request parse(byte[] buf, int len) throws IOException {
        int headEnd = indexOfBlankLine(buf, len);
        if (headEnd < 0) {
            if (len >= MAX_REQUEST_BYTES) {
                throw new IOException("request head larger than " + MAX_REQUEST_BYTES + " bytes");
            }
            return null;
        }
        String[] lines = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            throw new IOException("malformed request line: " + lines[0]);
        }
        // HTTP/1.1 connections persist unless the client says close; HTTP/1.0 ones only if it asks.
        boolean keepAlive = requestLine[2].equals("HTTP/1.1");
        int contentLength = 0;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header: " + lines[i]);
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "connection" -> keepAlive = connectionPersists(value, keepAlive);
                case "content-length" -> contentLength = parseContentLength(value);
                case "transfer-encoding" -> throw new IOException("chunked request bodies are not supported");
                default -> {
                }
            }
        }
        int length = headEnd + 4 + contentLength;
        if (length > MAX_REQUEST_BYTES) {
            throw new IOException("request larger than " + MAX_REQUEST_BYTES + " bytes");
        }
        return len < length ? null : new Request(requestLine[1], keepAlive, length);
    }

    /**
     * Routes {@code GET /}, {@code GET /slow?ms=N} and {@code GET /spawn} (what a subprocess of
     * this app inherits: {@link #SPAWN_COMMAND}'s output); anything else is a 404.
     */
    static Reply route(String path, String query, String app) {
        String body = "pid=" + PID + " app=" + app + "\n";
        return switch (path) {
            case "/" -> new Reply(200, body, 0);
            case "/slow" -> {
                long millis = slowMillis(query);
                yield millis < 0 ? new Reply(400, "expected /slow?ms=<0.." + MAX_SLOW_MILLIS + ">\n", 0)
                        : new Reply(200, body, millis);
            }
            case "/spawn" -> spawn(body);
            default -> new Reply(404, "not found\n", 0);
        };
    }

    /**
     * Runs {@link #SPAWN_COMMAND} the way an app starts a helper (ProcessBuilder, which copies
     * this JVM's environment) and answers its output after the usual {@code pid=} line. Blocks
     * the calling thread until it ends, also the nio app's selector thread: acceptable for a test
     * endpoint that runs for milliseconds.
     */
    private static Reply spawn(String pidLine) {
        try {
            Process process = new ProcessBuilder(SPAWN_COMMAND).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            // The output is a few KB, well within the pipe buffer: read it all, then reap.
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(SPAWN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Reply(500, "spawned process did not end within " + SPAWN_TIMEOUT_SECONDS + " s\n", 0);
            }
            return new Reply(process.exitValue() == 0 ? 200 : 500, pidLine + output, 0);
        } catch (IOException e) {
            return new Reply(500, "cannot spawn: " + e + "\n", 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(500, "interrupted\n", 0);
        }
    }

    /** Routes a raw request target ({@code /path?query}). */
    static Reply route(String target, String app) {
        int question = target.indexOf('?');
        return question < 0 ? route(target, null, app)
                : route(target.substring(0, question), target.substring(question + 1), app);
    }

    /** The complete response; {@code close} adds {@code Connection: close}, sent before the server closes. */
    static byte[] format(Reply reply, boolean close) {
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + reply.status() + " " + reasonPhrase(reply.status()) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] response = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, response, 0, headBytes.length);
        System.arraycopy(body, 0, response, headBytes.length, body.length);
        return response;
    }

    private static int indexOfBlankLine(byte[] buf, int len) {
        for (int i = 0; i + 3 < len; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean connectionPersists(String connectionHeader, boolean byDefault) {
        boolean persists = byDefault;
        for (String token : connectionHeader.split(",")) {
            switch (token.trim()) {
                case "close" -> {
                    return false;
                }
                case "keep-alive" -> persists = true;
                default -> {
                }
            }
        }
        return persists;
    }

    private static int parseContentLength(String value) throws IOException {
        try {
            int length = Integer.parseInt(value);
            if (length < 0) {
                throw new IOException("negative Content-Length: " + value);
            }
            return length;
        } catch (NumberFormatException e) {
            throw new IOException("malformed Content-Length: " + value);
        }
    }

    /** The {@code N} of {@code ms=N}, or -1 if absent or out of range. */
    private static long slowMillis(String query) {
        if (query == null) {
            return -1;
        }
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("ms=")) {
                try {
                    long millis = Long.parseLong(parameter.substring(3));
                    return millis >= 0 && millis <= MAX_SLOW_MILLIS ? millis : -1;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            default -> "Status";
        };
    }
}

package graceful.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk, the HTTP benchmarking tool, as a keep-alive client: a few connections, each sending
 * {@code GET /} again and again on the same connection. It counts every lost connection, refused
 * connect, timeout and non-2xx/3xx status as an error, and (through keep-alive-pids.lua) which
 * pids answered. Bounded by {@code maxDuration}; {@link #stop} ends it early with SIGINT, on
 * which wrk prints its summary.
 */
final class WrkLoad implements AutoCloseable {
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ");
    private static final Pattern ERRORS = Pattern.compile("^errors connect=(\\d+) read=(\\d+) write=(\\d+) status=(\\d+) timeout=(\\d+)$");
    private static final Pattern PID = Pattern.compile("^pid (\\d+) (\\d+)$");

    private final Process process;
    private final Path output;

    /** What wrk reported. */
    record Result(long requests, Map<String, Long> errors, Map<Long, Long> responsesByPid, String output) {
        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private WrkLoad(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** wrk on {@code /}, paced and counting responses per pid (keep-alive-pids.lua). */
    static WrkLoad start(int port, int connections, Duration maxDuration, Path output) throws IOException {
        return start("keep-alive-pids.lua", port, "/", connections, maxDuration, output);
    }

    /**
     * wrk on {@code path} (with its query, e.g. {@code /slow?ms=1}) as fast as the server answers,
     * counting errors only (errors-only.lua): its {@link Result#responsesByPid} is empty.
     */
    static WrkLoad startUnpaced(int port, String path, int connections, Duration maxDuration, Path output) throws IOException {
        return start("errors-only.lua", port, path, connections, maxDuration, output);
    }

    private static WrkLoad start(String scriptName, int port, String path, int connections, Duration maxDuration,
                                 Path output) throws IOException {
        Path script = output.resolveSibling(scriptName);
        try (InputStream in = WrkLoad.class.getResourceAsStream("/" + scriptName)) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> command = List.of(wrk(), "-t2", "-c" + connections, "-d" + maxDuration.toSeconds() + "s",
                "--timeout", "10s", "-s", script.toString(), "http://127.0.0.1:" + port + path);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        return new WrkLoad(process, output);
    }

    /** {@code -Dgraceful.it.wrk=/path/to/wrk}, else wrk on the PATH; a missing wrk fails the test. */
    private static String wrk() {
        String wrk = System.getProperty("graceful.it.wrk", "wrk");
        try {
            Process probe = new ProcessBuilder(wrk, "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            probe.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException missing) {
            fail("the keep-alive tests need wrk (" + missing.getMessage() + "): install it (apt-get install wrk)"
                    + " or point -Dgraceful.it.wrk at it");
        }
        return wrk;
    }

    long pid() {
        return process.pid();
    }

    /** Stops wrk (SIGINT, as Ctrl-C would) and reads its report. */
    Result stop() throws IOException, InterruptedException {
        if (process.isAlive()) {
            new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("wrk did not stop within 20 s of SIGINT; its output so far: " + Files.readString(output));
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        long requests = -1;
        Map<String, Long> errors = new LinkedHashMap<>();
        Map<Long, Long> pids = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = REQUESTS.matcher(line);
            if (m.find()) {
                requests = Long.parseLong(m.group(1));
            }
            m = ERRORS.matcher(line.strip());
            if (m.matches()) {
                String[] kinds = {"connect", "read", "write", "status", "timeout"};
                for (int i = 0; i < kinds.length; i++) {
                    errors.put(kinds[i], Long.parseLong(m.group(i + 1)));
                }
            }
            m = PID.matcher(line.strip());
            if (m.matches()) {
                pids.merge(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long::sum);
            }
        }
        if (requests < 0 || errors.isEmpty()) {
            fail("cannot read wrk's report from " + output + ":\n" + text);
        }
        return new Result(requests, errors, pids, text);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

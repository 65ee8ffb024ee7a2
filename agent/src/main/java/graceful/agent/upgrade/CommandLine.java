package graceful.agent.upgrade;

import graceful.agent.inherit.Handover;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** This JVM's own command line and environment, as the kernel has them. */
final class CommandLine {
    final String executable;
    final List<String> arguments;

    private CommandLine(String executable, List<String> arguments) {
        this.executable = executable;
        this.arguments = arguments;
    }

    static CommandLine ofThisProcess() throws IOException {
        String exe = Files.readSymbolicLink(Path.of("/proc/self/exe")).toString();
        byte[] cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        return new CommandLine(exe, splitNulls(cmdline, Charset.defaultCharset()));
    }

    /** /proc/self/cmdline: arguments each ended by a NUL byte. */
    static List<String> splitNulls(byte[] bytes, Charset charset) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                parts.add(new String(bytes, start, i - start, charset));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            parts.add(new String(bytes, start, bytes.length - start, charset));
        }
        return parts;
    }

    /**
     * The child's environment: this JVM's own (JAVA_TOOL_OPTIONS and friends come back this
     * way), without the restart variables this JVM itself was started with, plus the new ones.
     */
    static List<String> environment(Map<String, String> own, Handover handover) {
        List<String> env = new ArrayList<>();
        own.forEach((name, value) -> {
            if (!name.startsWith(Handover.PREFIX)) {
                env.add(name + "=" + value);
            }
        });
        handover.toEnvironment().forEach((name, value) -> env.add(name + "=" + value));
        return env;
    }
}

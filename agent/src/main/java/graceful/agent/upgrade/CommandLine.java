package graceful.agent.upgrade;

import graceful.agent.inherit.Handover;
import graceful.agent.inherit.SocketActivation;
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
        String exe = executable(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString());
        if (!Files.isExecutable(Path.of(exe))) {
            throw new IOException("the java executable " + exe + " is gone");
        }
        byte[] cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        return new CommandLine(exe, splitNulls(cmdline, Charset.defaultCharset()));
    }

    /**
     * The path to start the new JVM from. When the JDK was upgraded in place (a package update),
     * the kernel shows this JVM's executable as {@code /usr/lib/jvm/.../bin/java (deleted)}: the
     * file now at that path is the upgraded java, which is the one to start.
     */
    static String executable(String procSelfExe) {
        String deleted = " (deleted)";
        return procSelfExe.endsWith(deleted) ? procSelfExe.substring(0, procSelfExe.length() - deleted.length()) : procSelfExe;
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
     * way), without the restart variables this JVM itself was started with (nor systemd's socket
     * activation ones: the listeners are handed over as graceful's own), plus the new ones.
     */
    static List<String> environment(Map<String, String> own, Handover handover) {
        List<String> env = new ArrayList<>();
        own.forEach((name, value) -> {
            if (!name.startsWith(Handover.PREFIX) && !SocketActivation.isVariable(name)) {
                env.add(name + "=" + value);
            }
        });
        handover.toEnvironment().forEach((name, value) -> env.add(name + "=" + value));
        return env;
    }
}

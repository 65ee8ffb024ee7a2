package graceful.agent.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import graceful.agent.inherit.Endpoint;
import graceful.agent.inherit.Handover;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    @Test
    void procCmdlineSplitsOnNulBytesKeepingEmptyArguments() {
        byte[] bytes = "java\0-jar\0app.jar\0\0last\0".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("java", "-jar", "app.jar", "", "last"), CommandLine.splitNulls(bytes, StandardCharsets.UTF_8));
    }

    @Test
    void aJavaReplacedOnDiskIsStartedFromItsPath() {
        assertEquals("/usr/lib/jvm/jdk/bin/java", CommandLine.executable("/usr/lib/jvm/jdk/bin/java (deleted)"));
        assertEquals("/usr/lib/jvm/jdk/bin/java", CommandLine.executable("/usr/lib/jvm/jdk/bin/java"));
    }

    @Test
    void theChildGetsThisEnvironmentWithFreshRestartVariables() {
        Map<String, String> own = new LinkedHashMap<>();
        own.put("PATH", "/bin");
        own.put("JAVA_TOOL_OPTIONS", "-Xmx64m");
        own.put(Handover.PARENT_PID, "1");
        own.put(Handover.LISTENERS, "3/*/1/1");
        Handover next = new Handover(77, 3, 4, List.of(new Handover.Listener(3, new Endpoint("*", 8080), 9)));
        List<String> env = CommandLine.environment(own, next);
        assertTrue(env.contains("PATH=/bin"));
        assertTrue(env.contains("JAVA_TOOL_OPTIONS=-Xmx64m"));
        assertTrue(env.contains(Handover.PARENT_PID + "=77"));
        assertTrue(env.contains(Handover.LISTENERS + "=3/*/8080/9"));
        assertEquals(1, env.stream().filter(e -> e.startsWith(Handover.PARENT_PID + "=")).count());
    }
}

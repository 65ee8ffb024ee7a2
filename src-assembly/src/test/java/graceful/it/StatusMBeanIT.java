package graceful.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import graceful.itapps.harness.ServerProcess;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The status MBean, read the way jconsole reads it: attach, start the local JMX agent, connect. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StatusMBeanIT {
    private static final Duration REGISTERED_WITHIN = Duration.ofSeconds(15);

    @ParameterizedTest(name = "{0}")
    @MethodSource("graceful.it.ItEnvironment#jdks")
    void jmxShowsTheGenerationItsListenersAndConnections(Path jdk) throws Exception {
        Path log = ItEnvironment.freshLogFile("status-mbean-" + jdk.getFileName());
        String where = "; server log " + log;
        // The JMX connection this test makes to the first JVM counts as one of its connections,
        // and RMI keeps it open after the test is done with it: a short drain ends the wait.
        ServerProcess.Spec spec = ItEnvironment.spec(jdk, "httpserver", log, "-Dgraceful.drainTimeout=3s");
        try (ServerProcess server = ServerProcess.start(spec)) {
            long first = server.pid();
            try (JMXConnector jmx = connect(first)) {
                MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                ObjectName name = awaitRegistered(mbeans, where);
                assertEquals(1, mbeans.getAttribute(name, "Generation"), where);
                assertEquals(first, mbeans.getAttribute(name, "Pid"), where);
                assertEquals(0L, mbeans.getAttribute(name, "ParentPid"), where);
                // The JMX agent this test started listens too, on a port 0 of its own.
                assertTrue(List.of((String[]) mbeans.getAttribute(name, "Listeners")).contains("127.0.0.1:" + spec.port() + " bound"),
                        List.of((String[]) mbeans.getAttribute(name, "Listeners")) + where);
                assertEquals("none", mbeans.getAttribute(name, "LastRestart"), where);
            }

            long second = Restarts.handOver(server, first, where);
            try (JMXConnector jmx = connect(second); Socket held = new Socket("127.0.0.1", spec.port())) {
                held.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                held.getInputStream().read();
                MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                ObjectName name = awaitRegistered(mbeans, where);
                assertEquals(2, mbeans.getAttribute(name, "Generation"), where);
                assertEquals(first, mbeans.getAttribute(name, "ParentPid"), where);
                assertTrue(List.of((String[]) mbeans.getAttribute(name, "Listeners")).contains("127.0.0.1:" + spec.port() + " inherited"),
                        List.of((String[]) mbeans.getAttribute(name, "Listeners")) + where);
                assertTrue((Integer) mbeans.getAttribute(name, "LiveConnections") >= 1,
                        "the connection this test holds is live" + where);
            }
        }
    }

    private static JMXConnector connect(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
        try {
            return JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
        } finally {
            vm.detach();
        }
    }

    private static ObjectName awaitRegistered(MBeanServerConnection mbeans, String where) throws Exception {
        ObjectName name = new ObjectName("dev.graceful:type=Graceful");
        long end = System.nanoTime() + REGISTERED_WITHIN.toNanos();
        while (!mbeans.isRegistered(name)) {
            assertTrue(System.nanoTime() < end, name + " not registered within " + REGISTERED_WITHIN + where);
            Thread.sleep(100);
        }
        return name;
    }
}

package graceful.itapps.bundled;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.dynamic.loading.ClassReloadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import net.bytebuddy.matcher.ElementMatchers;
import org.tinylog.Logger;

/**
 * {@code java -jar bundled.jar bundled <port>}: a JDK HttpServer app that brings its own Byte
 * Buddy (with its agent), jnr-posix (with jnr-ffi, jffi and ASM) and tinylog, in other versions
 * than graceful's, and uses each of them at startup and while serving:
 * <ul>
 * <li>{@code GET /} and {@code GET /slow?ms=N} answer {@code pid=<pid> app=bundled}, the pid from
 *     jnr-posix's {@code getpid()} (a native call through the app's jffi on every request);
 *     {@code /slow} logs through the app's tinylog when it starts and ends;
 * <li>{@code GET /libs} generates a class with Byte Buddy, calls {@code getpid()}, logs a line, and
 *     answers {@link Libraries#report}: each library's version and jar, and what of graceful the
 *     app's class loader can see.
 * </ul>
 * At startup it also attaches Byte Buddy's agent to its own JVM, redefines {@link Greeting} with
 * it and retransforms the JDK classes graceful patched (a no-op transformation that only looks),
 * before it binds: the restart still working shows graceful's patches survived that.
 * At exit (every old generation exits through System.exit, so this runs) it logs the libjffi
 * copies mapped into the JVM: the app's, and graceful's if it restarted from this JVM.
 */
public final class BundledApp {

    static final String NAME = "bundled";
    private static final String HOST = "127.0.0.1";
    private static final int BACKLOG = 128;
    private static final int HANDLER_THREADS = 8;
    private static final long MAX_SLOW_MILLIS = 120_000;

    /** JDK classes graceful patches (the README's table) that the app's agent retransforms. */
    static final List<String> RETRANSFORMED = List.of("sun.nio.ch.Net", "java.net.ServerSocket");

    private static final AtomicInteger GENERATED = new AtomicInteger();

    private static POSIX posix;
    /** What the app's agent did at startup, for /libs. */
    static volatile String agentReport = "not run";

    private BundledApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        Logger.info("starting, pid {}", ProcessHandle.current().pid());

        posix = POSIXFactory.getNativePOSIX();
        if (!posix.isNative() || posix.getpid() != ProcessHandle.current().pid()) {
            throw new IllegalStateException("jnr-posix is not native or its getpid() " + posix.getpid()
                    + " is not this JVM's pid " + ProcessHandle.current().pid());
        }
        Logger.info("jnr-posix getpid() = {}", posix.getpid());
        Logger.info("Byte Buddy generated: {}", generate());
        agentReport = installAgent();
        Logger.info("Byte Buddy agent: {}", agentReport);
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> Logger.info("exiting, pid {}: libjffi mapped {}", ProcessHandle.current().pid(),
                        Libraries.mappedJffi()), "bundled-exit"));

        HttpServer server = HttpServer.create(new InetSocketAddress(HOST, port), BACKLOG);
        server.setExecutor(Executors.newFixedThreadPool(HANDLER_THREADS));
        server.createContext("/", BundledApp::handle);
        server.start();
        System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + server.getAddress().getPort()
                + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        Logger.info("listening on {}:{}", HOST, server.getAddress().getPort());
    }

    /** A class generated now by the app's Byte Buddy, instantiated, and what its toString() says. */
    static String generate() throws ReflectiveOperationException {
        String name = BundledApp.class.getPackageName() + ".Generated" + GENERATED.incrementAndGet();
        Class<?> type = new ByteBuddy()
                .subclass(Object.class)
                .name(name)
                .method(ElementMatchers.named("toString"))
                .intercept(FixedValue.value(name + " by Byte Buddy " + Libraries.version(ByteBuddy.class)))
                .make()
                .load(BundledApp.class.getClassLoader())
                .getLoaded();
        return type.getDeclaredConstructor().newInstance().toString();
    }

    /**
     * Attaches Byte Buddy's agent to this JVM, redefines {@link Greeting#text} with it, and
     * retransforms {@link #RETRANSFORMED} through a transformer that only records what it saw.
     */
    private static String installAgent() throws Exception {
        Instrumentation instrumentation = ByteBuddyAgent.install();
        new ByteBuddy()
                .redefine(Greeting.class)
                .method(ElementMatchers.named("text"))
                .intercept(FixedValue.value("redefined by the app's Byte Buddy agent"))
                .make()
                .load(Greeting.class.getClassLoader(), ClassReloadingStrategy.fromInstalledAgent());
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        ClassFileTransformer looker = new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String className, Class<?> redefining,
                                    ProtectionDomain domain, byte[] bytes) {
                seen.put(className.replace('/', '.'), bytes.length);
                return null;
            }
        };
        instrumentation.addTransformer(looker, true);
        try {
            Class<?>[] classes = new Class<?>[RETRANSFORMED.size()];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = Class.forName(RETRANSFORMED.get(i), false, null);
            }
            instrumentation.retransformClasses(classes);
        } finally {
            instrumentation.removeTransformer(looker);
        }
        if (!seen.keySet().containsAll(RETRANSFORMED)) {
            throw new IllegalStateException("retransformed " + seen + ", expected " + RETRANSFORMED);
        }
        return "attached; Greeting.text() = " + Greeting.text() + "; retransformed " + String.join(",", RETRANSFORMED);
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String body = "pid=" + posix.getpid() + " app=" + NAME + "\n";
            int status = 200;
            switch (path) {
                case "/" -> {
                }
                case "/slow" -> {
                    long millis = slowMillis(query);
                    if (millis < 0) {
                        status = 400;
                        body = "expected /slow?ms=<0.." + MAX_SLOW_MILLIS + ">\n";
                    } else {
                        Logger.info("slow request: {} ms", millis);
                        Thread.sleep(millis);
                        Logger.info("slow request answered after {} ms", millis);
                    }
                }
                case "/libs" -> {
                    Logger.info("libs requested");
                    body += Libraries.report(posix.getpid(), generate(), agentReport);
                }
                default -> {
                    status = 404;
                    body = "not found\n";
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ReflectiveOperationException | RuntimeException e) {
            Logger.error(e, "request failed");
            throw new IOException(e);
        }
    }

    /** The {@code N} of {@code ms=N}, or -1 if absent or out of range. */
    private static long slowMillis(String query) {
        if (query != null && query.startsWith("ms=")) {
            try {
                long millis = Long.parseLong(query.substring(3));
                return millis >= 0 && millis <= MAX_SLOW_MILLIS ? millis : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }
}

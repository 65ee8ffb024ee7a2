package graceful.itapps.tomcat;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * {@code java -jar tomcat11.jar tomcat11 <port>} (or tomcat10: both modules build this one source against their Tomcat): embedded Tomcat as its users write it, one servlet on the
 * default HTTP/1.1 (NIO) connector. Answers {@code GET /} and {@code GET /slow?ms=N} with
 * {@code pid=<pid> app=<name>}.
 */
public final class TomcatApp {

    private static final String HOST = "127.0.0.1";

    private TomcatApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].matches("tomcat1[01]")) {
            System.err.println("usage: java -jar tomcat11.jar tomcat11 <port>  (or tomcat10.jar tomcat10)");
            System.exit(2);
        }
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        Tomcat tomcat = new Tomcat();
        // Tomcat's default base directory is tomcat.<port> in the working directory: keep it in /tmp.
        tomcat.setBaseDir(Path.of(System.getProperty("java.io.tmpdir"), name + "." + port).toString());
        tomcat.setPort(port);
        Connector connector = tomcat.getConnector();
        connector.setProperty("address", HOST);
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "app", new AppServlet(name));
        context.addServletMappingDecoded("/", "app");
        tomcat.start();
        System.out.println("graceful-it-app " + name + " listening on " + HOST + ":" + connector.getLocalPort()
                + " pid " + ProcessHandle.current().pid());
        tomcat.getServer().await();
    }

    private static final class AppServlet extends HttpServlet {
        private final String body;

        AppServlet(String name) {
            this.body = "pid=" + ProcessHandle.current().pid() + " app=" + name + "\n";
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            switch (request.getServletPath()) {
                case "/" -> {
                }
                case "/slow" -> {
                    try {
                        Thread.sleep(Long.parseLong(request.getParameter("ms")));
                    } catch (NumberFormatException e) {
                        response.sendError(400, "expected /slow?ms=<millis>");
                        return;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        response.sendError(503);
                        return;
                    }
                }
                default -> {
                    response.sendError(404);
                    return;
                }
            }
            response.setContentType("text/plain; charset=utf-8");
            response.getWriter().write(body);
        }
    }
}

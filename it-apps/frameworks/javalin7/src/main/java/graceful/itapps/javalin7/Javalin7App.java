package graceful.itapps.javalin7;

import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * {@code java -jar javalin7.jar javalin7 <port>}: Javalin 7 as its documentation shows it, routes
 * declared in {@code Javalin.create}. Answers {@code GET /} and {@code GET /slow?ms=N} with
 * {@code pid=<pid> app=javalin7}.
 */
public final class Javalin7App {

    static final String NAME = "javalin7";
    private static final String HOST = "127.0.0.1";
    private static final String BODY = "pid=" + ProcessHandle.current().pid() + " app=" + NAME + "\n";

    private Javalin7App() {
    }

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        Javalin app = Javalin.create(config -> {
            config.jetty.host = HOST;
            config.jetty.port = Integer.parseInt(args[1]);
            config.routes.get("/", ctx -> ctx.result(BODY));
            config.routes.get("/slow", Javalin7App::slow);
        }).start();
        System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + app.port()
                + " pid " + ProcessHandle.current().pid());
    }

    private static void slow(Context ctx) throws InterruptedException {
        Thread.sleep(ctx.queryParamAsClass("ms", Long.class).get());
        ctx.result(BODY);
    }
}

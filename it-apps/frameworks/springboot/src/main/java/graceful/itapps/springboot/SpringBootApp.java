package graceful.itapps.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code java -jar springboot.jar springboot <port>}: a Spring Boot web app (embedded Tomcat) as
 * its guides write it, one {@code @RestController}. Answers {@code GET /} and
 * {@code GET /slow?ms=N} with {@code pid=<pid> app=springboot}.
 */
@SpringBootApplication
@RestController
public class SpringBootApp {

    static final String NAME = "springboot";
    private static final String HOST = "127.0.0.1";
    private static final String BODY = "pid=" + ProcessHandle.current().pid() + " app=" + NAME + "\n";

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        SpringApplication.run(SpringBootApp.class, "--server.address=" + HOST, "--server.port=" + args[1]);
        System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + args[1]
                + " pid " + ProcessHandle.current().pid());
    }

    @GetMapping(value = "/", produces = "text/plain; charset=utf-8")
    String root() {
        return BODY;
    }

    @GetMapping(value = "/slow", produces = "text/plain; charset=utf-8")
    String slow(@RequestParam("ms") long millis) throws InterruptedException {
        Thread.sleep(millis);
        return BODY;
    }
}

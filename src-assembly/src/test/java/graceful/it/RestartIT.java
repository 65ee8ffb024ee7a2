package graceful.it;

import graceful.itapps.harness.ServerProcess;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's promise, checked on each it-app and each JDK: under steady load, {@code kill -HUP}
 * hands the server over to a new JVM three times without a single failed request, a request in
 * flight at the HUP is finished by the old JVM, and one server process remains.
 */
// A safety net only: every wait below is bounded, and a healthy run takes well under 40 s.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RestartIT {

    private static final List<String> APPS = List.of("httpserver", "blocking", "nio");
    private static final int RESTARTS = 3;

    /**
     * Long enough to still be open when the new JVM answers, so the old JVM has to drain it: a
     * hand-over takes 1.5 to 4.5 s on a busy 2-core machine, and a 1.5 s request would usually be
     * over before the old JVM even stopped accepting, testing nothing about the drain.
     */
    private static final long SLOW_MILLIS = 8_000;

    static Stream<Arguments> appsOnEachJdk() {
        List<Path> jdks = ItEnvironment.jdks();
        return APPS.stream().flatMap(app -> jdks.stream().map(jdk -> Arguments.of(app, jdk)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsOnEachJdk")
    void hupHandsOverToANewJvmWithoutFailingARequest(String app, Path javaHome) throws Exception {
        Path log = ItEnvironment.freshLogFile(app + "-" + javaHome.getFileName());
        String where = " [" + app + " on " + javaHome + "; server log " + log + "]";
        RestartUnderLoad.run(new ServerProcess.Spec(
                        ItEnvironment.requireJdk(javaHome), ItEnvironment.gracefulJar(), ItEnvironment.itAppsJar(),
                        app, ServerProcess.freePort(), log),
                RESTARTS, SLOW_MILLIS, where, new ArrayList<>());
    }
}

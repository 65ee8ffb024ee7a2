package graceful.itapps.bundled;

/** What the app's Byte Buddy agent redefines at startup: {@link #text} then says so. */
final class Greeting {
    private Greeting() {
    }

    static String text() {
        return "original";
    }
}

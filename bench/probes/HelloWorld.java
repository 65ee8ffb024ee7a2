/** Startup probe: the smallest program there is. */
public class HelloWorld {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}

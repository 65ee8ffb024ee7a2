/** Startup probe: binds a listener on a free loopback port, as a server would, and exits. */
public class BindAndExit {
    public static void main(String[] args) throws Exception {
        try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open()) {
            listener.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
        }
    }
}

package graceful.agent.inherit;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Where a listener listens, in a form both JVMs compute alike: the wildcard address (0.0.0.0 or
 * ::, which the JDK turns into each other depending on the socket's family) is {@code *}.
 */
public final class Endpoint {
    public final String host;
    public final int port;

    public Endpoint(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public static Endpoint of(InetAddress address, int port) {
        return new Endpoint(address == null || address.isAnyLocalAddress() ? "*" : address.getHostAddress(), port);
    }

    public static Endpoint of(InetSocketAddress address) {
        return of(address.getAddress(), address.getPort());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Endpoint && ((Endpoint) other).host.equals(host) && ((Endpoint) other).port == port;
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}

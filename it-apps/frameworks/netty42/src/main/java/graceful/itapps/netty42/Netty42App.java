package graceful.itapps.netty42;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar netty42.jar netty42 <port>}: Netty 4.2 as its HTTP examples write it, a boss and a
 * worker NIO event loop group, HttpServerCodec and HttpObjectAggregator and one handler. Answers
 * {@code GET /} and {@code GET /slow?ms=N} (a scheduled reply, the event loop is never blocked)
 * with {@code pid=<pid> app=netty42}.
 */
public final class Netty42App {

    static final String NAME = "netty42";
    private static final String HOST = "127.0.0.1";

    private Netty42App() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals(NAME)) {
            System.err.println("usage: java -jar " + NAME + ".jar " + NAME + " <port>");
            System.exit(2);
        }
        EventLoopGroup bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(bossGroup, workerGroup)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                    new AppHandler());
                        }
                    });
            Channel channel = bootstrap.bind(HOST, Integer.parseInt(args[1])).sync().channel();
            System.out.println("graceful-it-app " + NAME + " listening on " + HOST + ":" + args[1]
                    + " pid " + ProcessHandle.current().pid());
            channel.closeFuture().sync();
            // What Netty's examples do next: shut the event loops down, closing every connection.
            // Netty closes its server channel itself when it finds the channel's key cancelled;
            // graceful stops accepting without that (tests look for this line).
            System.out.println("graceful-it-app " + NAME + ": lost its listener (server channel closed),"
                    + " shutting down its event loops");
            System.out.flush();
        } finally {
            bossGroup.shutdownGracefully();
            workerGroup.shutdownGracefully();
        }
    }

    private static final class AppHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private static final String BODY = "pid=" + ProcessHandle.current().pid() + " app=" + NAME + "\n";

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            switch (uri.path()) {
                case "/" -> reply(ctx, HttpResponseStatus.OK, BODY, keepAlive);
                case "/slow" -> {
                    long millis;
                    try {
                        millis = Long.parseLong(uri.parameters().getOrDefault("ms", List.of("")).get(0));
                    } catch (NumberFormatException e) {
                        reply(ctx, HttpResponseStatus.BAD_REQUEST, "expected /slow?ms=<millis>\n", keepAlive);
                        return;
                    }
                    ctx.executor().schedule(() -> reply(ctx, HttpResponseStatus.OK, BODY, keepAlive),
                            millis, TimeUnit.MILLISECONDS);
                }
                default -> reply(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive);
            }
        }

        private static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(response, response.content().readableBytes());
            if (keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(response);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            cause.printStackTrace();
            ctx.close();
        }
    }
}

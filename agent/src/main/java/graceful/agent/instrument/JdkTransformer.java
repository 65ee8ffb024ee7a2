package graceful.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * A plain ClassFileTransformer that looks at class names only and calls Byte Buddy's Advice for
 * the few JDK classes it patches. (Byte Buddy's AgentBuilder would cost 0.4-0.9 s of startup.)
 */
final class JdkTransformer implements ClassFileTransformer {
    private static final class Patch {
        final Class<?> advice;
        final ElementMatcher<? super MethodDescription> methods;

        Patch(Class<?> advice, ElementMatcher<? super MethodDescription> methods) {
            this.advice = advice;
            this.methods = methods;
        }
    }

    /** Internal class name to the patches applied to it. */
    static final Map<String, List<Patch>> PATCHES = Map.of(
            "sun/nio/ch/Net", List.of(new Patch(Advices.NetBind.class,
                    named("bind").and(isStatic()).and(takesArguments(4))
                            .and(takesArgument(0, named("java.net.ProtocolFamily"))))),
            "sun/nio/ch/ServerSocketChannelImpl", List.of(
                    new Patch(Advices.ListenerBound.class, named("bind").and(takesArguments(2))
                            .and(takesArgument(0, named("java.net.SocketAddress")))),
                    new Patch(Advices.ChannelAccepted.class, named("finishAccept").and(takesArguments(2)))),
            "java/net/ServerSocket", List.of(new Patch(Advices.ListenerBound.class,
                    named("bind").and(takesArguments(2)).and(takesArgument(0, named("java.net.SocketAddress"))))),
            "sun/nio/ch/NioSocketImpl", List.of(
                    new Patch(Advices.SocketAccepted.class, named("accept").and(takesArguments(1))),
                    new Patch(Advices.Closed.class, named("close").and(takesArguments(0)))),
            "sun/nio/ch/SocketChannelImpl", List.of(new Patch(Advices.Closed.class,
                    named("implCloseSelectableChannel").and(takesArguments(0)))));

    /** Classes whose transformation failed, with the reason. */
    final Map<String, String> failures = new ConcurrentHashMap<>();
    /** Classes transformed, by internal name. */
    final Map<String, Boolean> transformed = new ConcurrentHashMap<>();

    private final ClassFileLocator adviceLocator = ClassFileLocator.ForClassLoader.of(JdkTransformer.class.getClassLoader());

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefining,
                            ProtectionDomain domain, byte[] bytes) {
        List<Patch> patches = loader == null ? PATCHES.get(className) : null;
        if (patches == null) {
            return null;
        }
        try {
            String name = className.replace('/', '.');
            ClassFileLocator jdk = new ClassFileLocator.Compound(
                    ClassFileLocator.Simple.of(name, bytes), ClassFileLocator.ForClassLoader.ofBootLoader());
            TypePool jdkTypes = TypePool.Default.of(jdk);
            TypePool adviceTypes = TypePool.Default.of(new ClassFileLocator.Compound(adviceLocator, jdk));
            DynamicType.Builder<?> builder = new ByteBuddy()
                    .with(TypeValidation.DISABLED)
                    .with(Implementation.Context.Disabled.Factory.INSTANCE)
                    .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                    .redefine(jdkTypes.describe(name).resolve(), jdk);
            for (Patch patch : patches) {
                TypeDescription advice = adviceTypes.describe(patch.advice.getName()).resolve();
                builder = builder.visit(Advice.to(advice, new ClassFileLocator.Compound(adviceLocator, jdk)).on(patch.methods));
            }
            byte[] result = builder.make().getBytes();
            transformed.put(className, Boolean.TRUE);
            return result;
        } catch (Throwable failure) {
            failures.put(className, String.valueOf(failure));
            return null;
        }
    }
}

package graceful.agent.instrument;

import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The JDK methods graceful patches, and the patch: a call into {@code sun.nio.ch.GracefulBridge}
 * at the very start of each method, before any of the JDK's own code. Nothing else in the
 * method changes, and methods not listed are copied byte for byte.
 *
 * <p>Entry-only on purpose: it needs no frame computation and no class loading, so plain ASM
 * does it in a few milliseconds, where Byte Buddy's Advice loaded ~840 classes and added about
 * a second to every JVM start (measured on JDK 17 and 25).
 */
final class EntryHooks {
    static final String BRIDGE = "sun/nio/ch/GracefulBridge";

    /** What the prologue passes to the bridge. */
    private enum Call {
        /** {@code if (GracefulBridge.bind(fd, address, port)) return;} with Net.bind's arguments 1, 2, 3. */
        BIND_OR_SKIP,
        /** {@code GracefulBridge.bound(this);} */
        BOUND_THIS,
        /** {@code GracefulBridge.accepted(this, argument 1);} */
        ACCEPTED_THIS_ARG1,
        /** {@code GracefulBridge.closed(this);} */
        CLOSED_THIS,
        /** {@code int n = GracefulBridge.write(this, buffer); if (n >= 0) return n;} */
        WRITE_BUFFER_OR_RETURN,
        /** {@code long n = GracefulBridge.write(this, buffers, offset, length); if (n >= 0) return n;} */
        WRITE_BUFFERS_OR_RETURN,
        /** {@code if (GracefulBridge.write(this, bytes, offset, length)) return;} */
        WRITE_BYTES_OR_SKIP,
        /** {@code GracefulBridge.processStarting(this);} */
        PROCESS_STARTING_THIS
    }

    private static final class Hook {
        final String method;
        final String descriptor;
        final Call call;

        Hook(String method, String descriptor, Call call) {
            this.method = method;
            this.descriptor = descriptor;
            this.call = call;
        }
    }

    /** Internal class name to its hooks. Names and descriptors are the same on JDK 17 and 25. */
    static final Map<String, List<Hook>> HOOKS = Map.of(
            "sun/nio/ch/Net", List.of(
                    new Hook("bind", "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V", Call.BIND_OR_SKIP)),
            "sun/nio/ch/ServerSocketChannelImpl", List.of(
                    new Hook("bind", "(Ljava/net/SocketAddress;I)Ljava/nio/channels/ServerSocketChannel;", Call.BOUND_THIS),
                    new Hook("finishAccept", "(Ljava/io/FileDescriptor;Ljava/net/SocketAddress;)Ljava/nio/channels/SocketChannel;",
                            Call.ACCEPTED_THIS_ARG1)),
            "java/net/ServerSocket", List.of(
                    new Hook("bind", "(Ljava/net/SocketAddress;I)V", Call.BOUND_THIS)),
            "sun/nio/ch/NioSocketImpl", List.of(
                    new Hook("accept", "(Ljava/net/SocketImpl;)V", Call.ACCEPTED_THIS_ARG1),
                    new Hook("close", "()V", Call.CLOSED_THIS),
                    new Hook("write", "([BII)V", Call.WRITE_BYTES_OR_SKIP)),
            "sun/nio/ch/SocketChannelImpl", List.of(
                    new Hook("implCloseSelectableChannel", "()V", Call.CLOSED_THIS),
                    new Hook("write", "(Ljava/nio/ByteBuffer;)I", Call.WRITE_BUFFER_OR_RETURN),
                    new Hook("write", "([Ljava/nio/ByteBuffer;II)J", Call.WRITE_BUFFERS_OR_RETURN),
                    new Hook("blockingWriteFully", "([BII)V", Call.WRITE_BYTES_OR_SKIP)),
            "java/lang/ProcessBuilder", List.of(
                    new Hook("start", "([Ljava/lang/ProcessBuilder$Redirect;)Ljava/lang/Process;", Call.PROCESS_STARTING_THIS)));

    private EntryHooks() {}

    /**
     * The class with its hooks added, or null if it has none.
     *
     * @throws IllegalStateException if a listed method is missing (a JDK graceful does not know)
     */
    static byte[] patch(String internalName, byte[] classFile) {
        List<Hook> hooks = HOOKS.get(internalName);
        if (hooks == null) {
            return null;
        }
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] patched = new int[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor method = super.visitMethod(access, name, descriptor, signature, exceptions);
                for (Hook hook : hooks) {
                    if (hook.method.equals(name) && hook.descriptor.equals(descriptor)) {
                        patched[0]++;
                        return new Prologue(method, hook.call);
                    }
                }
                return method;
            }
        }, 0);
        if (patched[0] != hooks.size()) {
            throw new IllegalStateException(internalName + ": found " + patched[0] + " of the " + hooks.size()
                    + " methods to patch; this JDK is not one graceful knows");
        }
        return writer.toByteArray();
    }

    /** Writes the call at the start of the method's code. */
    private static final class Prologue extends MethodVisitor {
        /** The most a prologue pushes: a long count, its copy and a long zero to compare it with. */
        private static final int STACK_NEEDED = 6;
        private final Call call;
        /** After {@code if (...) return;} the code's original start is a jump target and needs a stack map frame. */
        private boolean frameOwed;

        Prologue(MethodVisitor next, Call call) {
            super(Opcodes.ASM9, next);
            this.call = call;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            switch (call) {
                case BIND_OR_SKIP:
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    super.visitVarInsn(Opcodes.ALOAD, 2);
                    super.visitVarInsn(Opcodes.ILOAD, 3);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "bind",
                            "(Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)Z", false);
                    Label original = new Label();
                    super.visitJumpInsn(Opcodes.IFEQ, original);
                    super.visitInsn(Opcodes.RETURN);
                    super.visitLabel(original);
                    frameOwed = true;
                    break;
                case BOUND_THIS:
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "bound", "(Ljava/lang/Object;)V", false);
                    break;
                case ACCEPTED_THIS_ARG1:
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "accepted", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
                    break;
                case WRITE_BUFFER_OR_RETURN: {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "write", "(Ljava/lang/Object;Ljava/nio/ByteBuffer;)I", false);
                    Label writeItself = new Label();
                    super.visitInsn(Opcodes.DUP);
                    super.visitJumpInsn(Opcodes.IFLT, writeItself);
                    super.visitInsn(Opcodes.IRETURN);
                    super.visitLabel(writeItself);
                    super.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {Opcodes.INTEGER});
                    super.visitInsn(Opcodes.POP);
                    break;
                }
                case WRITE_BUFFERS_OR_RETURN: {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    super.visitVarInsn(Opcodes.ILOAD, 2);
                    super.visitVarInsn(Opcodes.ILOAD, 3);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "write", "(Ljava/lang/Object;[Ljava/nio/ByteBuffer;II)J", false);
                    Label writeItself = new Label();
                    super.visitInsn(Opcodes.DUP2);
                    super.visitInsn(Opcodes.LCONST_0);
                    super.visitInsn(Opcodes.LCMP);
                    super.visitJumpInsn(Opcodes.IFLT, writeItself);
                    super.visitInsn(Opcodes.LRETURN);
                    super.visitLabel(writeItself);
                    super.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {Opcodes.LONG});
                    super.visitInsn(Opcodes.POP2);
                    break;
                }
                case WRITE_BYTES_OR_SKIP: {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    super.visitVarInsn(Opcodes.ILOAD, 2);
                    super.visitVarInsn(Opcodes.ILOAD, 3);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "write", "(Ljava/lang/Object;[BII)Z", false);
                    Label writeItself = new Label();
                    super.visitJumpInsn(Opcodes.IFEQ, writeItself);
                    super.visitInsn(Opcodes.RETURN);
                    super.visitLabel(writeItself);
                    frameOwed = true;
                    break;
                }
                case CLOSED_THIS:
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "closed", "(Ljava/lang/Object;)V", false);
                    break;
                default:
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "processStarting", "(Ljava/lang/Object;)V", false);
                    break;
            }
        }

        /**
         * The frame at the original start has the method's initial locals and an empty stack
         * (F_SAME). If the JDK's code already has a frame there (a loop back to its start), that
         * one serves: it is encoded relative to the same initial frame.
         */
        private void payFrame() {
            if (frameOwed) {
                frameOwed = false;
                super.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
            }
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            frameOwed = false;
            super.visitFrame(type, numLocal, local, numStack, stack);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.max(maxStack, STACK_NEEDED), maxLocals);
        }

        @Override
        public void visitInsn(int opcode) {
            payFrame();
            super.visitInsn(opcode);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            payFrame();
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitVarInsn(int opcode, int varIndex) {
            payFrame();
            super.visitVarInsn(opcode, varIndex);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            payFrame();
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            payFrame();
            super.visitFieldInsn(opcode, owner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            payFrame();
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, org.objectweb.asm.Handle bootstrap, Object... arguments) {
            payFrame();
            super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            payFrame();
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitLdcInsn(Object value) {
            payFrame();
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int varIndex, int increment) {
            payFrame();
            super.visitIincInsn(varIndex, increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            payFrame();
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            payFrame();
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            payFrame();
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
        }
    }
}

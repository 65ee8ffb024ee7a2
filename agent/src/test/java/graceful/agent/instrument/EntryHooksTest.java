package graceful.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The patch, read back with ASM, on the classes of the JDK the tests run on: each hooked method is
 * its prologue followed by exactly its own code (same instructions, branches to the same places,
 * same handlers and frames), and every other method is unchanged. Whether the JVM's verifier
 * accepts it is checked end to end (the integration tests; -XX:+BytecodeVerificationLocal).
 */
class EntryHooksTest {
    @Test
    void eachHookedMethodIsItsPrologueThenItsOwnCode() throws IOException {
        for (String name : EntryHooks.HOOKS.keySet()) {
            byte[] original = jdkClass(name);
            byte[] patched = EntryHooks.patch(name, original);
            assertNotNull(patched, name);
            Map<String, Listing> before = listing(original);
            Map<String, Listing> after = listing(patched);
            assertEquals(before.keySet(), after.keySet(), name);
            int hooked = 0;
            for (String method : before.keySet()) {
                Listing own = before.get(method);
                Listing now = after.get(method);
                if (now.render(0).equals(own.render(0))) {
                    continue;
                }
                hooked++;
                int prologue = now.instructions.size() - own.instructions.size();
                assertTrue(prologue > 0, name + "." + method);
                assertTrue(now.instructions.stream().limit(prologue).anyMatch(line -> line.contains(EntryHooks.BRIDGE)),
                        name + "." + method);
                if (!own.frames.containsKey(0) && now.frames.containsKey(prologue)) {
                    // after "if (...) return;" the prologue owes the original start a frame: the initial one
                    assertEquals("3 |", now.frames.remove(prologue), name + "." + method);
                }
                // The rest is the method's own code: same instructions, branches, handlers, frames, lines.
                assertEquals(own.render(0), now.render(prologue), name + "." + method);
            }
            assertEquals(EntryHooks.HOOKS.get(name).size(), hooked, name);
        }
    }

    @Test
    void theBindPrologueSkipsTheBindWhenTheBridgeSaysSo() throws IOException {
        byte[] patched = EntryHooks.patch("sun/nio/ch/Net", jdkClass("sun/nio/ch/Net"));
        Listing bind = listing(patched).get("bind(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V");
        assertEquals(List.of("insn 0", "insn 0", "var 25 1", "var 25 2", "var 21 3",
                "method 184 sun/nio/ch/GracefulBridge bind (Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)Z",
                "jump 153 @8", "insn 177"), bind.instructions.subList(0, 8).stream().map(i -> bind.resolve(i, 0)).toList());
        assertTrue(bind.frames.containsKey(8), "a frame where the JDK's own code starts: " + bind.frames);
    }

    @Test
    void theListedClassesAreKnownByEitherName() {
        for (String name : EntryHooks.HOOKS.keySet()) {
            assertTrue(EntryHooks.isListedInternalName(name), name);
            assertTrue(EntryHooks.isListedBinaryName(name.replace('/', '.')), name);
            assertTrue(!EntryHooks.isListedBinaryName(name), name);
        }
        assertTrue(!EntryHooks.isListedInternalName("sun/nio/ch/Nex"));
        assertTrue(!EntryHooks.isListedBinaryName("java.lang.Object"));
    }

    @Test
    void aClassWithoutTheMethodsIsRefused() throws IOException {
        assertThrows(IllegalStateException.class, () -> EntryHooks.patch("sun/nio/ch/Net", jdkClass("java/lang/Object")));
    }

    private static byte[] jdkClass(String internalName) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        }
    }

    /**
     * A method as ASM reads it: its instructions, with branch targets, handlers, frames and line
     * numbers given as instruction indexes, so that a listing can be compared with the same code
     * moved by a prologue.
     */
    private static final class Listing {
        final List<String> instructions = new ArrayList<>();
        final Map<Label, Integer> labels = new IdentityHashMap<>();
        final List<Object[]> references = new ArrayList<>(); // {text with %s per label, labels...} per instruction
        final Map<Integer, String> frames = new HashMap<>();
        final List<Object[]> handlers = new ArrayList<>();
        final List<Object[]> lines = new ArrayList<>();

        void add(String text, Label... targets) {
            instructions.add(text);
            references.add(new Object[] {text, targets});
        }

        String resolve(String instruction, int shift) {
            Object[] reference = references.get(instructions.indexOf(instruction));
            return at((String) reference[0], (Label[]) reference[1], shift);
        }

        private String at(String text, Label[] targets, int shift) {
            Object[] indexes = new Object[targets.length];
            for (int i = 0; i < targets.length; i++) {
                indexes[i] = "@" + (labels.get(targets[i]) - shift);
            }
            return String.format(text, indexes);
        }

        /** Everything from instruction {@code from} on, with indexes counted from there. */
        List<String> render(int from) {
            List<String> out = new ArrayList<>();
            for (int i = from; i < instructions.size(); i++) {
                if (frames.containsKey(i)) {
                    out.add("frame " + frames.get(i));
                }
                Object[] reference = references.get(i);
                out.add(at((String) reference[0], (Label[]) reference[1], from));
            }
            for (Object[] handler : handlers) {
                out.add(at("try %s %s %s " + handler[3], new Label[] {(Label) handler[0], (Label) handler[1], (Label) handler[2]}, from));
            }
            for (Object[] line : lines) {
                out.add(at("line " + line[0] + " %s", new Label[] {(Label) line[1]}, from));
            }
            return out;
        }
    }

    private static Map<String, Listing> listing(byte[] classFile) {
        Map<String, Listing> methods = new HashMap<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                Listing m = new Listing();
                methods.put(name + descriptor, m);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int opcode) {
                        m.add("insn " + opcode);
                    }

                    @Override
                    public void visitIntInsn(int opcode, int operand) {
                        m.add("int " + opcode + " " + operand);
                    }

                    @Override
                    public void visitVarInsn(int opcode, int var) {
                        m.add("var " + opcode + " " + var);
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        m.add("type " + opcode + " " + type);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
                        m.add("field " + opcode + " " + owner + " " + name + " " + descriptor);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean itf) {
                        m.add("method " + opcode + " " + owner + " " + name + " " + descriptor);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... args) {
                        m.add("indy " + name + " " + descriptor + " " + bootstrap);
                    }

                    @Override
                    public void visitJumpInsn(int opcode, Label target) {
                        m.add("jump " + opcode + " %s", target);
                    }

                    @Override
                    public void visitLabel(Label label) {
                        m.labels.put(label, m.instructions.size());
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        m.add("ldc " + value);
                    }

                    @Override
                    public void visitIincInsn(int var, int increment) {
                        m.add("iinc " + var + " " + increment);
                    }

                    @Override
                    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... targets) {
                        Label[] all = new Label[targets.length + 1];
                        all[0] = dflt;
                        System.arraycopy(targets, 0, all, 1, targets.length);
                        m.add("tableswitch " + min + " " + max + " %s".repeat(all.length), all);
                    }

                    @Override
                    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] targets) {
                        Label[] all = new Label[targets.length + 1];
                        all[0] = dflt;
                        System.arraycopy(targets, 0, all, 1, targets.length);
                        StringBuilder text = new StringBuilder("lookupswitch %s");
                        for (int key : keys) {
                            text.append(' ').append(key).append(" %s");
                        }
                        m.add(text.toString(), all);
                    }

                    @Override
                    public void visitMultiANewArrayInsn(String descriptor, int dims) {
                        m.add("multianewarray " + descriptor + " " + dims);
                    }

                    @Override
                    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                        m.handlers.add(new Object[] {start, end, handler, type});
                    }

                    @Override
                    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
                        StringBuilder text = new StringBuilder(String.valueOf(type));
                        for (int i = 0; i < numLocal; i++) {
                            text.append(' ').append(local[i] instanceof Label ? "new" : local[i]);
                        }
                        text.append(" |");
                        for (int i = 0; i < numStack; i++) {
                            text.append(' ').append(stack[i] instanceof Label ? "new" : stack[i]);
                        }
                        m.frames.put(m.instructions.size(), text.toString());
                    }

                    @Override
                    public void visitLineNumber(int line, Label start) {
                        m.lines.add(new Object[] {line, start});
                    }
                };
            }
        }, 0);
        return methods;
    }
}

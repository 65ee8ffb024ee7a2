package graceful.agent.instrument;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JDK methods graceful patches, and the patch: a call into {@code sun.nio.ch.GracefulBridge}
 * at the very start of each method, before any of the JDK's own code. Nothing else in the
 * method changes, and methods not listed are copied byte for byte.
 *
 * <p>Entry-only on purpose: it needs no frame computation and no class loading, so it is written
 * straight into the class file ({@link ClassFilePatch}), where Byte Buddy's Advice loaded ~840
 * classes and added about a second to every JVM start, and plain ASM 15-20 ms (measured on JDK
 * 17 and 25).
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
        PROCESS_STARTING_THIS,
        /** {@code GracefulBridge.platformMBeanServer();} */
        PLATFORM_MBEAN_SERVER
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
                    new Hook("start", "([Ljava/lang/ProcessBuilder$Redirect;)Ljava/lang/Process;", Call.PROCESS_STARTING_THIS)),
            // In java.management, not java.base: JdkModules exports sun.nio.ch to it for this call.
            "java/lang/management/ManagementFactory", List.of(
                    new Hook("getPlatformMBeanServer", "()Ljavax/management/MBeanServer;", Call.PLATFORM_MBEAN_SERVER)));

    /** The listed classes' internal names, and the same with dots (binary names), for the checks below. */
    private static final String[] LISTED_INTERNAL = HOOKS.keySet().toArray(new String[0]);
    private static final String[] LISTED_BINARY = binaryNames(LISTED_INTERNAL);

    private EntryHooks() {}

    private static String[] binaryNames(String[] internalNames) {
        String[] names = new String[internalNames.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = internalNames[i].replace('/', '.');
        }
        return names;
    }

    /**
     * Whether a class, by its binary name ({@code Class.getName()}), is listed. Asked of every class
     * loaded at premain (~800-1000): comparing lengths first, rather than making an internal name
     * of each and hashing it, which cost 2-7 ms (interpreted) of every start.
     */
    static boolean isListedBinaryName(String name) {
        return isOneOf(name, LISTED_BINARY);
    }

    /** Whether a class, by its internal name, is listed. Asked of every boot class that loads once graceful runs. */
    static boolean isListedInternalName(String name) {
        return isOneOf(name, LISTED_INTERNAL);
    }

    private static boolean isOneOf(String name, String[] names) {
        for (String listed : names) {
            if (listed.length() == name.length() && listed.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The class with its hooks added, or null if it has none.
     *
     * @throws IllegalStateException if a listed method is missing (a JDK graceful does not know),
     *         or the class file has something this patcher does not handle
     */
    static byte[] patch(String internalName, byte[] classFile) {
        List<Hook> hooks = HOOKS.get(internalName);
        if (hooks == null) {
            return null;
        }
        return new ClassFilePatch(classFile).apply(internalName, hooks);
    }

    /**
     * The patch, written straight into the class file, without a bytecode library: each prologue
     * is inserted at the start of its method's code. Everything after it moves by the prologue's
     * length, which is a multiple of 4 (padded with leading {@code nop}s) so that the alignment of
     * {@code tableswitch}/{@code lookupswitch} padding holds; branches are relative and stay as
     * they are; absolute code offsets (exception table, stack map frames, line and local variable
     * tables) are moved. The constants the calls need are appended to the constant pool; all else
     * is copied byte for byte. ASM did the same in ~20 classes that every JVM loaded and verified
     * at its first bind, 15-20 ms of its startup (measured on JDK 17).
     */
    private static final class ClassFilePatch {
        private static final int STACK_MAP_SAME = 0;
        private static final int STACK_MAP_SAME1 = 1;
        private static final int STACK_MAP_CHOP = 2;
        private static final int STACK_MAP_APPEND = 3;
        private static final int STACK_MAP_FULL = 4;
        /** Verification types: {@code ITEM_Integer}, {@code ITEM_Long}, {@code ITEM_Object}, {@code ITEM_Uninitialized}. */
        private static final int ITEM_INTEGER = 1;
        private static final int ITEM_LONG = 4;
        private static final int ITEM_OBJECT = 7;
        private static final int ITEM_UNINITIALIZED = 8;

        private final byte[] in;
        private int[] constantOffsets;
        private int constantCount;
        /** Constants appended to the pool, encoded; {@link #nextConstant} is the index of the next one. */
        private final ByteArrayOutputStream added = new ByteArrayOutputStream();
        private int nextConstant;
        private int bridgeClass;
        private final Map<String, Integer> methodRefs = new HashMap<>();
        private int stackMapTableName;

        ClassFilePatch(byte[] classFile) {
            this.in = classFile;
        }

        byte[] apply(String internalName, List<Hook> hooks) {
            if (u4(0) != 0xCAFEBABE) {
                throw new IllegalStateException(internalName + ": not a class file");
            }
            constantCount = u2(8);
            constantOffsets = new int[constantCount];
            int p = 10;
            for (int i = 1; i < constantCount; i++) {
                constantOffsets[i] = p;
                int tag = in[p] & 0xff;
                switch (tag) {
                    case 1: p += 3 + u2(p + 1); break;                          // Utf8
                    case 3: case 4: p += 5; break;                              // Integer, Float
                    case 5: case 6: p += 9; i++; break;                         // Long, Double: two slots
                    case 7: case 8: case 16: case 19: case 20: p += 3; break;   // Class, String, MethodType, Module, Package
                    case 9: case 10: case 11: case 12: case 17: case 18: p += 5; break; // refs, NameAndType, (Invoke)Dynamic
                    case 15: p += 4; break;                                     // MethodHandle
                    default: throw new IllegalStateException(internalName + ": unknown constant pool tag " + tag);
                }
            }
            int constantsEnd = p;
            nextConstant = constantCount;
            stackMapTableName = find("StackMapTable");

            p = constantsEnd + 6; // access flags, this class, super class
            p += 2 + 2 * u2(p); // interfaces
            int fields = u2(p);
            p += 2;
            for (int i = 0; i < fields; i++) {
                p = skipAttributes(p + 6);
            }
            int methods = u2(p);
            p += 2;
            List<int[]> replaced = new ArrayList<>(); // {start, end} of each Code attribute replaced
            List<byte[]> replacements = new ArrayList<>();
            int patched = 0;
            for (int i = 0; i < methods; i++) {
                Hook hook = hookFor(hooks, u2(p + 2), u2(p + 4));
                int attributes = u2(p + 6);
                p += 8;
                for (int a = 0; a < attributes; a++) {
                    int end = p + 6 + u4(p + 2);
                    if (hook != null && utf8Equals(u2(p), "Code")) {
                        replaced.add(new int[] {p, end});
                        replacements.add(patchCode(internalName, p, hook));
                        patched++;
                    }
                    p = end;
                }
            }
            if (patched != hooks.size()) {
                throw new IllegalStateException(internalName + ": found " + patched + " of the " + hooks.size()
                        + " methods to patch; this JDK is not one graceful knows");
            }
            if (nextConstant > 0xffff) {
                throw new IllegalStateException(internalName + ": constant pool full");
            }

            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + added.size() + 64 * hooks.size());
            out.write(in, 0, 8);
            writeU2(out, nextConstant);
            out.write(in, 10, constantsEnd - 10);
            out.write(added.toByteArray(), 0, added.size());
            int from = constantsEnd;
            for (int i = 0; i < replaced.size(); i++) {
                out.write(in, from, replaced.get(i)[0] - from);
                byte[] code = replacements.get(i);
                out.write(code, 0, code.length);
                from = replaced.get(i)[1];
            }
            out.write(in, from, in.length - from);
            return out.toByteArray();
        }

        private Hook hookFor(List<Hook> hooks, int name, int descriptor) {
            for (Hook hook : hooks) {
                if (utf8Equals(name, hook.method) && utf8Equals(descriptor, hook.descriptor)) {
                    return hook;
                }
            }
            return null;
        }

        /** A new Code attribute: the prologue, then the method's own code and tables, moved. */
        private byte[] patchCode(String internalName, int attribute, Hook hook) {
            int maxStack = u2(attribute + 6);
            int maxLocals = u2(attribute + 8);
            int codeLength = u4(attribute + 10);
            int code = attribute + 14;
            Prologue prologue = new Prologue(hook.call, methodRef(hook.call));
            byte[] insert = prologue.code;
            int shift = insert.length;

            ByteArrayOutputStream body = new ByteArrayOutputStream(codeLength + shift + 256);
            writeU2(body, Math.max(maxStack, Prologue.STACK_NEEDED));
            writeU2(body, maxLocals);
            writeU4(body, codeLength + shift);
            body.write(insert, 0, shift);
            body.write(in, code, codeLength);
            int p = code + codeLength;
            int handlers = u2(p);
            writeU2(body, handlers);
            p += 2;
            for (int i = 0; i < handlers; i++, p += 8) {
                writeU2(body, u2(p) + shift);      // start_pc
                writeU2(body, u2(p + 2) + shift);  // end_pc
                writeU2(body, u2(p + 4) + shift);  // handler_pc
                writeU2(body, u2(p + 6));          // catch_type
            }
            int attributes = u2(p);
            p += 2;
            boolean hadStackMap = false;
            ByteArrayOutputStream tables = new ByteArrayOutputStream();
            for (int a = 0; a < attributes; a++) {
                int name = u2(p);
                int length = u4(p + 2);
                int data = p + 6;
                writeU2(tables, name);
                if (utf8Equals(name, "StackMapTable")) {
                    hadStackMap = true;
                    byte[] frames = stackMapTable(internalName, prologue, data);
                    writeU4(tables, frames.length);
                    tables.write(frames, 0, frames.length);
                } else if (utf8Equals(name, "LineNumberTable")) {
                    writeU4(tables, length);
                    int entries = u2(data);
                    writeU2(tables, entries);
                    for (int i = 0, e = data + 2; i < entries; i++, e += 4) {
                        writeU2(tables, u2(e) + shift); // start_pc
                        writeU2(tables, u2(e + 2));
                    }
                } else if (utf8Equals(name, "LocalVariableTable") || utf8Equals(name, "LocalVariableTypeTable")) {
                    writeU4(tables, length);
                    int entries = u2(data);
                    writeU2(tables, entries);
                    for (int i = 0, e = data + 2; i < entries; i++, e += 10) {
                        writeU2(tables, u2(e) + shift); // start_pc; length, name, descriptor, index stay
                        tables.write(in, e + 2, 8);
                    }
                } else {
                    // e.g. type annotations on code: offsets this patcher does not know how to move
                    throw new IllegalStateException(internalName + "." + hook.method + ": unexpected attribute "
                            + utf8(name) + " in its code");
                }
                p = data + length;
            }
            if (!hadStackMap && !prologue.frames.isEmpty()) {
                if (stackMapTableName == 0) {
                    stackMapTableName = addUtf8("StackMapTable");
                }
                writeU2(tables, stackMapTableName);
                byte[] frames = stackMapTable(internalName, prologue, -1);
                writeU4(tables, frames.length);
                tables.write(frames, 0, frames.length);
                attributes++;
            }
            writeU2(body, attributes);
            body.write(tables.toByteArray(), 0, tables.size());

            ByteArrayOutputStream result = new ByteArrayOutputStream(body.size() + 6);
            writeU2(result, u2(attribute)); // "Code"
            writeU4(result, body.size());
            result.write(body.toByteArray(), 0, body.size());
            return result.toByteArray();
        }

        /**
         * The prologue's frames, then the method's own ones moved by the prologue's length (their
         * offsets are deltas from the previous frame, so only the first one's changes, but an
         * Uninitialized type in any of them names an absolute offset). A frame the prologue owes
         * the original start is not added if the method has one there already: that one serves, as
         * both are relative to the method's initial frame with an empty stack.
         */
        private byte[] stackMapTable(String internalName, Prologue prologue, int data) {
            int shift = prologue.code.length;
            List<int[]> frames = new ArrayList<>();   // {offset, kind, tag}
            List<byte[]> payloads = new ArrayList<>(); // what follows the delta, as encoded
            for (int[] frame : prologue.frames) {
                frames.add(new int[] {frame[0], frame[1], 0});
                payloads.add(frame[1] == STACK_MAP_SAME1 ? new byte[] {(byte) frame[2]} : new byte[0]);
            }
            if (data >= 0) {
                int entries = u2(data);
                int p = data + 2;
                int offset = -1;
                for (int i = 0; i < entries; i++) {
                    int tag = in[p] & 0xff;
                    int delta;
                    int kind;
                    ByteArrayOutputStream payload = new ByteArrayOutputStream();
                    if (tag < 64) {
                        delta = tag;
                        kind = STACK_MAP_SAME;
                        p += 1;
                    } else if (tag < 128) {
                        delta = tag - 64;
                        kind = STACK_MAP_SAME1;
                        p = copyType(payload, p + 1, shift);
                    } else if (tag == 247) {
                        delta = u2(p + 1);
                        kind = STACK_MAP_SAME1;
                        p = copyType(payload, p + 3, shift);
                    } else if (tag >= 248 && tag <= 250) {
                        delta = u2(p + 1);
                        kind = STACK_MAP_CHOP;
                        p += 3;
                    } else if (tag == 251) {
                        delta = u2(p + 1);
                        kind = STACK_MAP_SAME;
                        p += 3;
                    } else if (tag >= 252 && tag <= 254) {
                        delta = u2(p + 1);
                        kind = STACK_MAP_APPEND;
                        p += 3;
                        for (int t = 0; t < tag - 251; t++) {
                            p = copyType(payload, p, shift);
                        }
                    } else if (tag == 255) {
                        delta = u2(p + 1);
                        kind = STACK_MAP_FULL;
                        p += 3;
                        for (int group = 0; group < 2; group++) { // locals, then stack
                            int count = u2(p);
                            writeU2(payload, count);
                            p += 2;
                            for (int t = 0; t < count; t++) {
                                p = copyType(payload, p, shift);
                            }
                        }
                    } else {
                        throw new IllegalStateException(internalName + ": unknown stack map frame type " + tag);
                    }
                    offset = offset < 0 ? delta : offset + delta + 1;
                    if (offset == 0 && prologue.owesFrameAtStart()) {
                        // the method's own frame at its start serves: drop the one owed
                        frames.remove(frames.size() - 1);
                        payloads.remove(payloads.size() - 1);
                    }
                    frames.add(new int[] {offset + shift, kind, tag});
                    payloads.add(payload.toByteArray());
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writeU2(out, frames.size());
            int previous = -1;
            for (int i = 0; i < frames.size(); i++) {
                int[] frame = frames.get(i);
                int delta = previous < 0 ? frame[0] : frame[0] - previous - 1;
                previous = frame[0];
                byte[] payload = payloads.get(i);
                switch (frame[1]) {
                    case STACK_MAP_SAME:
                        if (delta < 64) {
                            out.write(delta);
                        } else {
                            out.write(251);
                            writeU2(out, delta);
                        }
                        break;
                    case STACK_MAP_SAME1:
                        if (delta < 64) {
                            out.write(64 + delta);
                        } else {
                            out.write(247);
                            writeU2(out, delta);
                        }
                        break;
                    default: // chop, append, full: the same type, a new delta
                        out.write(frame[2]);
                        writeU2(out, delta);
                        break;
                }
                out.write(payload, 0, payload.length);
            }
            return out.toByteArray();
        }

        /** Copies one verification type; an Uninitialized one names the offset of its {@code new}, which moves. */
        private int copyType(ByteArrayOutputStream out, int p, int shift) {
            int tag = in[p] & 0xff;
            out.write(tag);
            if (tag == ITEM_OBJECT) {
                writeU2(out, u2(p + 1));
                return p + 3;
            }
            if (tag == ITEM_UNINITIALIZED) {
                writeU2(out, u2(p + 1) + shift);
                return p + 3;
            }
            return p + 1;
        }

        /** The Methodref constant of the bridge method a call goes to, added once per class. */
        private int methodRef(Call call) {
            String name = call == Call.BIND_OR_SKIP ? "bind"
                    : call == Call.BOUND_THIS ? "bound"
                    : call == Call.ACCEPTED_THIS_ARG1 ? "accepted"
                    : call == Call.CLOSED_THIS ? "closed"
                    : call == Call.PROCESS_STARTING_THIS ? "processStarting"
                    : call == Call.PLATFORM_MBEAN_SERVER ? "platformMBeanServer"
                    : "write";
            String descriptor = Prologue.descriptor(call);
            Integer known = methodRefs.get(name + descriptor);
            if (known != null) {
                return known;
            }
            if (bridgeClass == 0) {
                int className = addUtf8(BRIDGE);
                bridgeClass = add(7, className, -1);
            }
            int nameAndType = add(12, addUtf8(name), addUtf8(descriptor));
            int ref = add(10, bridgeClass, nameAndType);
            methodRefs.put(name + descriptor, ref);
            return ref;
        }

        private int addUtf8(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8); // ASCII names: modified UTF-8 is the same
            added.write(1);
            writeU2(added, bytes.length);
            added.write(bytes, 0, bytes.length);
            return nextConstant++;
        }

        /** A constant of two u2 (or, with second -1, one u2) fields. */
        private int add(int tag, int first, int second) {
            added.write(tag);
            writeU2(added, first);
            if (second >= 0) {
                writeU2(added, second);
            }
            return nextConstant++;
        }

        /** The index of a Utf8 constant of the class, or 0. */
        private int find(String text) {
            for (int i = 1; i < constantCount; i++) {
                if (constantOffsets[i] != 0 && (in[constantOffsets[i]] & 0xff) == 1 && utf8Equals(i, text)) {
                    return i;
                }
            }
            return 0;
        }

        private boolean utf8Equals(int index, String ascii) {
            if (index <= 0 || index >= constantCount) {
                return false;
            }
            int p = constantOffsets[index];
            if ((in[p] & 0xff) != 1 || u2(p + 1) != ascii.length()) {
                return false;
            }
            for (int i = 0; i < ascii.length(); i++) {
                if (in[p + 3 + i] != (byte) ascii.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private String utf8(int index) {
            int p = constantOffsets[index];
            return new String(in, p + 3, u2(p + 1), StandardCharsets.UTF_8);
        }

        private int skipAttributes(int p) {
            int count = u2(p);
            p += 2;
            for (int i = 0; i < count; i++) {
                p += 6 + u4(p + 2);
            }
            return p;
        }

        private int u2(int p) {
            return ((in[p] & 0xff) << 8) | (in[p + 1] & 0xff);
        }

        private int u4(int p) {
            return (u2(p) << 16) | u2(p + 2);
        }

        private static void writeU2(ByteArrayOutputStream out, int value) {
            out.write(value >>> 8);
            out.write(value);
        }

        private static void writeU4(ByteArrayOutputStream out, int value) {
            writeU2(out, value >>> 16);
            writeU2(out, value);
        }
    }

    /**
     * The call at the start of a method, as bytecode, padded at its start with {@code nop}s to a
     * multiple of 4 bytes, and the stack map frames it needs.
     */
    private static final class Prologue {
        /** The most a prologue pushes: a long count, its copy and a long zero to compare it with. */
        static final int STACK_NEEDED = 6;
        private static final int NOP = 0x00;
        private static final int LCONST_0 = 0x09;
        private static final int ILOAD_2 = 0x1c;
        private static final int ILOAD_3 = 0x1d;
        private static final int ALOAD_0 = 0x2a;
        private static final int ALOAD_1 = 0x2b;
        private static final int ALOAD_2 = 0x2c;
        private static final int POP = 0x57;
        private static final int POP2 = 0x58;
        private static final int DUP = 0x59;
        private static final int DUP2 = 0x5c;
        private static final int LCMP = 0x94;
        private static final int IFEQ = 0x99;
        private static final int IFLT = 0x9b;
        private static final int IRETURN = 0xac;
        private static final int LRETURN = 0xad;
        private static final int RETURN = 0xb1;
        private static final int INVOKESTATIC = 0xb8;

        final byte[] code;
        /** {offset, kind, verification type of the one stack item (SAME1)}, in offset order. */
        final List<int[]> frames = new ArrayList<>();
        private boolean owesFrameAtStart;

        static String descriptor(Call call) {
            switch (call) {
                case BIND_OR_SKIP: return "(Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)Z";
                case ACCEPTED_THIS_ARG1: return "(Ljava/lang/Object;Ljava/lang/Object;)V";
                case WRITE_BUFFER_OR_RETURN: return "(Ljava/lang/Object;Ljava/nio/ByteBuffer;)I";
                case WRITE_BUFFERS_OR_RETURN: return "(Ljava/lang/Object;[Ljava/nio/ByteBuffer;II)J";
                case WRITE_BYTES_OR_SKIP: return "(Ljava/lang/Object;[BII)Z";
                case PLATFORM_MBEAN_SERVER: return "()V";
                default: return "(Ljava/lang/Object;)V"; // bound, closed, processStarting
            }
        }

        Prologue(Call call, int methodRef) {
            int hi = methodRef >>> 8;
            int lo = methodRef & 0xff;
            int[] body;
            int sameOneAt = -1;
            int sameOneType = 0;
            switch (call) {
                case BIND_OR_SKIP: // if (GracefulBridge.bind(fd, address, port)) return;
                    body = new int[] {ALOAD_1, ALOAD_2, ILOAD_3, INVOKESTATIC, hi, lo, IFEQ, 0, 4, RETURN};
                    owesFrameAtStart = true;
                    break;
                case ACCEPTED_THIS_ARG1: // GracefulBridge.accepted(this, argument 1);
                    body = new int[] {ALOAD_0, ALOAD_1, INVOKESTATIC, hi, lo};
                    break;
                case WRITE_BUFFER_OR_RETURN: { // int n = GracefulBridge.write(this, buffer); if (n >= 0) return n;
                    body = new int[] {ALOAD_0, ALOAD_1, INVOKESTATIC, hi, lo, DUP, IFLT, 0, 4, IRETURN, POP};
                    sameOneAt = 10;
                    sameOneType = ClassFilePatch.ITEM_INTEGER;
                    break;
                }
                case WRITE_BUFFERS_OR_RETURN: { // long n = GracefulBridge.write(this, buffers, offset, length); if (n >= 0) return n;
                    body = new int[] {ALOAD_0, ALOAD_1, ILOAD_2, ILOAD_3, INVOKESTATIC, hi, lo, DUP2, LCONST_0, LCMP, IFLT, 0, 4,
                        LRETURN, POP2};
                    sameOneAt = 14;
                    sameOneType = ClassFilePatch.ITEM_LONG;
                    break;
                }
                case WRITE_BYTES_OR_SKIP: // if (GracefulBridge.write(this, bytes, offset, length)) return;
                    body = new int[] {ALOAD_0, ALOAD_1, ILOAD_2, ILOAD_3, INVOKESTATIC, hi, lo, IFEQ, 0, 4, RETURN};
                    owesFrameAtStart = true;
                    break;
                case PLATFORM_MBEAN_SERVER: // GracefulBridge.platformMBeanServer();
                    body = new int[] {INVOKESTATIC, hi, lo};
                    break;
                default: // GracefulBridge.bound(this), closed(this), processStarting(this);
                    body = new int[] {ALOAD_0, INVOKESTATIC, hi, lo};
                    break;
            }
            int padding = (4 - body.length % 4) % 4;
            code = new byte[padding + body.length];
            for (int i = 0; i < padding; i++) {
                code[i] = NOP;
            }
            for (int i = 0; i < body.length; i++) {
                code[padding + i] = (byte) body[i];
            }
            if (sameOneAt >= 0) {
                // the write's own path: its count on the stack, the method's initial locals
                frames.add(new int[] {padding + sameOneAt, ClassFilePatch.STACK_MAP_SAME1, sameOneType});
            }
            if (owesFrameAtStart) {
                // after "if (...) return;" the original start is a jump target
                frames.add(new int[] {code.length, ClassFilePatch.STACK_MAP_SAME, 0});
            }
        }

        boolean owesFrameAtStart() {
            return owesFrameAtStart;
        }
    }
}

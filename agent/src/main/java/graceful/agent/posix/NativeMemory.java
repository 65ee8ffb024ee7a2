package graceful.agent.posix;

import com.kenai.jffi.MemoryIO;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Native memory for the arguments of one or a few libc calls, all freed at close. */
final class NativeMemory implements AutoCloseable {
    private static final int POINTER_BYTES = 8; // 64-bit Linux only (Jffi extracts no other native library)

    private final MemoryIO memory;
    private final List<Long> allocated = new ArrayList<>();

    NativeMemory() {
        Jffi.prepare(); // before jffi's first use, wherever that is
        memory = MemoryIO.getInstance();
    }

    /** {@code bytes} zeroed bytes. */
    long zeroed(long bytes) {
        long address = memory.allocateMemory(bytes, true);
        if (address == 0) {
            throw new OutOfMemoryError("native memory for graceful's libc call (" + bytes + " bytes)");
        }
        allocated.add(address);
        return address;
    }

    /** A NUL-terminated copy of {@code text} in UTF-8. */
    long string(CharSequence text) {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        long address = zeroed(bytes.length + 1L);
        memory.putByteArray(address, bytes, 0, bytes.length);
        return address;
    }

    /** A NULL-terminated array of NUL-terminated strings, as argv and envp are. */
    long strings(List<String> texts) {
        long array = zeroed((texts.size() + 1L) * POINTER_BYTES);
        for (int i = 0; i < texts.size(); i++) {
            memory.putAddress(array + (long) i * POINTER_BYTES, string(texts.get(i)));
        }
        return array;
    }

    long bytes(byte[] bytes) {
        long address = zeroed(Math.max(1, bytes.length));
        memory.putByteArray(address, bytes, 0, bytes.length);
        return address;
    }

    int intAt(long address) {
        return memory.getInt(address);
    }

    /** The NUL-terminated UTF-8 string at {@code address}, which is not ours to free. */
    static String string(long address) {
        Jffi.prepare();
        return new String(MemoryIO.getInstance().getZeroTerminatedByteArray(address), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (long address : allocated) {
            memory.freeMemory(address);
        }
        allocated.clear();
    }
}

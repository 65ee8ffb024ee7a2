package graceful.agent.posix;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;

/**
 * Every libc call graceful makes, through jffi (jnr's JNI core) directly: a symbol address and a
 * call context per function, arguments passed as numbers. Not jnr-posix or jnr-ffi on top: at the
 * first restart, creating jnr-posix's POSIX object took 360-500 ms and jnr-ffi's binding of these
 * functions 90-240 ms (its ASM loader generates a class; its reflection loader sets up each
 * function at its first call), against a few ms here. Pointers are native addresses from
 * {@link NativeMemory}. Functions are looked up at their first call, so a libc without one (a
 * glibc older than 2.34 has no posix_spawn_file_actions_addclosefrom_np) fails only that call.
 *
 * <p>Unless said otherwise a call returns -1 and sets errno ({@link #errno()}, saved right after
 * the call on the calling thread); posix_spawn* and pthread_sigmask return an error number.
 */
final class LibC {
    static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    static final int F_DUPFD = 0;
    static final int F_SETFD = 2;
    static final int FD_CLOEXEC = 1;
    static final int SIG_SETMASK = 2;
    /** close_range(2) flag: mark close-on-exec instead of closing (Linux 5.11+). */
    static final int CLOSE_RANGE_CLOEXEC = 4;

    private static final Type INT = Type.SINT;
    private static final Type SHORT = Type.SSHORT;
    private static final Type LONG = Type.SLONG;
    private static final Type POINTER = Type.POINTER;

    private final Library library;
    private final Invoker invoker = Invoker.getInstance();

    private final Function posixSpawn = new Function("posix_spawn", INT, POINTER, POINTER, POINTER, POINTER, POINTER, POINTER);
    private final Function fileActionsInit = new Function("posix_spawn_file_actions_init", INT, POINTER);
    private final Function fileActionsDestroy = new Function("posix_spawn_file_actions_destroy", INT, POINTER);
    private final Function fileActionsAddDup2 = new Function("posix_spawn_file_actions_adddup2", INT, POINTER, INT, INT);
    private final Function fileActionsAddCloseFrom = new Function("posix_spawn_file_actions_addclosefrom_np", INT, POINTER, INT);
    private final Function attributesInit = new Function("posix_spawnattr_init", INT, POINTER);
    private final Function attributesDestroy = new Function("posix_spawnattr_destroy", INT, POINTER);
    private final Function attributesSetFlags = new Function("posix_spawnattr_setflags", INT, POINTER, SHORT);
    private final Function attributesSetSigmask = new Function("posix_spawnattr_setsigmask", INT, POINTER, POINTER);
    private final Function sigemptyset = new Function("sigemptyset", INT, POINTER);
    private final Function pthreadSigmask = new Function("pthread_sigmask", INT, INT, POINTER, POINTER);
    private final Function signal = new Function("signal", POINTER, INT, POINTER);
    private final Function socket = new Function("socket", INT, INT, INT, INT);
    private final Function sendto = new Function("sendto", LONG, INT, POINTER, LONG, INT, POINTER, INT);
    private final Function close = new Function("close", INT, INT);
    private final Function pipe = new Function("pipe", INT, POINTER);
    private final Function kill = new Function("kill", INT, INT, INT);
    private final Function waitpid = new Function("waitpid", INT, INT, POINTER, INT);
    private final Function strerror = new Function("strerror", POINTER, INT);
    private final Function fcntl = new Function("fcntl", INT, INT, INT, INT);
    private final Function closeRange = new Function("close_range", INT, INT, INT, INT);
    private final Function execve = new Function("execve", INT, POINTER, POINTER, POINTER);

    /** Only through {@link Jffi#libc()}, which prepares jffi first. */
    LibC() {
        library = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.GLOBAL);
        if (library == null) {
            throw new UnsatisfiedLinkError("cannot open libc.so.6: " + Library.getLastError());
        }
    }

    /** The address of a libc function, to be passed rather than called. */
    long address(String function) {
        return symbol(library, function);
    }

    private static long symbol(Library library, String function) {
        long address = library.getSymbolAddress(function);
        if (address == 0) {
            throw new UnsatisfiedLinkError("libc has no " + function + " (" + Library.getLastError() + ")");
        }
        return address;
    }

    /** The errno the last call on this thread left. */
    int errno() {
        return LastError.getInstance().get();
    }

    int posix_spawn(long pidOut, long path, long fileActions, long attributes, long argv, long envp) {
        return (int) call(posixSpawn, pidOut, path, fileActions, attributes, argv, envp);
    }

    int posix_spawn_file_actions_init(long fileActions) {
        return (int) call(fileActionsInit, fileActions);
    }

    int posix_spawn_file_actions_destroy(long fileActions) {
        return (int) call(fileActionsDestroy, fileActions);
    }

    int posix_spawn_file_actions_adddup2(long fileActions, int fd, int newFd) {
        return (int) call(fileActionsAddDup2, fileActions, fd, newFd);
    }

    /** glibc 2.34+: close every fd from {@code from} up in the child. */
    int posix_spawn_file_actions_addclosefrom_np(long fileActions, int from) {
        return (int) call(fileActionsAddCloseFrom, fileActions, from);
    }

    int posix_spawnattr_init(long attributes) {
        return (int) call(attributesInit, attributes);
    }

    int posix_spawnattr_destroy(long attributes) {
        return (int) call(attributesDestroy, attributes);
    }

    int posix_spawnattr_setflags(long attributes, short flags) {
        return (int) call(attributesSetFlags, attributes, flags);
    }

    int posix_spawnattr_setsigmask(long attributes, long signalSet) {
        return (int) call(attributesSetSigmask, attributes, signalSet);
    }

    int sigemptyset(long signalSet) {
        return (int) call(sigemptyset, signalSet);
    }

    /** Returns an error number, not -1. */
    int pthread_sigmask(int how, long set, long oldSet) {
        return (int) call(pthreadSigmask, how, set, oldSet);
    }

    /** The old handler, as an address (SIG_DFL is 0, SIG_IGN 1, SIG_ERR -1). */
    long signal(int signalNumber, long handler) {
        return call(signal, signalNumber, handler);
    }

    int socket(int domain, int type, int protocol) {
        return (int) call(socket, domain, type, protocol);
    }

    /** ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t) */
    long sendto(int fd, long buffer, long length, int flags, long address, int addressLength) {
        return call(sendto, fd, buffer, length, flags, address, addressLength);
    }

    int close(int fd) {
        return (int) call(close, fd);
    }

    /** {@code fds}: room for two ints, the read end then the write end. */
    int pipe(long fds) {
        return (int) call(pipe, fds);
    }

    int kill(int pid, int signalNumber) {
        return (int) call(kill, pid, signalNumber);
    }

    int waitpid(int pid, long status, int options) {
        return (int) call(waitpid, pid, status, options);
    }

    /** The message of an error number (from libc's own table: never freed). */
    String strerror(int errno) {
        long message = call(strerror, errno);
        return message == 0 ? "errno " + errno : NativeMemory.string(message);
    }

    /** fcntl with an int argument (F_DUPFD, F_SETFD). */
    int fcntl(int fd, int command, int argument) {
        return (int) call(fcntl, fd, command, argument);
    }

    /** glibc 2.34+; {@code last} is unsigned: -1 means every fd up. */
    int close_range(int first, int last, int flags) {
        return (int) call(closeRange, first, last, flags);
    }

    /** Returns only on failure (-1, errno). */
    int execve(long path, long argv, long envp) {
        return (int) call(execve, path, argv, envp);
    }

    private long call(Function function, long... arguments) {
        long address = function.address(library);
        CallContext context = function.context();
        switch (arguments.length) {
            case 1: return invoker.invokeN1(context, address, arguments[0]);
            case 2: return invoker.invokeN2(context, address, arguments[0], arguments[1]);
            case 3: return invoker.invokeN3(context, address, arguments[0], arguments[1], arguments[2]);
            case 4: return invoker.invokeN4(context, address, arguments[0], arguments[1], arguments[2], arguments[3]);
            case 5: return invoker.invokeN5(context, address, arguments[0], arguments[1], arguments[2], arguments[3],
                    arguments[4]);
            case 6: return invoker.invokeN6(context, address, arguments[0], arguments[1], arguments[2], arguments[3],
                    arguments[4], arguments[5]);
            default: throw new IllegalArgumentException(function.name + ": " + arguments.length + " arguments");
        }
    }

    /**
     * A libc function: its name, and how it is called (errno saved after each call). Both are
     * made at its first call: jffi must not be touched before Jffi.prepare.
     */
    private static final class Function {
        final String name;
        private final Type result;
        private final Type[] parameters;
        private CallContext context;
        private long address;

        Function(String name, Type result, Type... parameters) {
            this.name = name;
            this.result = result;
            this.parameters = parameters;
        }

        synchronized CallContext context() {
            if (context == null) {
                context = CallContext.getCallContext(result, parameters, CallingConvention.DEFAULT, true);
            }
            return context;
        }

        synchronized long address(Library library) {
            if (address == 0) {
                address = symbol(library, name);
            }
            return address;
        }
    }
}

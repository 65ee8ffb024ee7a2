package graceful.agent.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * Every libc call graceful makes, bound with jnr-ffi. Not jnr-posix: its POSIX object took
 * 360-500 ms to create at the first restart (binding hundreds of calls) against ~80 ms for
 * these, its posix_spawn drops the error number and has no closefrom or signal-mask attribute,
 * and it brings 2.9 MB of jnr-constants. posix_spawn* return an error number instead of setting
 * errno; the others return -1 and set it (jnr-ffi keeps it for Runtime.getLastError).
 */
public interface LibC {
    short POSIX_SPAWN_SETSIGMASK = 0x08;

    int posix_spawn(IntByReference pid, CharSequence path, Pointer fileActions, Pointer attributes,
                    CharSequence[] argv, CharSequence[] envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    /** glibc 2.34+: close every fd from {@code from} up in the child. */
    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    int posix_spawnattr_init(Pointer attributes);

    int posix_spawnattr_destroy(Pointer attributes);

    int posix_spawnattr_setflags(Pointer attributes, short flags);

    int posix_spawnattr_setsigmask(Pointer attributes, Pointer signalSet);

    int sigemptyset(Pointer signalSet);

    /** The old handler, as an address (SIG_DFL is 0, SIG_IGN 1, SIG_ERR -1). */
    long signal(int signal, long handler);

    int socket(int domain, int type, int protocol);

    /** ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t) */
    long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength);

    int close(int fd);

    /** {read end, write end}. */
    int pipe(@Out int[] fds);

    int kill(int pid, int signal);

    int waitpid(int pid, @Out int[] status, int options);

    String strerror(int errno);

    int F_DUPFD = 0;
    int F_GETFD = 1;
    int F_SETFD = 2;
    int FD_CLOEXEC = 1;
    int SIG_SETMASK = 2;
    /** close_range(2) flag: mark close-on-exec instead of closing (Linux 5.11+). */
    int CLOSE_RANGE_CLOEXEC = 4;

    /** fcntl with an int argument (F_DUPFD, F_GETFD, F_SETFD); -1 and errno on failure. */
    int fcntl(int fd, int command, int argument);

    /** glibc 2.34+; {@code last} is unsigned: -1 means every fd up. */
    int close_range(int first, int last, int flags);

    /** Returns an error number, not -1. */
    int pthread_sigmask(int how, Pointer set, Pointer oldSet);

    /** Returns only on failure (-1, errno). */
    int execve(CharSequence path, CharSequence[] argv, CharSequence[] envp);
}

package graceful.agent.posix;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * The libc calls graceful needs that jnr-posix does not offer as it needs them: its posix_spawn
 * drops the error number and has no closefrom or signal-mask attribute. Bound with jnr-ffi.
 * posix_spawn* return an error number instead of setting errno.
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
}

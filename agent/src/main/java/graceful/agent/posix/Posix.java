package graceful.agent.posix;

import java.io.IOException;
import java.util.List;

/**
 * The process-level calls of the restart path: pipes, spawning a child with exactly the fds it
 * should have, waiting for and signalling it. Loaded on the first restart, never at startup.
 */
public final class Posix {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    // Larger than glibc's posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336) and
    // sigset_t (128) on every 64-bit Linux; the structs are opaque, only their size matters here.
    private static final int OPAQUE_STRUCT_BYTES = 1024;
    private static final long SIG_IGN = 1L;
    private static final long SIG_ERR = -1L;

    private final LibC libc;

    public Posix() {
        this.libc = Jffi.libc();
    }

    /**
     * Takes an ignored signal (a HUP that nohup ignored, or that a same-pid restart kept ignored
     * across its exec) out of SIG_IGN, so that the JVM lets graceful handle it: the JVM leaves an
     * ignored HUP alone. Not through SIG_DFL: for HUP that ends the process, and a HUP arriving
     * before the JVM's handler is in place (SamePidIT sends one every 25 ms) would. Meanwhile the
     * signal runs libc's abs(): a function of one int with no effect, i.e. a handler that does
     * nothing. The only native call graceful may make at startup, and only in the nohup case.
     */
    public static void unignore(int signal) {
        LibC libc = Jffi.libc();
        if (libc.signal(signal, libc.address("abs")) == SIG_ERR) {
            throw new IllegalStateException("signal(" + signal + ", abs) failed");
        }
    }

    /** A pipe: {read end, write end}. */
    public int[] pipe() throws IOException {
        try (NativeMemory memory = new NativeMemory()) {
            long fds = memory.zeroed(8);
            if (libc.pipe(fds) != 0) {
                throw error("pipe", libc.errno());
            }
            return new int[] {memory.intAt(fds), memory.intAt(fds + 4)};
        }
    }

    public void close(int fd) {
        libc.close(fd);
    }

    /**
     * Starts {@code path} with argv and envp; in the child, {@code passed.get(i)} becomes fd 3+i
     * and every other fd above 2 is closed. The child starts with an empty signal mask (JVM
     * threads block some signals, and posix_spawn would hand that mask on).
     */
    public int spawn(String path, List<String> argv, List<String> envp, List<Integer> passed) throws IOException {
        try (NativeMemory memory = new NativeMemory()) {
            long actions = memory.zeroed(OPAQUE_STRUCT_BYTES);
            long attributes = memory.zeroed(OPAQUE_STRUCT_BYTES);
            long signals = memory.zeroed(OPAQUE_STRUCT_BYTES);
            check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
            check("posix_spawnattr_init", libc.posix_spawnattr_init(attributes));
            try {
                // First move every passed fd above all of them and above the targets, then down to
                // 3, 4, ...: a direct dup2 could overwrite a source that is also a target.
                int high = 3 + passed.size();
                for (int fd : passed) {
                    high = Math.max(high, fd + 1);
                }
                for (int i = 0; i < passed.size(); i++) {
                    check("posix_spawn_file_actions_adddup2", libc.posix_spawn_file_actions_adddup2(actions, passed.get(i), high + i));
                }
                for (int i = 0; i < passed.size(); i++) {
                    check("posix_spawn_file_actions_adddup2", libc.posix_spawn_file_actions_adddup2(actions, high + i, 3 + i));
                }
                check("posix_spawn_file_actions_addclosefrom_np", libc.posix_spawn_file_actions_addclosefrom_np(actions, 3 + passed.size()));
                if (libc.sigemptyset(signals) != 0) {
                    throw error("sigemptyset", libc.errno());
                }
                check("posix_spawnattr_setsigmask", libc.posix_spawnattr_setsigmask(attributes, signals));
                check("posix_spawnattr_setflags", libc.posix_spawnattr_setflags(attributes, LibC.POSIX_SPAWN_SETSIGMASK));
                long pid = memory.zeroed(4);
                check("posix_spawn " + path, libc.posix_spawn(pid, memory.string(path), actions, attributes,
                        memory.strings(argv), memory.strings(envp)));
                return memory.intAt(pid);
            } finally {
                libc.posix_spawn_file_actions_destroy(actions);
                libc.posix_spawnattr_destroy(attributes);
            }
        }
    }

    /**
     * A copy of {@code fd} at the lowest free number from 3 up, without close-on-exec (F_DUPFD
     * clears it): it keeps the socket open when the app's own fd is closed, and across an exec.
     */
    public int dupForExec(int fd) throws IOException {
        int copy = libc.fcntl(fd, LibC.F_DUPFD, 3);
        if (copy < 0) {
            throw error("fcntl(" + fd + ", F_DUPFD)", libc.errno());
        }
        return copy;
    }

    /**
     * Replaces this process's image (execve), keeping its pid: every fd above 2 but {@code kept}
     * is made close-on-exec first (JDK sockets and files are not: the new image would hold every
     * connection and file of this one), and this thread's signal mask is emptied (the new image
     * inherits it, and JVM threads block some signals). {@code ignored} is set to SIG_IGN, which
     * survives the exec, unlike a handler; the JVM leaves an ignored HUP alone. Returns only by
     * throwing: the old image is still there.
     */
    public void replaceImage(String path, List<String> argv, List<String> envp, List<Integer> kept, int ignored)
            throws IOException {
        closeOnExecAllBut(kept);
        if (libc.signal(ignored, SIG_IGN) == SIG_ERR) {
            throw error("signal(" + ignored + ", SIG_IGN)", libc.errno());
        }
        try (NativeMemory memory = new NativeMemory()) {
            long signals = memory.zeroed(OPAQUE_STRUCT_BYTES);
            if (libc.sigemptyset(signals) != 0) {
                throw error("sigemptyset", libc.errno());
            }
            long pathString = memory.string(path);
            long argvArray = memory.strings(argv);
            long envpArray = memory.strings(envp);
            check("pthread_sigmask", libc.pthread_sigmask(LibC.SIG_SETMASK, signals, 0));
            libc.execve(pathString, argvArray, envpArray);
            throw error("execve " + path, libc.errno());
        }
    }

    /**
     * close_range(CLOSE_RANGE_CLOEXEC) over the gaps between the kept fds: one call per gap, no
     * listing; on a kernel without it, each fd listed in /proc/self/fd. A thread opening an fd
     * after this leaks it into the new image; drain is over by then, so nothing accepts.
     */
    private void closeOnExecAllBut(List<Integer> kept) throws IOException {
        List<Integer> sorted = new java.util.ArrayList<>(kept);
        java.util.Collections.sort(sorted);
        int from = 3;
        boolean rangesWork = true;
        for (int i = 0; i <= sorted.size() && rangesWork; i++) {
            int to = i < sorted.size() ? sorted.get(i) - 1 : -1; // -1: unsigned ~0, every fd up
            if (to == -1 || to >= from) {
                rangesWork = libc.close_range(from, to, LibC.CLOSE_RANGE_CLOEXEC) == 0;
            }
            if (i < sorted.size()) {
                from = sorted.get(i) + 1;
            }
        }
        if (!rangesWork) {
            try (java.nio.file.DirectoryStream<java.nio.file.Path> fds =
                         java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/fd"))) {
                for (java.nio.file.Path entry : fds) {
                    int fd = Integer.parseInt(entry.getFileName().toString());
                    if (fd > 2 && !kept.contains(fd)) {
                        libc.fcntl(fd, LibC.F_SETFD, LibC.FD_CLOEXEC); // fails only for the listing's own fd, closed next
                    }
                }
            }
        }
        for (int fd : kept) {
            if (libc.fcntl(fd, LibC.F_SETFD, 0) != 0) {
                throw error("fcntl(" + fd + ", F_SETFD, 0)", libc.errno());
            }
        }
    }

    /** Sends a signal; false if the process no longer exists. */
    public boolean kill(int pid, int signal) {
        return libc.kill(pid, signal) == 0;
    }

    /** Reaps the child and returns a description of how it ended, e.g. "exit status 1". */
    public String waitFor(int pid) throws IOException {
        try (NativeMemory memory = new NativeMemory()) {
            long status = memory.zeroed(4);
            if (libc.waitpid(pid, status, 0) < 0) {
                throw error("waitpid", libc.errno());
            }
            return describeStatus(memory.intAt(status));
        }
    }

    static String describeStatus(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? "exit status " + ((status >> 8) & 0xff) : "killed by signal " + signal;
    }

    private void check(String call, int result) throws IOException {
        if (result != 0) {
            throw error(call, result);
        }
    }

    private IOException error(String call, int errno) {
        return new IOException(call + " failed: errno " + errno + " (" + libc.strerror(errno) + ")");
    }
}

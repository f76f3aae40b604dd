package jbox.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jbox.Errno;
import jbox.JboxException;
import jbox.io.JffiDir;
import jbox.ProcFile;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.annotations.SaveError;

/**
 * Signals to processes jbox recorded (a container's init: kill, stop, rm, OCI kill and delete)
 * and to pids just read from a cgroup, by name ("TERM", "SIGUSR1", "RTMIN+2") or number.
 *
 * <p>A recorded pid is signalled only while it is still the recorded process. With pidfd
 * (Linux 5.3+): pidfd_open(pid) first, then the start time checked, then pidfd_send_signal on
 * that descriptor, so the check and the signal are about the same process even if the pid is
 * reused in between (a pidfd keeps naming the process it was opened on). Without pidfd: the start
 * time checked right before kill(2). The syscalls go through jnr-ffi, loaded only here (binding
 * them costs ~40 ms with the AppCDS archive: kill's path, not run's).
 */
public final class ProcessSignals {
    private static final long SYS_PIDFD_SEND_SIGNAL = 424; // the same number on x86_64 and aarch64
    private static final long SYS_PIDFD_OPEN = 434;
    private static final int ENOSYS = 38;
    private static final int ESRCH = 3;
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5),
            Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8), Map.entry("KILL", 9),
            Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13),
            Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("STKFLT", 16), Map.entry("CHLD", 17),
            Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("TSTP", 20), Map.entry("TTIN", 21),
            Map.entry("TTOU", 22), Map.entry("URG", 23), Map.entry("XCPU", 24), Map.entry("XFSZ", 25),
            Map.entry("VTALRM", 26), Map.entry("PROF", 27), Map.entry("WINCH", 28), Map.entry("IO", 29),
            Map.entry("POLL", 29), Map.entry("PWR", 30), Map.entry("SYS", 31));
    /** glibc's SIGRTMIN and SIGRTMAX (the kernel's first two real-time signals are glibc's own). */
    private static final int RTMIN = 34;
    private static final int RTMAX = 64;

    /** The libc calls used here, bound by jnr-ffi on first use. */
    public interface LibC {
        @SaveError
        long syscall(long number, long arg1, long arg2, long arg3, long arg4);

        @SaveError
        int kill(int pid, int signal);

        int close(int fd);

        /** Per thread (a plain syscall, not broadcast like setuid): ContainerCopy's writes. */
        int setfsuid(int uid);

        int setfsgid(int gid);
    }

    private static final class Native {
        /** Where jffi unpacks its native stub: see {@link JffiDir}. */
        private static final Path EXTRACT_DIR;

        static {
            // jnr's reflection invoker, not generated classes: ~40 instead of ~75 ms to bind three calls
            // (with the AppCDS archive; ~145 ms without either), and a signal is not a hot loop.
            EXTRACT_DIR = JffiDir.prepare();
        }

        static final LibC LIBC = LibraryLoader.create(LibC.class)
                .load(Platform.getNativePlatform().getStandardCLibraryName());
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

        static {
            JffiDir.remove(EXTRACT_DIR); // loaded and mapped: the file is no longer needed
        }

        static int errno() {
            return RUNTIME.getLastError();
        }
    }

    /** The libc binding (loaded once, jffi's stub from a private directory), for ContainerCopy's openat2. */
    static LibC libc() {
        return Native.LIBC;
    }

    static jnr.ffi.Runtime nativeRuntime() {
        return Native.RUNTIME;
    }

    static int lastErrno() {
        return Native.errno();
    }

    /** Off in tests of the kill(2) path; otherwise on until the kernel says ENOSYS. */
    static volatile boolean usePidfd = true;

    private ProcessSignals() {
    }

    /** The signal's number: a name with or without SIG, RTMIN+n / RTMAX-n, or a number 1..64. */
    public static int number(String signal) throws JboxException {
        String sig = signal.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        Integer n = NUMBERS.get(sig);
        if (n == null && sig.matches("\\d{1,2}")) {
            n = Integer.parseInt(sig);
        } else if (n == null && sig.matches("RTMIN(\\+\\d{1,2})?")) {
            n = RTMIN + (sig.length() > 5 ? Integer.parseInt(sig.substring(6)) : 0);
        } else if (n == null && sig.matches("RTMAX(-\\d{1,2})?")) {
            n = RTMAX - (sig.length() > 5 ? Integer.parseInt(sig.substring(6)) : 0);
        }
        if (n == null || n < 1 || n > RTMAX) {
            throw new JboxException("invalid signal " + signal);
        }
        return n;
    }

    /**
     * Signals {@code pid} only while it is the process recorded with {@code startTime}; a reused
     * pid, or one written into a state file, is refused with an error and never signalled.
     */
    public static void sendRecorded(long pid, long startTime, String signal) throws JboxException {
        int sig = number(signal);
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw notRecorded(pid, startTime);
        }
        if (usePidfd) {
            long fd = Native.LIBC.syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
            if (fd >= 0) {
                try {
                    if (!ProcFile.isSameProcess(pid, startTime)) { // checked on the process the pidfd holds
                        throw notRecorded(pid, startTime);
                    }
                    if (Native.LIBC.syscall(SYS_PIDFD_SEND_SIGNAL, fd, sig, 0, 0) != 0) {
                        int errno = Native.errno();
                        throw errno == ESRCH ? notRecorded(pid, startTime) : failed(signal, pid, errno);
                    }
                    return;
                } finally {
                    Native.LIBC.close((int) fd);
                }
            }
            int errno = Native.errno();
            if (errno == ESRCH) {
                throw notRecorded(pid, startTime);
            }
            if (errno != ENOSYS) {
                throw new JboxException("cannot open a pidfd of pid " + pid + ": " + Errno.describe(errno));
            }
            usePidfd = false; // a kernel before 5.3: the start time alone guards kill(2)
        }
        if (!ProcFile.isSameProcess(pid, startTime)) {
            throw notRecorded(pid, startTime);
        }
        if (Native.LIBC.kill((int) pid, sig) != 0) {
            int errno = Native.errno();
            throw errno == ESRCH ? notRecorded(pid, startTime) : failed(signal, pid, errno);
        }
    }

    /**
     * Signals pids just read from the kernel (a cgroup's procs) with kill(2): no start time was
     * recorded for them. One that exited meanwhile is no error.
     */
    public static void send(List<Long> pids, String signal) throws JboxException {
        int sig = number(signal);
        for (long pid : pids) {
            if (pid > 0 && pid <= Integer.MAX_VALUE && Native.LIBC.kill((int) pid, sig) != 0) {
                int errno = Native.errno();
                if (errno != ESRCH) {
                    throw failed(signal, pid, errno);
                }
            }
        }
    }

    /** Waits until the recorded process has exited (or is a zombie), at most {@code timeoutNanos}; true if it has. */
    public static boolean awaitExit(long pid, long startTime, long timeoutNanos) throws JboxException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (ProcessStart.alive(pid, startTime)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            pause();
        }
        return true;
    }

    static void pause() throws JboxException {
        try {
            Thread.sleep(20); // polling /proc/PID/stat: the condition, not the sleep, ends the wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JboxException("interrupted while waiting for a process to exit", e);
        }
    }

    private static JboxException notRecorded(long pid, long startTime) {
        return new JboxException("pid " + pid + " is no longer the recorded process (its start time is not "
                + startTime + "): not signalled");
    }

    private static JboxException failed(String signal, long pid, int errno) {
        return new JboxException("cannot send " + signal + " to pid " + pid + ": " + Errno.describe(errno));
    }
}

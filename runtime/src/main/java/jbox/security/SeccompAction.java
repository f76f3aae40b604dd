package jbox.security;

/**
 * What a seccomp filter tells the kernel to do with a system call, and the 32-bit value the
 * filter returns for it (SECCOMP_RET_* in linux/seccomp.h: the action in the high 16 bits, data
 * such as an errno in the low 16).
 */
public record SeccompAction(Kind kind, int errno) {
    /** The kernel caps an errno returned by a filter at MAX_ERRNO. */
    public static final int MAX_ERRNO = 4095;
    public static final int EPERM = 1;
    public static final int ENOSYS = 38;

    public static final int RET_KILL_PROCESS = 0x80000000;
    public static final int RET_KILL_THREAD = 0x00000000;
    public static final int RET_TRAP = 0x00030000;
    public static final int RET_ERRNO = 0x00050000;
    public static final int RET_USER_NOTIF = 0x7fc00000;
    public static final int RET_LOG = 0x7ffc0000;
    public static final int RET_ALLOW = 0x7fff0000;
    /** The low bits of a return value that carry its data (the errno of RET_ERRNO). */
    public static final int RET_DATA = 0x0000ffff;

    public enum Kind { ALLOW, ERRNO, KILL_THREAD, KILL_PROCESS, TRAP, LOG, NOTIFY }

    public static final SeccompAction ALLOW = new SeccompAction(Kind.ALLOW, 0);
    public static final SeccompAction KILL_PROCESS = new SeccompAction(Kind.KILL_PROCESS, 0);

    public SeccompAction {
        if (kind != Kind.ERRNO && errno != 0) {
            throw new IllegalArgumentException("only an errno action carries an errno, not " + kind);
        }
        if (errno < 0 || errno > MAX_ERRNO) {
            throw new IllegalArgumentException("errno " + errno + " is outside 0.." + MAX_ERRNO);
        }
    }

    public static SeccompAction errno(int errno) {
        return new SeccompAction(Kind.ERRNO, errno);
    }

    public static SeccompAction of(Kind kind) {
        return new SeccompAction(kind, 0);
    }

    /** The value a filter's RET instruction returns for this action. */
    public int returnValue() {
        return switch (kind) {
            case ALLOW -> RET_ALLOW;
            case ERRNO -> RET_ERRNO | (errno & RET_DATA);
            case KILL_THREAD -> RET_KILL_THREAD;
            case KILL_PROCESS -> RET_KILL_PROCESS;
            case TRAP -> RET_TRAP;
            case LOG -> RET_LOG;
            case NOTIFY -> RET_USER_NOTIF;
        };
    }
}

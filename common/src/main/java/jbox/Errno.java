package jbox;

/**
 * Linux errno numbers as the shim reports them, turned into the names and texts a user
 * recognises ("Operation not permitted (EPERM)"), plus hints for the ones with a known cause.
 */
public final class Errno {
    private static final String[][] TABLE = new String[134][];

    static {
        def(1, "EPERM", "operation not permitted");
        def(2, "ENOENT", "no such file or directory");
        def(3, "ESRCH", "no such process");
        def(4, "EINTR", "interrupted system call");
        def(5, "EIO", "input/output error");
        def(7, "E2BIG", "argument list too long");
        def(8, "ENOEXEC", "exec format error");
        def(9, "EBADF", "bad file descriptor");
        def(11, "EAGAIN", "resource temporarily unavailable");
        def(12, "ENOMEM", "cannot allocate memory");
        def(13, "EACCES", "permission denied");
        def(14, "EFAULT", "bad address");
        def(16, "EBUSY", "device or resource busy");
        def(17, "EEXIST", "file exists");
        def(18, "EXDEV", "invalid cross-device link");
        def(19, "ENODEV", "no such device");
        def(20, "ENOTDIR", "not a directory");
        def(21, "EISDIR", "is a directory");
        def(22, "EINVAL", "invalid argument");
        def(23, "ENFILE", "too many open files in system");
        def(24, "EMFILE", "too many open files");
        def(26, "ETXTBSY", "text file busy");
        def(28, "ENOSPC", "no space left on device");
        def(30, "EROFS", "read-only file system");
        def(36, "ENAMETOOLONG", "file name too long");
        def(38, "ENOSYS", "function not implemented");
        def(40, "ELOOP", "too many levels of symbolic links");
        def(71, "EPROTO", "protocol error");
        def(75, "EOVERFLOW", "value too large for defined data type");
        def(87, "EUSERS", "too many users");
        def(90, "EMSGSIZE", "message too long");
        def(95, "EOPNOTSUPP", "operation not supported");
        def(111, "ECONNREFUSED", "connection refused");
    }

    private Errno() {
    }

    private static void def(int errno, String name, String text) {
        TABLE[errno] = new String[] {name, text};
    }

    /** "operation not permitted (EPERM)", or "errno 99" for one not in the table. */
    public static String describe(int errno) {
        if (errno > 0 && errno < TABLE.length && TABLE[errno] != null) {
            return TABLE[errno][1] + " (" + TABLE[errno][0] + ")";
        }
        return "errno " + errno;
    }

    /** "EPERM", or "errno 99" for one not in the table. */
    public static String name(int errno) {
        if (errno > 0 && errno < TABLE.length && TABLE[errno] != null) {
            return TABLE[errno][0];
        }
        return "errno " + errno;
    }

    /** A hint for errnos whose usual cause is known, or "" when there is none. */
    public static String hint(int errno, String operation) {
        if (errno == 1 && operation.startsWith("clone")) {
            return "; are user namespaces allowed? check /proc/sys/user/max_user_namespaces (jbox doctor)";
        }
        if (errno == 28 && operation.startsWith("clone")) {
            return "; a namespace limit is reached: see /proc/sys/user/max_*_namespaces";
        }
        boolean mount = operation.startsWith("mount") || operation.startsWith("bind-mount") || operation.startsWith("remount");
        if (errno == 16 && mount) {
            return "; something is still mounted there";
        }
        if (errno == 13 && operation.startsWith("bind-mount")) {
            return "; the container's root is an unprivileged host user: every directory above the source must be searchable by others";
        }
        if (errno == 38 && operation.contains("read-only recursively")) {
            return "; this kernel has no mount_setattr (linux 5.12 or newer is needed): jbox will not leave mounts below a read-only one writable";
        }
        if (errno == 1 && mount) {
            return "; the kernel refuses this mount inside a user namespace (try --userns host)";
        }
        return "";
    }
}

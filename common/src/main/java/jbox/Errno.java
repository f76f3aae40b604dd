package jbox;

/**
 * Linux errno numbers as the shim reports them, turned into the names and texts a user
 * recognises ("operation not permitted (EPERM)"); hints for known causes are in {@link Hints}.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;

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
        def(39, "ENOTEMPTY", "directory not empty");
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

    /**
     * The errno whose text is {@code text} ("device or resource busy", any case), or 0. The JDK
     * reports a failed call's errno only as strerror's words (FileSystemException's reason, an
     * IOException's message): this turns them back into the number.
     */
    public static int fromText(String text) {
        if (text != null) {
            for (int errno = 1; errno < TABLE.length; errno++) {
                if (TABLE[errno] != null && TABLE[errno][1].equalsIgnoreCase(text.strip())) {
                    return errno;
                }
            }
        }
        return 0;
    }
}

// libc calls the JDK lacks, for unpacking: create a file, then set owner, mode, times and xattrs on its descriptor.
package jbox.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import jbox.io.JffiDir;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Pinned;
import jnr.ffi.annotations.SaveError;

/**
 * The JDK sets owner, mode and times by path only (two lchown calls, an open for the mode, another
 * for the times: five path lookups per file) and cannot make a FIFO at all. Here a file is opened
 * once with O_EXCL|O_NOFOLLOW (never follows a link, never reuses what was there) and everything
 * else is done on that descriptor, as tar does. Paths are encoded as the JDK encodes them
 * (sun.jnu.encoding), so names agree with what Files.createDirectory made.
 *
 * <p>Bound through jnr-ffi on first use, so only imports pay for it (measured: see docs/images.md).
 */
final class NativeFiles {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    static final int O_NONBLOCK = 04000;
    static final int O_DIRECTORY = 0200000;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int EEXIST = 17;
    private static final int ENOENT = 2;
    private static final int EINTR = 4;
    private static final int ENODATA = 61;
    /** Owner-only until fchmod gives the entry its mode: nobody else can open it in between. */
    private static final int CREATE_MODE = 0600;

    /** The libc calls used here. Paths and names are NUL-terminated byte arrays. */
    public interface LibC {
        @SaveError
        int open(@In byte[] path, int flags, int mode);

        @SaveError
        long write(int fd, @In @Pinned ByteBuffer buffer, long count);

        @SaveError
        int fchown(int fd, int uid, int gid);

        @SaveError
        int lchown(@In byte[] path, int uid, int gid);

        @SaveError
        int fchmod(int fd, int mode);

        @SaveError
        int futimens(int fd, @In long[] times);

        @SaveError
        int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);

        @SaveError
        int fsetxattr(int fd, @In byte[] name, @In byte[] value, long size, int flags);

        @SaveError
        long lgetxattr(@In byte[] path, @In byte[] name, @Out byte[] value, long size);

        @SaveError
        int mkfifo(@In byte[] path, int mode);

        @SaveError
        int mknod(@In byte[] path, int mode, long dev);

        @SaveError
        int close(int fd);

        String strerror(int errno);
    }

    private static final class Native {
        /**
         * Where jffi unpacks its native stub (see {@link JffiDir}, which also picks jnr's reflection
         * invoker: binding these calls costs ~100 instead of ~400 ms of a cold import, and per call
         * the two measured the same on a 3,535-entry tar).
         */
        private static final Path EXTRACT_DIR = JffiDir.prepare();
        static final LibC LIBC = LibraryLoader.create(LibC.class)
                .load(Platform.getNativePlatform().getStandardCLibraryName());
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
        static final Charset PATH_CHARSET = pathCharset();

        static {
            JffiDir.remove(EXTRACT_DIR); // loaded and mapped: the file is no longer needed
        }

        private static Charset pathCharset() {
            String name = System.getProperty("sun.jnu.encoding");
            try {
                return name == null ? Charset.defaultCharset() : Charset.forName(name);
            } catch (IllegalArgumentException e) {
                return Charset.defaultCharset();
            }
        }
    }

    private NativeFiles() {
    }

    /** Binds the library now (for measuring its cost apart from the calls). */
    static void load() {
        Native.LIBC.getClass();
    }

    /** open(O_CREAT|O_EXCL|O_NOFOLLOW, 0600) for writing; FileAlreadyExistsException if anything is at {@code path}. */
    static int createFile(Path path) throws IOException {
        return open(path, O_WRONLY | O_CREAT | O_EXCL);
    }

    /** open(2) with O_NOFOLLOW|O_CLOEXEC added: a symlink at the last component fails (ELOOP) rather than being followed. */
    static int open(Path path, int flags) throws IOException {
        int fd = Native.LIBC.open(bytes(path), flags | O_NOFOLLOW | O_CLOEXEC, CREATE_MODE);
        if (fd < 0) {
            throw failure("open", path);
        }
        return fd;
    }

    /** Writes {@code buffer} (direct, or a heap one, pinned while the call runs) from position 0 to its limit, in full. */
    static void write(int fd, ByteBuffer buffer, Path path) throws IOException {
        long done = 0;
        long total = buffer.limit();
        while (done < total) {
            // a slice starts at the unwritten part whatever jnr makes of a buffer's position
            ByteBuffer rest = done == 0 ? buffer.position(0) : buffer.position((int) done).slice();
            long n = Native.LIBC.write(fd, rest, total - done);
            if (n < 0) {
                if (Native.RUNTIME.getLastError() == EINTR) {
                    continue;
                }
                throw failure("write", path);
            }
            done += n;
        }
    }

    /** fchown(2); before {@link #fchmod}: the kernel clears setuid/setgid (and file capabilities) on chown. */
    static void fchown(int fd, long uid, long gid, Path path) throws IOException {
        // uid_t is unsigned 32-bit; the int cast keeps the bit pattern the kernel expects.
        if (Native.LIBC.fchown(fd, (int) uid, (int) gid) != 0) {
            throw failure("fchown", path);
        }
    }

    /** lchown(2): a symlink's own owner, in one call (the JDK makes two). */
    static void lchown(Path path, long uid, long gid) throws IOException {
        if (Native.LIBC.lchown(bytes(path), (int) uid, (int) gid) != 0) {
            throw failure("lchown", path);
        }
    }

    /** All 12 permission bits, setuid included. */
    static void fchmod(int fd, int mode, Path path) throws IOException {
        if (Native.LIBC.fchmod(fd, mode & 07777) != 0) {
            throw failure("fchmod", path);
        }
    }

    /** atime and mtime both set to {@code mtime}, as the JDK's setTimes(mtime, mtime) did. */
    static void futimens(int fd, FileTime mtime, Path path) throws IOException {
        if (Native.LIBC.futimens(fd, times(mtime)) != 0) {
            throw failure("futimens", path);
        }
    }

    /** utimensat(AT_SYMLINK_NOFOLLOW): a symlink's own times. */
    static void lutimens(Path path, FileTime mtime) throws IOException {
        if (Native.LIBC.utimensat(AT_FDCWD, bytes(path), times(mtime), AT_SYMLINK_NOFOLLOW) != 0) {
            throw failure("utimensat", path);
        }
    }

    /** fsetxattr(2), creating or replacing {@code name}. */
    static void fsetxattr(int fd, String name, byte[] value, Path path) throws IOException {
        byte[] key = nulTerminated(name.getBytes(StandardCharsets.UTF_8));
        if (Native.LIBC.fsetxattr(fd, key, value, value.length, 0) != 0) {
            throw failure("fsetxattr " + name, path);
        }
    }

    /** lgetxattr(2): the value (at most 64 KiB, the kernel's limit), or null if {@code path} has no {@code name}. */
    static byte[] lgetxattr(Path path, String name) throws IOException {
        byte[] value = new byte[65536];
        long n = Native.LIBC.lgetxattr(bytes(path), nulTerminated(name.getBytes(StandardCharsets.UTF_8)),
                value, value.length);
        if (n < 0) {
            if (Native.RUNTIME.getLastError() == ENODATA) {
                return null;
            }
            throw failure("lgetxattr " + name, path);
        }
        return Arrays.copyOf(value, (int) n);
    }

    /** mkfifo(2) with mode 0600 (the umask can only narrow it); the caller sets the real mode on a descriptor. */
    static void mkfifo(Path path) throws IOException {
        if (Native.LIBC.mkfifo(bytes(path), CREATE_MODE) != 0) {
            throw failure("mkfifo", path);
        }
    }

    /** mknod(2) of a character device 0/0: overlayfs's whiteout, owner-only (nobody opens it: it is no device). */
    static void whiteout(Path path) throws IOException {
        if (Native.LIBC.mknod(bytes(path), 0020000 | CREATE_MODE, 0) != 0) {
            throw failure("mknod", path);
        }
    }

    /** Sets {@code name} on a directory through a descriptor opened O_DIRECTORY|O_NOFOLLOW. */
    static void setDirectoryXattr(Path dir, String name, byte[] value) throws IOException {
        int fd = open(dir, O_RDONLY | O_DIRECTORY);
        try {
            fsetxattr(fd, name, value, dir);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
        close(fd, dir);
    }

    /** close(2); a failure here (NFS, quotas) means the data may not be there, so it is reported. */
    static void close(int fd, Path path) throws IOException {
        if (Native.LIBC.close(fd) != 0 && Native.RUNTIME.getLastError() != EINTR) {
            throw failure("close", path);
        }
    }

    /** Closes on an error path, where the first failure is the one to report. */
    static void closeQuietly(int fd) {
        Native.LIBC.close(fd);
    }

    private static long[] times(FileTime mtime) {
        long nanos = mtime.to(TimeUnit.NANOSECONDS);
        long sec = Math.floorDiv(nanos, 1_000_000_000L);
        long nsec = Math.floorMod(nanos, 1_000_000_000L);
        return new long[] {sec, nsec, sec, nsec}; // struct timespec[2]: atime, mtime
    }

    private static byte[] bytes(Path path) {
        return nulTerminated(path.toString().getBytes(Native.PATH_CHARSET));
    }

    private static byte[] nulTerminated(byte[] s) {
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        return z;
    }

    /** The errno of the call that just failed, as the JDK's exception types where the caller tells them apart. */
    private static IOException failure(String call, Path path) {
        int errno = Native.RUNTIME.getLastError();
        String reason = Native.LIBC.strerror(errno);
        reason = reason == null ? "errno " + errno : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
        if (errno == EEXIST) {
            return new FileAlreadyExistsException(path.toString(), null, reason);
        }
        if (errno == ENOENT) {
            return new NoSuchFileException(path.toString(), null, reason);
        }
        return new FileSystemException(path.toString(), null, call + ": " + reason);
    }
}

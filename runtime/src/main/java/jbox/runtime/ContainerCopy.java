package jbox.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jbox.Errno;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * `jbox cp` between the host and a running container, resolved inside the container's root and
 * never out of it. The root is a descriptor of /proc/PID/root (the init checked by its start time
 * after it is opened); paths in the container are opened with openat2(2) and RESOLVE_IN_ROOT, so
 * the kernel resolves every symlink and ".." as the container would, atomically, however the
 * container changes its tree meanwhile; below that, each entry is opened relative to its parent's
 * descriptor with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS (a symlink in the tree is copied as a link,
 * never followed), and read or changed through /proc/self/fd/N, which names exactly the file that
 * descriptor holds. Files written into the container belong to its root as its user namespace
 * maps it (uid, gid given), with the source's permission bits less setuid and setgid: they are
 * created with this thread's filesystem ids set to those (setfsuid/setfsgid, per thread), since
 * the container's overlay is mounted in its user namespace and refuses to create a file for an
 * owner unmapped there (host root: EOVERFLOW). The kernel drops the filesystem capabilities with
 * a non-zero fsuid, so writes obey the permissions the container's root would meet without them.
 */
public final class ContainerCopy {
    private static final long SYS_OPENAT2 = 437; // the same number on x86_64 and aarch64
    private static final long AT_FDCWD = -100;
    private static final long O_WRONLY = 01;
    private static final long O_CREAT = 0100;
    private static final long O_TRUNC = 01000;
    private static final long O_CLOEXEC = 02000000;
    private static final long O_PATH = 010000000;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_NO_SYMLINKS = 0x04;
    private static final long RESOLVE_BENEATH = 0x08;
    private static final long RESOLVE_IN_ROOT = 0x10;
    private static final long CHILD = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;

    private final long uid;
    private final long gid;
    private final List<Integer> open = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private int root = -1;

    /** {@code uid} and {@code gid}: the host ids of the container's root (0 without a user namespace). */
    public ContainerCopy(long uid, long gid) {
        this.uid = uid;
        this.gid = gid;
    }

    /** Entries that were neither files, directories nor links (devices, sockets, FIFOs): not copied. */
    public List<String> skipped() {
        return skipped;
    }

    /** container:SRC → host DEST (docker's rules: into DEST when it is a directory, else as DEST). */
    public void out(long pid, long startTime, String src, Path dest) throws JboxException {
        try {
            openRoot(pid, startTime);
            String[] pn = split(src);
            int parent = openIn(pn[0]);
            Path target = Files.isDirectory(dest) && !pn[1].equals(".") ? dest.resolve(pn[1].equals("/") ? "." : pn[1]) : dest;
            if (pn[1].equals("/")) {
                copyDirOut(parent, dest);
            } else {
                copyOut(parent, pn[1], target.normalize());
            }
        } catch (IOException e) {
            throw new JboxException("cannot copy " + src + " out of the container to " + dest + ": " + IoReason.of(e), e);
        } finally {
            closeAll();
        }
    }

    /** host SRC → container:DEST (into DEST when it is a directory there, else as DEST). */
    public void in(long pid, long startTime, Path src, String dest) throws JboxException {
        if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
            throw new JboxException("cannot copy " + src + " into the container: no such file or directory");
        }
        try {
            openRoot(pid, startTime);
            int parent;
            String name;
            Integer existing = tryOpenIn(dest);
            if (existing != null && isDir(existing)) {
                parent = existing;
                name = src.getFileName() == null ? "." : src.getFileName().toString();
            } else {
                String[] pn = split(dest);
                parent = openIn(pn[0]);
                name = pn[1];
            }
            copyIn(src, parent, name);
        } catch (IOException e) {
            throw new JboxException("cannot copy " + src + " into the container at " + dest + ": " + IoReason.of(e), e);
        } finally {
            closeAll();
        }
    }

    private void openRoot(long pid, long startTime) throws IOException, JboxException {
        if (!ProcFile.isAlive(pid, startTime)) {
            throw new JboxException("the container's init (pid " + pid + ") is not running");
        }
        root = openat2(AT_FDCWD, "/proc/" + pid + "/root", O_PATH | O_CLOEXEC, 0, 0);
        if (!ProcFile.isAlive(pid, startTime)) { // the root opened is that init's, not a reused pid's
            throw new JboxException("the container's init (pid " + pid + ") exited meanwhile");
        }
    }

    private void copyOut(int parent, String name, Path dest) throws IOException {
        Path entry = fd(parent).resolve(name);
        int type = type(entry);
        if (type == S_IFLNK) {
            Files.deleteIfExists(dest);
            Files.createSymbolicLink(dest, Files.readSymbolicLink(entry));
        } else if (type == S_IFREG) {
            int fd = openat2(parent, name, O_CLOEXEC, 0, CHILD);
            try (InputStream in = Files.newInputStream(fd(fd));
                 OutputStream o = Files.newOutputStream(dest, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                         StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                in.transferTo(o);
            }
            FileModes.set(dest, perms(fd(fd)));
        } else if (type == S_IFDIR) {
            int fd = openat2(parent, name, O_PATH | O_CLOEXEC, 0, CHILD);
            if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dest); // an existing symlink of the host's is not followed: EEXIST
            }
            copyDirOut(fd, dest);
            FileModes.set(dest, perms(fd(fd)));
        } else {
            skipped.add(name);
        }
    }

    private void copyDirOut(int dir, Path dest) throws IOException {
        for (String child : names(fd(dir))) {
            copyOut(dir, child, dest.resolve(child));
        }
    }

    private void copyIn(Path src, int parent, String name) throws IOException {
        Map<String, Object> a = Files.readAttributes(src, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        Path entry = fd(parent).resolve(name);
        switch (mode & S_IFMT) {
            case S_IFLNK -> {
                Path target = Files.readSymbolicLink(src);
                asContainerRoot(() -> {
                    if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(entry); // unlink: never follows
                    }
                    Files.createSymbolicLink(entry, target);
                    return 0;
                });
            }
            case S_IFREG -> {
                // a symlink (or one raced in) at the name fails with ELOOP: nothing is written through it
                try (InputStream in = Files.newInputStream(src)) { // read as the host's root
                    int fd = asContainerRoot(() -> openat2(parent, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600, CHILD));
                    Path file = fd(fd);
                    asContainerRoot(() -> {
                        try (OutputStream o = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
                            in.transferTo(o);
                        }
                        chmod(file, mode); // after the write: a read-only mode would refuse it
                        return 0;
                    });
                }
            }
            case S_IFDIR -> {
                boolean made = asContainerRoot(() -> {
                    try {
                        Files.createDirectory(entry); // mkdir never follows the last name
                        return true;
                    } catch (FileAlreadyExistsException e) {
                        return false; // an existing directory is merged into; anything else fails the open below
                    }
                });
                int fd = openat2(parent, name, O_PATH | O_CLOEXEC, 0, CHILD);
                if (!isDir(fd)) {
                    throw new IOException(name + " exists in the container and is not a directory");
                }
                if (made) {
                    asContainerRoot(() -> {
                        chmod(fd(fd), mode);
                        return 0;
                    });
                }
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(src)) {
                    for (Path child : ds) {
                        copyIn(child, fd, child.getFileName().toString());
                    }
                }
            }
            default -> skipped.add(src.toString());
        }
    }

    /** An action on the container's files. */
    private interface Action<T> {
        T run() throws IOException;
    }

    /** Runs {@code a} with this thread's filesystem ids those of the container's root, then back to 0. */
    private <T> T asContainerRoot(Action<T> a) throws IOException {
        ProcessSignals.LibC libc = ProcessSignals.libc();
        libc.setfsgid((int) gid);
        libc.setfsuid((int) uid);
        try {
            if (libc.setfsuid(-1) != (int) uid) { // -1 changes nothing and answers the current one
                throw new IOException("setfsuid(" + uid + ") did not take effect");
            }
            return a.run();
        } finally {
            libc.setfsuid(0);
            libc.setfsgid(0);
        }
    }

    /** [parent, last name] of a container path; the root itself is ["/", "/"], "dir/." is [dir, "."]. */
    private static String[] split(String path) {
        String p = path.replaceAll("/+", "/");
        if (p.endsWith("/.")) {
            return new String[] {p.substring(0, p.length() - 1), "/"};
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        if (p.equals("/") || p.isEmpty()) {
            return new String[] {"/", "/"};
        }
        return new String[] {slash <= 0 ? "/" : p.substring(0, slash), p.substring(slash + 1)};
    }

    private int openIn(String path) throws IOException {
        return openat2(root, path, O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    }

    private Integer tryOpenIn(String path) throws IOException {
        try {
            return openIn(path);
        } catch (ErrnoException e) {
            if (e.errno == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    /** An errno from openat2, as an IOException that IoReason words. */
    private static final class ErrnoException extends IOException {
        final int errno;

        ErrnoException(String what, int errno) {
            super(what + ": " + Errno.describe(errno));
            this.errno = errno;
        }
    }

    private int openat2(long dirfd, String path, long flags, long mode, long resolve) throws IOException {
        jnr.ffi.Runtime rt = ProcessSignals.nativeRuntime();
        byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        Pointer p = Memory.allocateDirect(rt, name.length);
        p.put(0, name, 0, name.length);
        Pointer how = Memory.allocateDirect(rt, 24);
        how.putLongLong(0, flags);
        how.putLongLong(8, mode);
        how.putLongLong(16, resolve);
        long fd = ProcessSignals.libc().syscall(SYS_OPENAT2, dirfd, p.address(), how.address(), 24);
        if (fd < 0) {
            int err = ProcessSignals.lastErrno();
            if (err == Errno.ENOSYS) {
                throw new IOException("openat2(2) is missing (Linux 5.6+): cp cannot resolve inside the container safely");
            }
            throw new ErrnoException("openat2 " + (path.startsWith("/") ? path : "…/" + path), err);
        }
        open.add((int) fd);
        return (int) fd;
    }

    private void closeAll() {
        for (int fd : open) {
            ProcessSignals.libc().close(fd);
        }
        open.clear();
    }

    /** chmod through /proc/self/fd/N: the magic link is followed to exactly that descriptor's file. */
    private static void chmod(Path fdPath, int mode) throws IOException {
        Files.setAttribute(fdPath, "unix:mode", mode & 01777);
    }

    private static Path fd(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    private static boolean isDir(int fd) {
        return Files.isDirectory(fd(fd));
    }

    private static int type(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & S_IFMT;
    }

    private static int perms(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode") & 01777;
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        }
        out.sort(null);
        return out;
    }
}

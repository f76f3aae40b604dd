// Every file and directory jbox makes on the host gets its mode here, never from the umask.
package jbox.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A mode given at creation only ever loses bits to the umask, so creating with the final mode
 * (or a tighter one) and then setting it exactly makes the result independent of the caller's
 * umask: with umask 000 a plain createFile is 0666, a socket 0777.
 */
public final class FileModes {
    /** Owner read/write: state, configs with secrets, logs, locks. */
    public static final int PRIVATE_FILE = 0600;
    /** Owner only: nobody else may list, enter or reach anything below. */
    public static final int PRIVATE_DIR = 0700;
    /** Made for directories jbox does not own (e.g. a missing /var/lib): as a system directory. */
    private static final int PARENT_DIR = 0755;

    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private FileModes() {
    }

    /** The rwx bits of {@code mode} as a creation attribute (open(2)/mkdir(2) then apply the umask). */
    public static FileAttribute<Set<PosixFilePermission>> attribute(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(BITS[i]);
            }
        }
        return PosixFilePermissions.asFileAttribute(set);
    }

    /** chmod to exactly {@code mode} (07777 bits), not following a symlink (the JDK opens the file: not for sockets or FIFOs). */
    public static void set(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
    }

    /** mkdir with exactly {@code mode}; the parent must exist, and an existing directory is an error. */
    public static Path createDirectory(Path dir, int mode) throws IOException {
        Files.createDirectory(dir, attribute(mode & PRIVATE_DIR));
        set(dir, mode);
        return dir;
    }

    /** A new empty file (it must not exist) with exactly {@code mode}. */
    public static Path createFile(Path file, int mode) throws IOException {
        Files.createFile(file, attribute(mode & PRIVATE_FILE));
        set(file, mode);
        return file;
    }

    /** Creates {@code file} with exactly {@code mode} unless it exists; an existing one gets the mode too. */
    public static Path ensureFile(Path file, int mode) throws IOException {
        try {
            Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    attribute(mode & PRIVATE_FILE)).close();
        } catch (FileAlreadyExistsException existing) {
            // a log appended to by a second start: still gets the mode below
        }
        set(file, mode);
        return file;
    }

    /** Replaces {@code file} with {@code data} in one write, the file ending with exactly {@code mode}. */
    public static void write(Path file, byte[] data, int mode) throws IOException {
        Files.deleteIfExists(file);
        try (var ch = Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                attribute(mode & PRIVATE_FILE))) {
            set(file, mode); // before the first byte: a reader never sees the data under a looser mode
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /**
     * One of jbox's shared directories (a root, images/, containers/): made if missing (with any
     * missing parents as system directories), and, made or found, left a directory owned by
     * {@code uid}:{@code gid} with exactly {@code mode}. So an install made under a loose umask,
     * or by an older jbox, is tightened the first time a command uses it. A symlinked root is
     * followed (its parent is root's, as /var/lib is).
     */
    public static Path ensureDirectory(Path dir, int mode, int uid, int gid) throws IOException {
        Map<String, Object> a = statOrNull(dir);
        if (a == null) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent, attribute(PARENT_DIR));
            }
            try {
                Files.createDirectory(dir, attribute(mode & PRIVATE_DIR));
            } catch (FileAlreadyExistsException raced) {
                // another jbox made it first: it is checked below like any existing one
            }
            a = statOrNull(dir);
        }
        if (a == null || !Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir.toString());
        }
        if ((Integer) a.get("uid") != uid || (Integer) a.get("gid") != gid) {
            Files.setAttribute(dir, "unix:gid", gid);
            Files.setAttribute(dir, "unix:uid", uid);
        }
        if (((Integer) a.get("mode") & 07777) != (mode & 07777)) {
            Files.setAttribute(dir, "unix:mode", mode & 07777);
        }
        return dir;
    }

    /** The 07777 bits of {@code path} (following links). */
    public static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
    }

    /** mode, uid and gid in one stat (following links), or null when there is nothing. */
    private static Map<String, Object> statOrNull(Path p) throws IOException {
        try {
            return Files.readAttributes(p, "unix:mode,uid,gid");
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}

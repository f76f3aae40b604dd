package jbox.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.spec.ContainerSpec;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A container's filesystem as its overlay makes it, read from the host without mounting anything:
 * the image's rootfs (lower) under the container's upper directory, where a character device 0/0
 * is a whiteout (deleted) and a directory with the xattr user.overlay.opaque=y (jbox mounts with
 * userxattr) hides the lower one. `jbox diff` lists the upper directory's changes; `jbox export`
 * writes the merged tree as a tar, owners shifted back to the container's ids. Symlinks are
 * entries, never followed; the container's mounts (proc, /dev, binds) are not part of it.
 */
public final class LayerChanges {
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;

    private final Path lower;
    private final Path upper;
    private final ContainerSpec.IdMapping uids;
    private final ContainerSpec.IdMapping gids;

    public LayerChanges(ContainerSpec spec) throws JboxException {
        Map<String, String> ann = spec.annotations() == null ? Map.of() : spec.annotations();
        String l = ann.get(ContainerSpec.ANNOTATION_LOWER);
        String u = ann.get(ContainerSpec.ANNOTATION_UPPER);
        if (l == null || u == null || l.contains(":")) {
            throw new JboxException("the container has no overlay of jbox's (one image layer under an upper directory)");
        }
        this.lower = followed(Path.of(l));
        this.upper = Path.of(u);
        this.uids = ContainerSpec.Linux.rootMapping(spec.linux().uidMappings());
        this.gids = ContainerSpec.Linux.rootMapping(spec.linux().gidMappings());
    }

    /**
     * The image layer the lowerdir names: since the store's short names, a symlink under images/.l/ to
     * the layer's diff/ (every walk below reads with NOFOLLOW_LINKS, so it would see no directory and
     * export would write the upper layer alone). A lowerdir that is gone stays as it is: nothing below it.
     */
    private static Path followed(Path lowerdir) {
        try {
            return lowerdir.toRealPath();
        } catch (IOException gone) {
            return lowerdir;
        }
    }

    /** `jbox diff`: "A /path", "C /path" or "D /path" per changed entry, sorted by path. */
    public void diff(Consumer<String> out) throws JboxException {
        try {
            diff(upper, lower, "", out);
        } catch (IOException e) {
            throw new JboxException("cannot read the container's layer " + upper + ": " + IoReason.of(e), e);
        }
    }

    /**
     * The lines below {@code prefix}. A directory copied up counts as changed only when something
     * below it is reported: the mount points jbox makes for /etc/hostname, hosts and resolv.conf
     * (empty files, new in the upper layer) are its own, not the container's changes.
     */
    private void diff(Path up, Path low, String prefix, Consumer<String> out) throws IOException {
        boolean opaque = opaque(up);
        TreeSet<String> names = names(up);
        if (opaque && isDir(low)) {
            for (String n : names(low)) {
                if (!names.contains(n)) {
                    out.accept("D " + prefix + "/" + n);
                }
            }
        }
        for (String n : names) {
            Path u = up.resolve(n);
            Path l = low.resolve(n);
            String path = prefix + "/" + n;
            Map<String, Object> a = Files.readAttributes(u, "unix:mode,rdev,size", LinkOption.NOFOLLOW_LINKS);
            if (whiteout(a)) {
                out.accept("D " + path);
                continue;
            }
            boolean inLower = Files.exists(l, LinkOption.NOFOLLOW_LINKS) && !opaque;
            if (!inLower && MOUNT_POINTS.contains(path) && type(a) == S_IFREG && ((Number) a.get("size")).longValue() == 0) {
                continue;
            }
            if (type(a) == S_IFDIR && inLower) {
                List<String> below = new ArrayList<>();
                diff(u, l, path, below::add);
                if (!below.isEmpty()) {
                    out.accept("C " + path);
                    below.forEach(out);
                }
                continue;
            }
            out.accept((inLower ? "C " : "A ") + path);
            if (type(a) == S_IFDIR) {
                diff(u, Path.of("/nonexistent-lower"), path, out);
            }
        }
    }

    private static final Set<String> MOUNT_POINTS = Set.of("/etc/hostname", "/etc/hosts", "/etc/resolv.conf");

    /** `jbox export`: the merged tree as an uncompressed tar on {@code out}. */
    public void export(OutputStream out) throws JboxException {
        try {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            export(tar, upper, lower, "");
            tar.finish();
            tar.flush();
        } catch (IOException e) {
            throw new JboxException("cannot export the container's filesystem (" + upper + " over " + lower + "): "
                    + IoReason.of(e), e);
        }
    }

    /** The directory {@code prefix} merged from {@code up} (may be null) over {@code low} (may be null). */
    private void export(TarArchiveOutputStream tar, Path up, Path low, String prefix) throws IOException {
        boolean opaque = up != null && opaque(up);
        TreeSet<String> names = new TreeSet<>();
        if (up != null) {
            names.addAll(names(up));
        }
        if (low != null && !opaque) {
            names.addAll(names(low));
        }
        for (String n : names) {
            Path u = up == null ? null : up.resolve(n);
            Path l = low == null || opaque ? null : low.resolve(n);
            if (u != null && !Files.exists(u, LinkOption.NOFOLLOW_LINKS)) {
                u = null;
            }
            if (l != null && !Files.exists(l, LinkOption.NOFOLLOW_LINKS)) {
                l = null;
            }
            Path top = u != null ? u : l;
            Map<String, Object> a = Files.readAttributes(top, "unix:mode,uid,gid,rdev,size,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS);
            if (u != null && whiteout(a)) {
                continue; // deleted in the container
            }
            String name = prefix + n;
            int type = type(a);
            TarArchiveEntry e;
            switch (type) {
                case S_IFDIR -> e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
                case S_IFLNK -> {
                    e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(top).toString());
                }
                case S_IFREG -> {
                    e = new TarArchiveEntry(name);
                    e.setSize(((Number) a.get("size")).longValue());
                }
                case S_IFIFO -> e = new TarArchiveEntry(name, TarConstants.LF_FIFO);
                case S_IFCHR, S_IFBLK -> {
                    e = new TarArchiveEntry(name, type == S_IFCHR ? TarConstants.LF_CHR : TarConstants.LF_BLK);
                    int rdev = ((Number) a.get("rdev")).intValue();
                    e.setDevMajor((rdev >>> 8) & 0xfff);
                    e.setDevMinor((rdev & 0xff) | ((rdev >>> 12) & 0xfff00));
                }
                default -> {
                    continue; // a socket: nothing a tar can hold
                }
            }
            e.setMode((Integer) a.get("mode") & 07777);
            e.setUserId(containerId((Integer) a.get("uid"), uids));
            e.setGroupId(containerId((Integer) a.get("gid"), gids));
            e.setLastModifiedTime((FileTime) a.get("lastModifiedTime"));
            tar.putArchiveEntry(e);
            if (type == S_IFREG) {
                try (InputStream in = Files.newInputStream(top, LinkOption.NOFOLLOW_LINKS)) {
                    copy(in, tar, e.getSize());
                }
            }
            tar.closeArchiveEntry();
            if (type == S_IFDIR) {
                // the upper directory over the lower one (an opaque upper one hides it: checked there)
                export(tar, isDir(u) ? u : null, isDir(l) ? l : null, name + "/");
            }
        }
    }

    /** Exactly {@code size} bytes: a file the container grows meanwhile must not break the tar. */
    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buf = new byte[65536];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                Arrays.fill(buf, (byte) 0); // shrunk meanwhile: pad
                n = (int) Math.min(buf.length, left);
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private static long containerId(int hostId, ContainerSpec.IdMapping m) {
        long id = Integer.toUnsignedLong(hostId);
        if (m == null) {
            return id;
        }
        if (id >= m.hostID() && id < m.hostID() + m.size()) {
            return id - m.hostID();
        }
        return 65534; // not of the container: its overflow id, as the kernel shows it inside
    }

    private static TreeSet<String> names(Path dir) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        if (dir == null || !isDir(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        }
        return out;
    }

    private static boolean isDir(Path p) {
        return p != null && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static int type(Map<String, Object> a) {
        return (Integer) a.get("mode") & S_IFMT;
    }

    private static boolean whiteout(Map<String, Object> a) {
        return type(a) == S_IFCHR && ((Number) a.get("rdev")).longValue() == 0;
    }

    private static boolean opaque(Path dir) {
        try {
            UserDefinedFileAttributeView v = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (v == null || !v.list().contains("overlay.opaque")) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(8);
            v.read("overlay.opaque", b);
            b.flip();
            return b.remaining() > 0 && b.get() == 'y';
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}

// Writes a rootfs as one gzip-compressed image layer, with owners shifted back to container ids.
package jbox.image;

import jbox.io.IoReason;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jbox.rootfs.ContainerPath;
import jbox.rootfs.LayerStack;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Entries are written in sorted order with the files' own mtimes, so exporting one image twice
 * gives the same layer digest. Symlinks are written as links and never followed; files sharing an
 * inode become hard links to the first one written.
 *
 * <p>The tree is one directory, or an image's layers merged as overlayfs shows them
 * ({@link LayerStack}), or a container's overlayfs upper directory ({@link #ofUpper}): there a
 * character device 0/0 (overlayfs's whiteout) becomes {@code .wh.NAME} and an opaque directory
 * ({@code user.overlay.opaque} or {@code trusted.overlay.opaque} = y) gets a
 * {@code .wh..wh..opq} entry, as the image spec writes deletions.
 */
final class LayerWriter {

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    /** What was written: the blob's digest and size (compressed) and the uncompressed tar's digest. */
    record Written(Digest digest, long size, Digest diffId) {
    }

    private static final int S_IFCHR = 0020000;

    private final LayerStack tree;
    private final long uidBase;
    private final long gidBase;
    private final boolean upper;
    /** "dev:ino" of files with several links → the entry name written first. */
    private final Map<String, String> linked = new HashMap<>();

    LayerWriter(Path rootfs, long uidBase, long gidBase) {
        this(LayerStack.of(rootfs), uidBase, gidBase, false);
    }

    /** An image's layers, merged. */
    LayerWriter(LayerStack layers, long uidBase, long gidBase) {
        this(layers, uidBase, gidBase, false);
    }

    private LayerWriter(LayerStack tree, long uidBase, long gidBase, boolean upper) {
        this.tree = tree;
        this.uidBase = uidBase;
        this.gidBase = gidBase;
        this.upper = upper;
    }

    /** A container's overlayfs upper directory, its whiteouts and opaque directories written the image spec's way. */
    static LayerWriter ofUpper(Path upperDir, long uidBase, long gidBase) {
        return new LayerWriter(LayerStack.of(upperDir), uidBase, gidBase, true);
    }

    Written write(Path blobFile) throws ImageException {
        MessageDigest compressed = Digest.sha256();
        MessageDigest uncompressed = Digest.sha256();
        long[] size = new long[1];
        try (OutputStream file = Files.newOutputStream(blobFile);
             OutputStream counted = new Hashing(new BufferedOutputStream(file, 1 << 16), compressed, size);
             OutputStream gzip = new GzipCompressorOutputStream(counted);
             OutputStream plain = new Hashing(gzip, uncompressed, new long[1]);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(plain, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            writeChildren(tar, ContainerPath.ROOT, "");
            tar.finish();
        } catch (IOException e) {
            throw new ImageException("cannot write layer " + blobFile + " from " + tree.top() + ": " + IoReason.of(e), e);
        }
        return new Written(Digest.of(compressed), size[0], Digest.of(uncompressed));
    }

    /** One directory's entries; merged ones come from every layer that shows them. */
    private List<Path> children(ContainerPath dir) throws IOException {
        List<Path> children = new ArrayList<>();
        if (tree.layers().size() == 1) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.on(tree.top()))) {
                entries.forEach(children::add);
            }
            children.sort(null);
            return children;
        }
        for (String name : tree.list(dir)) {
            Path found = tree.find(dir.child(name));
            if (found != null) {
                children.add(found);
            }
        }
        return children;
    }

    private void writeChildren(TarArchiveOutputStream tar, ContainerPath dir, String prefix)
            throws ImageException, IOException {
        for (Path child : children(dir)) {
            String name = prefix + child.getFileName();
            Map<String, Object> attrs = Files.readAttributes(child,
                    "unix:mode,uid,gid,ino,dev,nlink,lastModifiedTime,rdev", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) attrs.get("mode");
            int type = mode & S_IFMT;
            if (upper && type == S_IFCHR && (Long) attrs.get("rdev") == 0) {
                whiteoutEntry(tar, prefix + Whiteout.PREFIX + child.getFileName(), attrs);
                continue;
            }
            TarArchiveEntry entry;
            if (type == S_IFDIR) {
                entry = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
            } else if (type == S_IFLNK) {
                entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                entry.setLinkName(Files.readSymbolicLink(child).toString());
            } else if (type == S_IFIFO) {
                entry = new TarArchiveEntry(name, TarConstants.LF_FIFO);
            } else if (type == S_IFREG) {
                String first = firstLink(attrs, name);
                if (first != null) {
                    entry = new TarArchiveEntry(name, TarConstants.LF_LINK);
                    entry.setLinkName(first);
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setSize(Files.size(child));
                }
            } else {
                throw new ImageException("cannot export " + child + ": sockets and device nodes cannot go into a layer");
            }
            entry.setMode(mode & 07777);
            entry.setUserId(containerId("uid", child, (Integer) attrs.get("uid"), uidBase));
            entry.setGroupId(containerId("gid", child, (Integer) attrs.get("gid"), gidBase));
            entry.setLastModifiedTime((FileTime) attrs.get("lastModifiedTime"));
            tar.putArchiveEntry(entry);
            if (type == S_IFREG && entry.getLinkFlag() == TarConstants.LF_NORMAL) {
                try (InputStream in = Files.newInputStream(child, LinkOption.NOFOLLOW_LINKS)) {
                    in.transferTo(tar);
                }
            }
            tar.closeArchiveEntry();
            if (type == S_IFDIR) {
                if (upper && isOpaque(child)) {
                    whiteoutEntry(tar, name + "/" + Whiteout.OPAQUE, attrs);
                }
                writeChildren(tar, dir.child(child.getFileName().toString()), name + "/");
            }
        }
    }

    /** An empty file owned by container root: how docker and containers/storage write whiteouts. */
    private static void whiteoutEntry(TarArchiveOutputStream tar, String name, Map<String, Object> attrs)
            throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0);
        entry.setLastModifiedTime((FileTime) attrs.get("lastModifiedTime"));
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    /** Opaque as overlayfs marks it: in the user namespace (userxattr) or the host's (trusted). */
    private static boolean isOpaque(Path dir) throws IOException {
        if (LayerStack.isOpaque(dir)) {
            return true;
        }
        byte[] trusted = NativeFiles.lgetxattr(dir, "trusted.overlay.opaque");
        return trusted != null && trusted.length == 1 && trusted[0] == 'y';
    }

    /** The name this inode was first written under, or null (and it is remembered) if this is the first. */
    private String firstLink(Map<String, Object> attrs, String name) {
        if ((Integer) attrs.get("nlink") < 2) {
            return null;
        }
        return linked.putIfAbsent(attrs.get("dev") + ":" + attrs.get("ino"), name);
    }

    /** Host id back to the container id the image's id shift made it from. */
    private static long containerId(String kind, Path file, int hostId, long base) throws ImageException {
        long id = Integer.toUnsignedLong(hostId);
        if (id < base) {
            throw new ImageException("cannot export " + file + ": its " + kind + " " + id
                    + " is below the image's id base " + base);
        }
        return id - base;
    }

    /** Hashes and counts what passes through. */
    private static final class Hashing extends FilterOutputStream {
        private final MessageDigest digest;
        private final long[] count;

        Hashing(OutputStream out, MessageDigest digest, long[] count) {
            super(out);
            this.digest = digest;
            this.count = count;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count[0]++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count[0] += len;
        }
    }
}

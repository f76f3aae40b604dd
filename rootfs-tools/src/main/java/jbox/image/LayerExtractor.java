// Applies one (already decompressed) tar stream onto a directory, refusing anything that could escape it.
package jbox.image;

import jbox.io.IoReason;

import jbox.rootfs.TreeDeletion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.DirectoryStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Extracts tar entries under {@code root} with tar's "later entry replaces earlier one" semantics.
 *
 * <p>Safety rests on three rules: entry names are normalised and may not be absolute or contain
 * "..", every parent directory is verified (lstat) to be a real directory rather than a symlink
 * before anything is created inside it, and the final component is created with O_EXCL-style calls
 * (which never follow a symlink) after unlinking whatever was there. Verified directories are
 * remembered, so the common case costs no extra syscalls.
 *
 * <p>FIFOs are created via coreutils (see {@link Fifo}). Extended attributes (e.g. file
 * capabilities) are not applied yet. Kept separate from {@link TarImporter} so OCI layers can reuse it.
 *
 * <p>As an image layer ({@link #forLayer}), whiteouts apply to what lower layers left in the root:
 * {@code .wh.NAME} removes NAME, {@code .wh..wh..opq} empties its directory; neither is written.
 * Only lower content goes: every path this layer wrote (and its ancestors) is remembered and kept,
 * whatever the order of entries in the stream.
 */
public final class LayerExtractor {

    /** Large enough that a big file costs few read/write calls; allocated once per extractor. */
    private static final int BUFFER_SIZE = 1 << 20;
    /** GNU tar's 'V' header; commons-compress has no constant for it. */
    private static final byte GNU_VOLUME_LABEL = 'V';
    private static final Set<StandardOpenOption> NEW_FILE =
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

    private final Path root;
    private final IdShift shift;
    private final String sourceName;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private final RealDirectories directories;
    /** Directory modes and mtimes, applied last because creating children would undo them. */
    private final Map<String, TarArchiveEntry> pendingDirs = new HashMap<>();
    /** Layer mode only: whether .wh. entries are whiteouts rather than ordinary files. */
    private final boolean whiteouts;
    /** Relative paths this layer wrote, with their ancestors: whiteouts never remove them. */
    private final Set<String> written = new HashSet<>();
    /** What the whole import (this and its other layers) may still unpack. */
    private final ImportBudget budget;

    /**
     * @param root       existing directory to extract into (the rootfs being built)
     * @param shift      id mapping applied to every entry's owner
     * @param sourceName the archive's name, used in error messages
     */
    public LayerExtractor(Path root, IdShift shift, String sourceName) throws ImageException {
        this(root, shift, sourceName, false, ImportLimits.NONE.budget());
    }

    /** As above, counting entries and unpacked bytes against {@code budget}. */
    LayerExtractor(Path root, IdShift shift, String sourceName, ImportBudget budget) throws ImageException {
        this(root, shift, sourceName, false, budget);
    }

    private LayerExtractor(Path root, IdShift shift, String sourceName, boolean whiteouts, ImportBudget budget)
            throws ImageException {
        this.root = root;
        this.shift = shift;
        this.sourceName = sourceName;
        this.whiteouts = whiteouts;
        this.budget = budget;
        this.directories = new RealDirectories(root, shift.hostUid(0), shift.hostGid(0));
    }

    /** An extractor for one image layer applied over the layers already in {@code root}: whiteouts are honoured. */
    static LayerExtractor forLayer(Path root, IdShift shift, String sourceName, ImportBudget budget)
            throws ImageException {
        return new LayerExtractor(root, shift, sourceName, true, budget);
    }

    /** Reads the tar stream to its end-of-archive marker; the caller owns (and closes) {@code tarStream}. */
    public void apply(InputStream tarStream) throws ImageException {
        TarArchiveInputStream tar = new TarArchiveInputStream(tarStream, StandardCharsets.UTF_8.name());
        String previous = null;
        while (true) {
            TarArchiveEntry entry;
            try {
                entry = tar.getNextEntry();
            } catch (IOException | RuntimeException e) {
                String where = previous == null ? "" : " after entry " + Quoted.of(previous);
                throw new ImageException("cannot read tar " + sourceName + where + ": " + IoReason.of(e), e);
            }
            if (entry == null) {
                break;
            }
            previous = entry.getName();
            budget.entry();
            extract(tar, entry);
        }
        applyDirectoryAttributes();
    }

    private void extract(InputStream tar, TarArchiveEntry entry) throws ImageException {
        String name = entry.getName();
        // Archive-wide metadata (git archive writes one), and GNU volume labels: nothing to extract.
        if (entry.isGlobalPaxHeader() || entry.getLinkFlag() == GNU_VOLUME_LABEL) {
            return;
        }
        EntryPath path;
        long uid;
        long gid;
        try {
            path = EntryPath.parse(name);
        } catch (ImageException e) {
            throw refused(name, e.getMessage());
        }
        if (whiteouts && path.last().startsWith(Whiteout.PREFIX)) {
            applyWhiteout(name, path);
            return;
        }
        try {
            uid = shift.hostUid(entry.getLongUserId());
            gid = shift.hostGid(entry.getLongGroupId());
        } catch (ImageException e) {
            throw refused(name, e.getMessage());
        }
        Path target = root.resolve(path.relative());
        if (whiteouts) {
            markWritten(path);
        }
        try {
            byte type = entry.getLinkFlag();
            if (type == TarConstants.LF_CHR || type == TarConstants.LF_BLK) {
                throw refused(name, "device nodes are not allowed in images");
            } else if (type == TarConstants.LF_SYMLINK) {
                extractSymlink(entry, path, target, uid, gid);
            } else if (type == TarConstants.LF_LINK) {
                extractHardLink(entry, path, target);
            } else if (type == TarConstants.LF_FIFO) {
                extractFifo(entry, path, target, uid, gid);
            } else if (entry.isDirectory()) {
                extractDirectory(entry, path, target, uid, gid);
            } else if (isRegularFile(type)) {
                extractFile(tar, entry, path, target, uid, gid);
            } else {
                throw refused(name, "unsupported tar entry type " + Quoted.of(String.valueOf((char) type)));
            }
        } catch (IOException | InvalidPathException e) {
            throw new ImageException("cannot extract tar entry " + Quoted.of(name) + " to " + target + ": "
                    + IoReason.of(e), e);
        }
    }

    private static boolean isRegularFile(byte type) {
        return type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM
                || type == TarConstants.LF_CONTIG || type == TarConstants.LF_GNUTYPE_SPARSE;
    }

    private void extractFile(InputStream tar, TarArchiveEntry entry, EntryPath path, Path target, long uid, long gid)
            throws ImageException, IOException {
        requireNotRoot(entry, path);
        budget.claim(entry.isSparse() ? entry.getRealSize() : entry.getSize());
        directories.ensureParents(entry.getName(), path);
        try (FileChannel out = createFile(target, path)) {
            copyContent(tar, entry, out);
        }
        PosixAttributes.lchown(target, uid, gid);
        PosixAttributes.chmod(target, entry.getMode());
        PosixAttributes.setModifiedTime(target, entry.getLastModifiedTime());
    }

    /** O_CREAT|O_EXCL never follows a symlink; whatever is in the way is unlinked first. */
    private FileChannel createFile(Path target, EntryPath path) throws IOException {
        try {
            return FileChannel.open(target, NEW_FILE);
        } catch (FileAlreadyExistsException e) {
            removeExisting(target, path);
            return FileChannel.open(target, NEW_FILE);
        }
    }

    private void copyContent(InputStream tar, TarArchiveEntry entry, FileChannel out)
            throws ImageException, IOException {
        while (true) {
            int n;
            try {
                n = tar.read(buffer, 0, buffer.length);
            } catch (IOException | RuntimeException e) {
                throw new ImageException("cannot read tar " + sourceName + " at entry " + Quoted.of(entry.getName())
                        + ": " + IoReason.of(e), e);
            }
            if (n < 0) {
                return;
            }
            budget.unpacked(n); // before the write: nothing past the limit reaches the disk
            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        }
    }

    private void extractDirectory(TarArchiveEntry entry, EntryPath path, Path target, long uid, long gid)
            throws ImageException, IOException {
        if (!path.isRoot()) {
            directories.ensureParents(entry.getName(), path);
            try {
                Files.createDirectory(target);
            } catch (FileAlreadyExistsException e) {
                if (!RealDirectories.isRealDirectory(target)) {
                    removeExisting(target, path);
                    Files.createDirectory(target);
                }
            }
            directories.add(path.relative());
        }
        PosixAttributes.lchown(target, uid, gid);
        pendingDirs.put(path.relative(), entry);
    }

    private void extractSymlink(TarArchiveEntry entry, EntryPath path, Path target, long uid, long gid)
            throws ImageException, IOException {
        String linkTarget = entry.getLinkName();
        if (linkTarget.isEmpty()) {
            throw refused(entry.getName(), "symlink has an empty target");
        }
        if (path.relativeTargetEscapes(linkTarget)) {
            throw refused(entry.getName(), "symlink target " + Quoted.of(linkTarget) + " escapes the image root");
        }
        requireNotRoot(entry, path);
        directories.ensureParents(entry.getName(), path);
        Path link = Path.of(linkTarget);
        try {
            Files.createSymbolicLink(target, link);
        } catch (FileAlreadyExistsException e) {
            removeExisting(target, path);
            Files.createSymbolicLink(target, link);
        }
        PosixAttributes.lchown(target, uid, gid);
        PosixAttributes.setModifiedTime(target, entry.getLastModifiedTime());
    }

    /** Hard links share the target's inode, owner and mode, so no attributes are applied here. */
    private void extractHardLink(TarArchiveEntry entry, EntryPath path, Path target)
            throws ImageException, IOException {
        String name = entry.getName();
        String linkName = entry.getLinkName();
        EntryPath existing;
        try {
            existing = EntryPath.parse(linkName);
        } catch (ImageException e) {
            throw refused(name, "hard link target " + Quoted.of(linkName) + ": " + e.getMessage());
        }
        if (existing.relative().equals(path.relative())) {
            return; // a link to itself: tar treats it as a no-op
        }
        requireNotRoot(entry, path);
        Path existingPath = root.resolve(existing.relative());
        if (!directories.parentsExist(existing) || !isRegularFileNoFollow(existingPath)) {
            throw refused(name, "hard link target " + Quoted.of(linkName)
                    + " is not a regular file extracted earlier from this archive");
        }
        directories.ensureParents(entry.getName(), path);
        try {
            Files.createLink(target, existingPath);
        } catch (FileAlreadyExistsException e) {
            removeExisting(target, path);
            Files.createLink(target, existingPath);
        }
    }

    private void extractFifo(TarArchiveEntry entry, EntryPath path, Path target, long uid, long gid)
            throws ImageException, IOException {
        requireNotRoot(entry, path);
        directories.ensureParents(entry.getName(), path);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            removeExisting(target, path);
        }
        Fifo.create(target, entry.getMode() & 0777, entry.getLastModifiedTime());
        PosixAttributes.lchown(target, uid, gid);
    }

    /** Unlinks whatever occupies {@code target} (a symlink is removed, not followed) and forgets state about it. */
    private void removeExisting(Path target, EntryPath path) throws IOException {
        removeExisting(target, path.relative());
    }

    private void removeExisting(Path target, String relative) throws IOException {
        if (RealDirectories.isRealDirectory(target)) {
            TreeDeletion.delete(target);
            String prefix = relative + "/";
            directories.forgetTree(relative);
            pendingDirs.keySet().removeIf(dir -> dir.equals(relative) || dir.startsWith(prefix));
        } else {
            Files.deleteIfExists(target);
        }
    }

    private void markWritten(EntryPath path) {
        String relative = path.relative();
        while (written.add(relative) && !relative.isEmpty()) {
            int slash = relative.lastIndexOf('/');
            relative = slash < 0 ? "" : relative.substring(0, slash);
        }
    }

    /** A whiteout names something below its own directory; parents that are not real directories hide nothing. */
    private void applyWhiteout(String name, EntryPath path) throws ImageException {
        Whiteout whiteout = Whiteout.of(path);
        if (whiteout == null) {
            return; // aufs bookkeeping (.wh..wh.plnk and the like): neither content nor a whiteout
        }
        if (whiteout.hidden() == null) {
            throw refused(name, "whiteout names no file");
        }
        try {
            if (whiteout.opaque()) {
                // The opaque directory exists in this layer even if no entry lists it.
                directories.ensureParents(name, path);
                markWritten(new EntryPath(path.parent(), path.components().subList(0, path.components().size() - 1)));
                removeLowerChildren(path.parent());
            } else if (directories.parentsExist(path)) {
                removeLower(whiteout.hidden());
            }
        } catch (IOException e) {
            throw new ImageException("cannot apply whiteout " + Quoted.of(name) + " in " + root + ": "
                    + IoReason.of(e), e);
        }
    }

    /** Removes {@code relative} unless this layer wrote it; inside kept directories, removes what it did not write. */
    private void removeLower(String relative) throws IOException {
        Path target = root.resolve(relative);
        if (!written.contains(relative)) {
            if (RealDirectories.lstat(target) != null) {
                removeExisting(target, relative);
            }
            return;
        }
        if (RealDirectories.isRealDirectory(target)) {
            removeLowerChildren(relative);
        }
    }

    private void removeLowerChildren(String dirRelative) throws IOException {
        List<String> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root.resolve(dirRelative))) {
            for (Path child : entries) {
                children.add(child.getFileName().toString());
            }
        }
        for (String child : children) {
            removeLower(dirRelative.isEmpty() ? child : dirRelative + "/" + child);
        }
    }

    private void applyDirectoryAttributes() throws ImageException {
        for (Map.Entry<String, TarArchiveEntry> pending : pendingDirs.entrySet()) {
            Path dir = root.resolve(pending.getKey());
            TarArchiveEntry entry = pending.getValue();
            try {
                PosixAttributes.chmod(dir, entry.getMode());
                PosixAttributes.setModifiedTime(dir, entry.getLastModifiedTime());
            } catch (IOException e) {
                throw new ImageException("cannot set attributes of tar entry " + Quoted.of(entry.getName())
                        + " at " + dir + ": " + IoReason.of(e), e);
            }
        }
        pendingDirs.clear();
    }

    private void requireNotRoot(TarArchiveEntry entry, EntryPath path) throws ImageException {
        if (path.isRoot()) {
            throw refused(entry.getName(), "only a directory may stand for the image root");
        }
    }

    private static boolean isRegularFileNoFollow(Path path) throws IOException {
        BasicFileAttributes attrs = RealDirectories.lstat(path);
        return attrs != null && attrs.isRegularFile();
    }

    static ImageException refused(String entryName, String reason) {
        return new ImageException("refusing tar entry " + Quoted.of(entryName) + ": " + reason);
    }
}

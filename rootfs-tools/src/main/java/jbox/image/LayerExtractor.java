// Applies one (already decompressed) tar stream onto a directory, refusing anything that could escape it.
package jbox.image;

import jbox.io.IoReason;

import jbox.rootfs.ContainerPath;
import jbox.rootfs.LayerStack;
import jbox.rootfs.TreeDeletion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.DirectoryStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>Files and FIFOs are made and finished on one descriptor ({@link NativeFiles}: owner, mode,
 * extended attributes, times); a file's data and finishing calls run on a thread of their own
 * ({@link FileFinisher}) while this one reads on. Extended attributes come from PAX {@code SCHILY.xattr.*} records
 * read raw ({@link TarReader}) and filtered by {@link XattrPolicy}; what it leaves out is one warning
 * per import ({@link ImportWarnings}), as are device nodes (the runtime mounts its own
 * /dev; a user namespace could not use them). Symlink targets are stored as they are, whatever they
 * point at: nothing here ever follows a link. Kept separate from {@link TarImporter} so OCI layers
 * can reuse it.
 *
 * <p>As an image layer ({@link #forLayer}), whiteouts apply to what lower layers left in the root:
 * {@code .wh.NAME} removes NAME, {@code .wh..wh..opq} empties its directory; neither is written.
 * Only lower content goes: every path this layer wrote (and its ancestors) is remembered and kept,
 * whatever the order of entries in the stream.
 */
public final class LayerExtractor {

    /** GNU tar's 'V' header; commons-compress has no constant for it. */
    private static final byte GNU_VOLUME_LABEL = 'V';

    private final Path root;
    private final IdShift shift;
    private final String sourceName;
    private final RealDirectories directories;
    /** Writes and finishes the regular files of one {@link #apply}, while this thread reads on. */
    private FileFinisher files;
    /** Directory modes, xattrs and mtimes, applied last because creating children would undo them. */
    private final Map<String, TarReader.Entry> pendingDirs = new HashMap<>();
    /** Layer mode only: whether .wh. entries are whiteouts rather than ordinary files. */
    private final boolean whiteouts;
    /** Relative paths this layer wrote, with their ancestors: whiteouts never remove them. */
    private final Set<String> written = new HashSet<>();
    /** What the whole import (this and its other layers) may still unpack. */
    private final ImportBudget budget;
    private final XattrPolicy xattrPolicy;
    /**
     * Diff mode (a layer of the store, unpacked into a directory of its own): the layers below, or
     * null for the bottom layer. Whiteouts are then written as overlayfs reads them, not applied.
     */
    private final LayerStack lower;
    private final boolean diff;
    /** Diff mode: paths this layer whited out; a directory it then creates there hides the lower one whole. */
    private final Set<String> whitedOut = new HashSet<>();

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
        this(root, shift, sourceName, whiteouts, budget, false, null);
    }

    private LayerExtractor(Path root, IdShift shift, String sourceName, boolean whiteouts, ImportBudget budget,
            boolean diff, LayerStack lower) throws ImageException {
        this.root = root;
        this.shift = shift;
        this.sourceName = sourceName;
        this.whiteouts = whiteouts;
        this.budget = budget;
        this.diff = diff;
        this.lower = lower;
        this.directories = new RealDirectories(root, shift.hostUid(0), shift.hostGid(0), lower);
        this.xattrPolicy = new XattrPolicy(shift.hostUid(0), budget.warnings());
    }

    /**
     * One layer into an empty directory of its own, to be stacked over {@code lower} (null: the
     * bottom layer) by overlayfs: {@code .wh.NAME} becomes a character device 0/0 named NAME (only
     * if a lower layer shows NAME), {@code .wh..wh..opq} an opaque directory
     * ({@code trusted.overlay.opaque} and {@code user.overlay.opaque} = y: the first for a mount
     * in the host's user namespace, the second for one in the container's, with userxattr).
     */
    static LayerExtractor forDiff(Path root, IdShift shift, String sourceName, ImportBudget budget, LayerStack lower)
            throws ImageException {
        return new LayerExtractor(root, shift, sourceName, true, budget, true, lower);
    }

    private static final byte[] OPAQUE_VALUE = {'y'};

    /** Marks a directory of a layer opaque for overlayfs, whichever user namespace mounts it. */
    static void markOpaque(Path dir) throws IOException {
        NativeFiles.setDirectoryXattr(dir, "trusted.overlay.opaque", OPAQUE_VALUE);
        NativeFiles.setDirectoryXattr(dir, "user.overlay.opaque", OPAQUE_VALUE);
    }

    /** An extractor for one image layer applied over the layers already in {@code root}: whiteouts are honoured. */
    static LayerExtractor forLayer(Path root, IdShift shift, String sourceName, ImportBudget budget)
            throws ImageException {
        return new LayerExtractor(root, shift, sourceName, true, budget);
    }

    /** Reads the tar stream to its end-of-archive marker; the caller owns (and closes) {@code tarStream}. */
    public void apply(InputStream tarStream) throws ImageException {
        try (FileFinisher finisher = new FileFinisher(sourceName)) {
            files = finisher;
            applyEntries(tarStream);
            finisher.finish();
        } finally {
            files = null;
        }
        applyDirectoryAttributes();
    }

    private void applyEntries(InputStream tarStream) throws ImageException {
        TarReader tar = new TarReader(tarStream);
        String previous = null;
        while (true) {
            TarReader.Entry entry;
            try {
                entry = tar.next();
            } catch (IOException | RuntimeException e) {
                if (previous == null && tar.notATar()) {
                    throw notATar(); // e.g. /etc/hostname: shorter than a tar header, or no header's checksum
                }
                String where = previous == null ? "" : " after entry " + Quoted.of(previous);
                throw new ImageException("cannot read tar " + sourceName + where + ": " + IoReason.of(e), e);
            }
            if (entry == null) {
                break;
            }
            previous = entry.name();
            budget.entry();
            extract(tar, entry);
            skipRest(tar, entry);
        }
    }

    private ImageException notATar() {
        return new ImageException(sourceName + " is not a tar archive (nor a gzip, xz, bzip2 or zstd compressed one)");
    }

    /** Whatever of an entry's data was not extracted (a hard link's, say) is skipped here, where a failure names the entry. */
    private void skipRest(TarReader tar, TarReader.Entry entry) throws ImageException {
        try {
            tar.skipEntry();
        } catch (IOException | RuntimeException e) {
            throw new ImageException("cannot read tar " + sourceName + " at entry " + Quoted.of(entry.name())
                    + ": " + IoReason.of(e), e);
        }
    }

    private void extract(TarReader tar, TarReader.Entry entry) throws ImageException {
        String name = entry.name();
        Map<String, byte[]> xattrs = entry.xattrs();
        // Archive-wide metadata (git archive writes one), and GNU volume labels: nothing to extract.
        if (entry.isGlobalHeader() || entry.type() == GNU_VOLUME_LABEL) {
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
            uid = shift.hostUid(entry.uid());
            gid = shift.hostGid(entry.gid());
        } catch (ImageException e) {
            throw refused(name, e.getMessage());
        }
        Path target = root.resolve(path.relative());
        if (whiteouts) {
            markWritten(path);
        }
        try {
            byte type = entry.type();
            if (type == TarConstants.LF_CHR || type == TarConstants.LF_BLK) {
                budget.warnings().skipped(ImportWarnings.DEVICE_NODES, Quoted.of(name));
            } else if (type == TarConstants.LF_SYMLINK) {
                extractSymlink(entry, path, target, uid, gid, xattrs);
            } else if (type == TarConstants.LF_LINK) {
                extractHardLink(entry, path, target);
            } else if (type == TarConstants.LF_FIFO) {
                extractFifo(entry, path, target, uid, gid, xattrs);
            } else if (entry.isDirectory()) {
                extractDirectory(entry, path, target, uid, gid, xattrs);
            } else if (isRegularFile(type)) {
                extractFile(tar, entry, path, target, uid, gid, xattrs);
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

    private void extractFile(TarReader tar, TarReader.Entry entry, EntryPath path, Path target, long uid, long gid,
            Map<String, byte[]> xattrs) throws ImageException, IOException {
        requireNotRoot(entry, path);
        budget.claim(entry.realSize());
        directories.ensureParents(entry.name(), path);
        int fd = createFile(target, path);
        boolean handedOver = false;
        try {
            copyContent(tar, entry, fd, target);
            // after the data: a write(2) drops setuid and file capabilities
            files.finishFile(fd, target, entry.name(), new FileFinisher.Attributes(uid, gid, entry.mode(),
                    xattrPolicy.allowed(entry.name(), xattrs), entry.mtime()));
            handedOver = true;
        } finally {
            if (!handedOver) {
                files.abandon(fd, target, entry.name()); // it may still have data of ours to write
            }
        }
    }

    /** O_CREAT|O_EXCL|O_NOFOLLOW never follows a symlink; whatever is in the way is unlinked first. */
    private int createFile(Path target, EntryPath path) throws IOException {
        try {
            return NativeFiles.createFile(target);
        } catch (FileAlreadyExistsException e) {
            removeExisting(target, path);
            return NativeFiles.createFile(target);
        }
    }

    /** Hands the entry's data to {@link #files} in chunks, which it writes in order. */
    private void copyContent(TarReader tar, TarReader.Entry entry, int fd, Path target) throws ImageException {
        long left = entry.realSize();
        while (left > 0) {
            int want = (int) Math.min(left, Chunks.SIZE);
            FileFinisher.Slice slice = files.slice(want);
            int n;
            try {
                n = readFully(tar, slice.data(), slice.offset(), want);
                budget.unpacked(n); // before the write: nothing past the limit reaches the disk
            } catch (IOException | RuntimeException e) {
                files.giveBack(slice);
                throw new ImageException("cannot read tar " + sourceName + " at entry " + Quoted.of(entry.name())
                        + ": " + IoReason.of(e), e);
            } catch (ImageException e) {
                files.giveBack(slice);
                throw e;
            }
            if (n > 0) {
                files.write(fd, target, entry.name(), slice, n);
            } else {
                files.giveBack(slice);
            }
            if (n < want) {
                return; // the reader ends the entry (a truncated archive fails there)
            }
            left -= n;
        }
    }

    /** Up to {@code length} bytes of the entry into {@code b} at {@code offset}: fewer only at its end. */
    private static int readFully(TarReader tar, byte[] b, int offset, int length) throws IOException {
        int n = 0;
        while (n < length) {
            int r = tar.read(b, offset + n, length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    private void extractDirectory(TarReader.Entry entry, EntryPath path, Path target, long uid, long gid,
            Map<String, byte[]> xattrs) throws ImageException, IOException {
        if (!path.isRoot()) {
            directories.ensureParents(entry.name(), path);
            try {
                Files.createDirectory(target);
            } catch (FileAlreadyExistsException e) {
                if (!RealDirectories.isRealDirectory(target)) {
                    removeExisting(target, path);
                    Files.createDirectory(target);
                    if (diff && whitedOut.contains(path.relative())) {
                        markOpaque(target); // deleted, then made again: nothing of the lower one shows
                    }
                }
            }
            directories.add(path.relative());
        }
        NativeFiles.lchown(target, uid, gid);
        pendingDirs.put(path.relative(), entry);
    }

    /**
     * Any target is stored as it is, "../../../../y" included (at run time ".." stops at the
     * container's root): a link is only ever created, never followed here, and parents are proven
     * real directories before anything is written below them.
     */
    private void extractSymlink(TarReader.Entry entry, EntryPath path, Path target, long uid, long gid,
            Map<String, byte[]> xattrs) throws ImageException, IOException {
        String linkTarget = entry.linkName();
        if (linkTarget.isEmpty()) {
            throw refused(entry.name(), "symlink has an empty target");
        }
        requireNotRoot(entry, path);
        directories.ensureParents(entry.name(), path);
        Path link = Path.of(linkTarget);
        try {
            Files.createSymbolicLink(target, link);
        } catch (FileAlreadyExistsException e) {
            removeExisting(target, path);
            Files.createSymbolicLink(target, link);
        }
        NativeFiles.lchown(target, uid, gid);
        NativeFiles.lutimens(target, entry.mtime());
        xattrPolicy.skip(entry.name(), xattrs);
    }

    /** Hard links share the target's inode, owner and mode, so no attributes are applied here. */
    private void extractHardLink(TarReader.Entry entry, EntryPath path, Path target)
            throws ImageException, IOException {
        String name = entry.name();
        String linkName = entry.linkName();
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
        directories.ensureParents(entry.name(), path);
        try {
            Files.createLink(target, existingPath);
        } catch (FileAlreadyExistsException e) {
            removeExisting(target, path);
            Files.createLink(target, existingPath);
        }
    }

    /** Opened O_NONBLOCK for reading, which does not wait for a writer, to be finished on its descriptor. */
    private void extractFifo(TarReader.Entry entry, EntryPath path, Path target, long uid, long gid,
            Map<String, byte[]> xattrs) throws ImageException, IOException {
        requireNotRoot(entry, path);
        directories.ensureParents(entry.name(), path);
        try {
            NativeFiles.mkfifo(target);
        } catch (FileAlreadyExistsException e) {
            removeExisting(target, path);
            NativeFiles.mkfifo(target);
        }
        int fd = NativeFiles.open(target, NativeFiles.O_RDONLY | NativeFiles.O_NONBLOCK);
        FileFinisher.finishAndClose(fd, target, new FileFinisher.Attributes(uid, gid, entry.mode(), Map.of(), entry.mtime()));
        xattrPolicy.skip(entry.name(), xattrs);
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
        if (diff) {
            try {
                writeWhiteout(name, path, whiteout);
            } catch (IOException e) {
                throw new ImageException("cannot write whiteout " + Quoted.of(name) + " in " + root + ": "
                        + IoReason.of(e), e);
            }
            return;
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

    /** Diff mode: what the whiteout hides below becomes overlayfs's own marks in this layer's directory. */
    private void writeWhiteout(String name, EntryPath path, Whiteout whiteout) throws ImageException, IOException {
        if (whiteout.opaque()) {
            directories.ensureParents(name, path); // the opaque directory exists in this layer even if no entry lists it
            markWritten(new EntryPath(path.parent(), path.components().subList(0, path.components().size() - 1)));
            markOpaque(root.resolve(path.parent()));
            return;
        }
        String hidden = whiteout.hidden();
        Path target = root.resolve(hidden);
        if (written.contains(hidden)) {
            // This layer's own entry stays; a directory of it replaces the lower one whole.
            if (RealDirectories.isRealDirectory(target)) {
                markOpaque(target);
            }
            return;
        }
        if (lower == null || lower.find(ContainerPath.of("/" + hidden)) == null) {
            return; // nothing below to hide
        }
        if (!directories.parentsExist(path)) {
            Path parentBelow = lower.find(ContainerPath.of("/" + path.parent()));
            if (parentBelow == null || !Files.isDirectory(parentBelow, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return; // below a symlink or a file: a whiteout there removes nothing
            }
            directories.ensureParents(name, path);
        }
        if (RealDirectories.lstat(target) == null) {
            NativeFiles.whiteout(target);
            NativeFiles.lchown(target, shift.hostUid(0), shift.hostGid(0));
        }
        whitedOut.add(hidden);
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
        for (Map.Entry<String, TarReader.Entry> pending : pendingDirs.entrySet()) {
            Path dir = root.resolve(pending.getKey());
            TarReader.Entry entry = pending.getValue();
            try {
                int fd = NativeFiles.open(dir, NativeFiles.O_RDONLY | NativeFiles.O_DIRECTORY);
                try {
                    NativeFiles.fchmod(fd, entry.mode(), dir);
                    xattrPolicy.apply(fd, dir, entry.name(), entry.xattrs());
                    NativeFiles.futimens(fd, entry.mtime(), dir);
                } catch (ImageException | IOException | RuntimeException e) {
                    NativeFiles.closeQuietly(fd);
                    throw e;
                }
                NativeFiles.close(fd, dir);
            } catch (IOException e) {
                throw new ImageException("cannot set attributes of tar entry " + Quoted.of(entry.name())
                        + " at " + dir + ": " + IoReason.of(e), e);
            }
        }
        pendingDirs.clear();
    }

    private void requireNotRoot(TarReader.Entry entry, EntryPath path) throws ImageException {
        if (path.isRoot()) {
            throw refused(entry.name(), "only a directory may stand for the image root");
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

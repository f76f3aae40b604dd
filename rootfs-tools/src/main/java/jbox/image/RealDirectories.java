// Proves (and remembers) that an entry's parents are real directories, not symlinks, before anything is written.
package jbox.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import jbox.rootfs.ContainerPath;
import jbox.rootfs.LayerStack;

/**
 * Writing to root/a/b/c is only safe if a and a/b are directories: were either a symlink (planted
 * by an earlier entry), the kernel would follow it out of the root. Each ancestor is lstat'ed once
 * and remembered; since an ancestor is only remembered after its own ancestors, finding an entry's
 * direct parent in the set proves the whole chain, which keeps the common case free of syscalls.
 */
final class RealDirectories {

    private static final int IMPLICIT_DIR_MODE = 0755;

    private final Path root;
    private final long ownerUid;
    private final long ownerGid;
    /** Relative paths ("" is the root) proven to be real directories. */
    private final Set<String> known = new HashSet<>();
    /** The layers below, when {@code root} is one layer of a stack; null otherwise. */
    private final LayerStack lower;

    /** Directories the archive implies but does not list are created owned by {@code ownerUid:ownerGid}. */
    RealDirectories(Path root, long ownerUid, long ownerGid) {
        this(root, ownerUid, ownerGid, null);
    }

    /**
     * For one layer over {@code lower}: an implied directory takes the owner and mode the lower
     * layers give it (it would otherwise hide them in the merged tree), and a parent that is a
     * symlink below is refused as one in this layer would be.
     */
    RealDirectories(Path root, long ownerUid, long ownerGid, LayerStack lower) {
        this.root = root;
        this.ownerUid = ownerUid;
        this.ownerGid = ownerGid;
        this.lower = lower;
        known.add("");
    }

    /**
     * Makes every ancestor of {@code path} a real directory, creating missing ones; refuses the
     * entry if an ancestor is a symlink or some other non-directory.
     */
    void ensureParents(String entryName, EntryPath path) throws ImageException, IOException {
        if (known.contains(path.parent())) {
            return;
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < path.components().size() - 1; i++) {
            String relative = appendComponent(prefix, path, i);
            if (known.contains(relative)) {
                continue;
            }
            Path dir = root.resolve(relative);
            BasicFileAttributes attrs = lstat(dir);
            if (attrs == null) {
                createImplied(entryName, relative, dir);
            } else if (attrs.isSymbolicLink()) {
                throw LayerExtractor.refused(entryName, "parent " + Quoted.of(relative) + " is a symlink");
            } else if (!attrs.isDirectory()) {
                throw LayerExtractor.refused(entryName, "parent " + Quoted.of(relative) + " is not a directory");
            }
            known.add(relative);
        }
    }

    private void createImplied(String entryName, String relative, Path dir) throws ImageException, IOException {
        Path below = lower == null ? null : lower.find(ContainerPath.of("/" + relative));
        if (below != null && Files.isSymbolicLink(below)) {
            throw LayerExtractor.refused(entryName, "parent " + Quoted.of(relative) + " is a symlink in a lower layer");
        }
        Files.createDirectory(dir);
        if (below != null && Files.isDirectory(below, LinkOption.NOFOLLOW_LINKS)) {
            Map<String, Object> a = Files.readAttributes(below, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
            PosixAttributes.lchown(dir, Integer.toUnsignedLong((Integer) a.get("uid")),
                    Integer.toUnsignedLong((Integer) a.get("gid")));
            PosixAttributes.chmod(dir, (Integer) a.get("mode") & 07777);
        } else {
            PosixAttributes.lchown(dir, ownerUid, ownerGid);
            PosixAttributes.chmod(dir, IMPLICIT_DIR_MODE);
        }
    }

    /** Like {@link #ensureParents} but creates nothing: false if an ancestor is missing or not a real directory. */
    boolean parentsExist(EntryPath path) throws IOException {
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < path.components().size() - 1; i++) {
            String relative = appendComponent(prefix, path, i);
            if (!known.contains(relative) && !isRealDirectory(root.resolve(relative))) {
                return false;
            }
        }
        return true;
    }

    /** Records a directory the extractor created itself (its parents were ensured first). */
    void add(String relative) {
        known.add(relative);
    }

    /** The directory at {@code relative} was deleted or replaced: it and everything below it is unproven again. */
    void forgetTree(String relative) {
        String prefix = relative + "/";
        known.removeIf(dir -> dir.equals(relative) || dir.startsWith(prefix));
    }

    private static String appendComponent(StringBuilder prefix, EntryPath path, int index) {
        if (index > 0) {
            prefix.append('/');
        }
        return prefix.append(path.components().get(index)).toString();
    }

    /** lstat(2); null when nothing is there. */
    static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static boolean isRealDirectory(Path path) throws IOException {
        BasicFileAttributes attrs = lstat(path);
        return attrs != null && attrs.isDirectory();
    }
}

// Which extended attributes of an image reach the disk, and in what form.
package jbox.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code user.*} as they are (but {@code user.overlay.*}, which overlayfs obeys in a user namespace);
 * {@code security.capability} rewritten for the container's root
 * ({@link FileCapability}); everything else skipped and counted for the import's warning:
 * {@code trusted.*} (overlayfs obeys trusted.overlay.*), POSIX ACLs (their ids are not shifted),
 * SELinux labels (the host's policy, not the image's). Only files and directories take them: the
 * kernel refuses user.* on symlinks and FIFOs.
 */
final class XattrPolicy {
    private static final String USER = "user.";
    /** overlayfs obeys these in a user namespace (userxattr): only jbox's own layer store writes them. */
    private static final String USER_OVERLAY = "user.overlay.";

    private final long hostRoot;
    private final ImportWarnings warnings;

    /** @param hostRoot the host uid of the container's root (rootid of a file capability) */
    XattrPolicy(long hostRoot, ImportWarnings warnings) {
        this.hostRoot = hostRoot;
        this.warnings = warnings;
    }

    /** Sets what the policy allows on the open file or directory {@code fd}; call it after fchown (which drops caps). */
    void apply(int fd, Path target, String entryName, Map<String, byte[]> xattrs) throws ImageException, IOException {
        set(fd, target, allowed(entryName, xattrs));
    }

    /**
     * What of {@code xattrs} reaches the disk, as it is written there; the rest is counted for the
     * warning. A file capability that cannot be made the container root's refuses the entry.
     */
    Map<String, byte[]> allowed(String entryName, Map<String, byte[]> xattrs) throws ImageException {
        if (xattrs.isEmpty()) {
            return Map.of();
        }
        Map<String, byte[]> allowed = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> xattr : xattrs.entrySet()) {
            String name = xattr.getKey();
            if (name.startsWith(USER) && !name.startsWith(USER_OVERLAY)) {
                allowed.put(name, xattr.getValue());
            } else if (name.equals(FileCapability.XATTR)) {
                try {
                    allowed.put(name, FileCapability.forContainerRoot(xattr.getValue(), hostRoot));
                } catch (ImageException e) {
                    throw LayerExtractor.refused(entryName, e.getMessage());
                }
            } else {
                skipped(name, entryName);
            }
        }
        return allowed;
    }

    /** Sets {@code allowed} (from {@link #allowed}) on the open {@code fd}; after fchown, which drops caps. */
    static void set(int fd, Path target, Map<String, byte[]> allowed) throws IOException {
        for (Map.Entry<String, byte[]> xattr : allowed.entrySet()) {
            NativeFiles.fsetxattr(fd, xattr.getKey(), xattr.getValue(), target);
        }
    }

    /** Xattrs of an entry that takes none (a symlink, a FIFO): all counted as skipped. */
    void skip(String entryName, Map<String, byte[]> xattrs) {
        for (String name : xattrs.keySet()) {
            skipped(name, entryName);
        }
    }

    private void skipped(String name, String entryName) {
        warnings.skipped(ImportWarnings.XATTRS, Quoted.of(name) + " on " + Quoted.of(entryName));
    }
}

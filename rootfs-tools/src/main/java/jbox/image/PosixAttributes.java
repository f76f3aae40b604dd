// Sets owner, mode and mtime on a path without ever following a symlink at the last component.
package jbox.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;

/**
 * Thin wrappers over the JDK's "unix:" attribute view. With NOFOLLOW_LINKS the JDK uses lchown for
 * owners, an O_NOFOLLOW open plus fchmod for modes (all 12 bits, setuid included), and lutimes for
 * symlink times, so a symlink planted in an image can never redirect an attribute change to the host.
 */
final class PosixAttributes {

    private PosixAttributes() {
    }

    /** lchown(2). Call before {@link #chmod}: the kernel clears setuid/setgid on chown of a regular file. */
    static void lchown(Path path, long uid, long gid) throws IOException {
        // uid_t is unsigned 32-bit; the int cast keeps the bit pattern the kernel expects.
        Files.setAttribute(path, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
    }

    /** Sets all permission bits including 04000/02000/01000. Not for symlinks (Linux has no lchmod). */
    static void chmod(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
    }

    /** Sets mtime; atime gets the same value so the JDK need not stat the file to keep the old one. */
    static void setModifiedTime(Path path, FileTime mtime) throws IOException {
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(mtime, mtime, null);
    }
}

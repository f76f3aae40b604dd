package jbox.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeDeletionTest {
    @TempDir
    Path temp;

    /** Files, a FIFO, nested and unreadable directories go; what symlinks point at stays. */
    @Test
    void deletesTheTreeAndNothingItsLinksPointAt() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "keep");
        Path tree = Files.createDirectories(temp.resolve("tree"));
        Path deep = tree;
        for (int i = 0; i < 50; i++) {
            deep = Files.createDirectories(deep.resolve("d" + i));
            Files.writeString(deep.resolve("f"), "x");
        }
        Files.createSymbolicLink(tree.resolve("to-outside"), outside);
        Files.createSymbolicLink(tree.resolve("d0").resolve("to-keep"), outside.resolve("keep"));
        Files.createSymbolicLink(tree.resolve("dangling"), Path.of("/nonexistent"));
        assertEquals(0, new ProcessBuilder("mkfifo", tree.resolve("fifo").toString()).start().waitFor());
        Path locked = Files.createDirectories(tree.resolve("locked"));
        Files.writeString(locked.resolve("inside"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------")); // overlayfs's work/work

        TreeDeletion.delete(tree);

        assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep", Files.readString(outside.resolve("keep")));
    }

    /** A symlink as the path itself is removed, its target left alone; a missing path is nothing to do. */
    @Test
    void aLinkIsRemovedNotFollowedAndAMissingPathIsFine() throws Exception {
        Path target = Files.createDirectories(temp.resolve("target"));
        Files.writeString(target.resolve("f"), "f");
        Path link = Files.createSymbolicLink(temp.resolve("link"), target);
        TreeDeletion.delete(link);
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(target.resolve("f")));
        TreeDeletion.delete(temp.resolve("missing"));
        Path file = Files.writeString(temp.resolve("file"), "x");
        TreeDeletion.delete(file);
        assertFalse(Files.exists(file));
    }
}

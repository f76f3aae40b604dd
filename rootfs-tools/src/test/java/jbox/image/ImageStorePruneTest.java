package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed import leaves in the store is found and removed; a running import is left alone. */
class ImageStorePruneTest {
    @TempDir
    Path root;

    @Test
    void stagingOfAKilledImportIsRemovedWithItsLockFile() throws Exception {
        // A killed process leaves its lock file unlocked and its staging dir half-filled.
        Path dir = Files.createDirectories(root.resolve(".tmp-123/rootfs/bin"));
        Files.writeString(dir.resolve("sh"), "half");
        Files.createFile(root.resolve(".tmp-123.lock"));
        List<Path> removed = new ImageStore(root).pruneStaging();
        assertEquals(List.of(root.resolve(".tmp-123")), removed);
        assertFalse(Files.exists(root.resolve(".tmp-123")));
        assertFalse(Files.exists(root.resolve(".tmp-123.lock")));
    }

    @Test
    void aTempDirWithoutLockFileIsStale() throws Exception {
        Files.createDirectories(root.resolve(".tmp-rm-abc/rootfs"));
        assertEquals(List.of(root.resolve(".tmp-rm-abc")), new ImageStore(root).pruneStaging());
        assertFalse(Files.exists(root.resolve(".tmp-rm-abc")));
    }

    @Test
    void anImportInProgressIsKept() throws Exception {
        ImageStore store = new ImageStore(root);
        Path staging = store.createStaging();
        assertTrue(store.pruneStaging().isEmpty());
        assertTrue(new ImageStore(root).pruneStaging().isEmpty(), "another store object in this process sees the lock too");
        assertTrue(Files.isDirectory(staging));
        store.discard(staging, new RuntimeException("test"));
        assertFalse(Files.exists(staging));
        try (var s = Files.list(root)) {
            assertEquals(0, s.count(), "discard removes the lock file as well");
        }
    }

    @Test
    void imagesAreNeverPruned() throws Exception {
        Files.createDirectories(root.resolve("busybox/rootfs"));
        assertTrue(new ImageStore(root).pruneStaging().isEmpty());
        assertTrue(Files.isDirectory(root.resolve("busybox/rootfs")));
    }
}

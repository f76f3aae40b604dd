// Test layout: an image store next to an "outside" dir holding a sentinel that no import may touch.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

final class Sandbox {

    static final String SENTINEL_TEXT = "untouched";

    final Path storeRoot;
    final Path outside;
    final Path sentinel;
    final ImageStore store;

    Sandbox(Path tempDir) throws IOException {
        storeRoot = tempDir.resolve("store");
        outside = Files.createDirectories(tempDir.resolve("outside"));
        sentinel = Files.writeString(outside.resolve("sentinel"), SENTINEL_TEXT);
        store = new ImageStore(storeRoot);
    }

    /** The store's shared part (layers, their links, blobs, the lock file): not an image, not a leftover. */
    static final List<String> SHARED = List.of(".blobs", ".l", ".layers", ".store.lock");

    /** Store entries (including hidden temp dirs) by name, without the shared part. */
    List<String> storeEntries() throws IOException {
        if (!Files.exists(storeRoot)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(storeRoot)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !SHARED.contains(n)).sorted().toList();
        }
    }

    /** Layer directories in the store: after a failed import, the ones from before, no more. */
    List<String> layerDirs() throws IOException {
        Path dir = storeRoot.resolve(".layers");
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** After a failed import nothing may remain: no image dir and no .tmp-* staging dir. */
    void assertStoreEmpty() throws IOException {
        assertEquals(List.of(), storeEntries(), "store must be empty after a failed import");
        assertEquals(List.of(), layerDirs(), "no layer may be left by a failed import");
    }

    void assertOutsideUntouched() throws IOException {
        try (Stream<Path> entries = Files.list(outside)) {
            assertEquals(List.of("sentinel"), entries.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(true, Files.isRegularFile(sentinel, LinkOption.NOFOLLOW_LINKS));
        assertEquals(SENTINEL_TEXT, Files.readString(sentinel, StandardCharsets.UTF_8));
    }
}

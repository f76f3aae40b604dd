// Image names and tags, publish/get/list/remove, and the user-facing error messages of the store.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageStoreTest {

    @TempDir
    Path temp;

    private ImageStore store() {
        return new ImageStore(temp.resolve("images"));
    }

    private static ImageMeta meta(String name) {
        return new ImageMeta(name, List.of("/bin/sh"), List.of(), List.of("PATH=/bin"), "", "",
                "2024-01-01T00:00:00Z", 100000, 100000, "test");
    }

    /** Publishes an image with a one-file rootfs, the way the builders do. */
    private static void publish(ImageStore store, String name) throws Exception {
        Path staging = store.createStaging();
        Path rootfs = Files.createDirectory(ImageStore.stagingRootfs(staging));
        Files.writeString(rootfs.resolve("marker"), name);
        store.publish(staging, meta(ImageName.parse(name).canonical()));
    }

    @Test
    void latestTagIsTheDefault() throws Exception {
        assertEquals("busybox", ImageName.parse("busybox:latest").canonical());
        assertEquals("busybox", ImageName.parse("busybox").directoryName());
        assertEquals("alpine:3.19", ImageName.parse("alpine:3.19").canonical());
        assertEquals("alpine_3.19", ImageName.parse("alpine:3.19").directoryName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Busybox", "a//b", "a/", "/a", "../x", "a/../b", "a/.b", ".hidden", "-x", "a:", "a:b:c", "a:b/c", "a b"})
    void rejectsInvalidNames(String name) {
        ImageException error = assertThrows(ImageException.class, () -> ImageName.parse(name));

        assertTrue(error.getMessage().startsWith("invalid image name \"" + name + "\""), error.getMessage());
    }

    @Test
    void acceptsLongestNameAndTag() throws Exception {
        // 255 chars: the whole name's limit (docker's), which also keeps its directory name under NAME_MAX
        String name = "a".repeat(126) + ":" + "T".repeat(128);

        assertEquals(name, ImageName.parse(name).canonical());
        assertThrows(ImageException.class, () -> ImageName.parse("a".repeat(129)));
    }

    @Test
    void publishedImageCanBeFoundUnderBothSpellings() throws Exception {
        ImageStore store = store();
        publish(store, "busybox:latest");

        assertTrue(store.exists("busybox"));
        assertTrue(store.exists("busybox:latest"));
        assertEquals("busybox", store.get("busybox:latest").name());
        assertEquals(temp.resolve("images/busybox/rootfs"), store.rootfs("busybox"));
        assertEquals("busybox:latest", Files.readString(store.rootfs("busybox").resolve("marker")));
        assertEquals(0755, TarImporterTest.mode(temp.resolve("images/busybox")));
    }

    @Test
    void listIsSortedAndSkipsTempDirs() throws Exception {
        ImageStore store = store();
        publish(store, "zeta");
        publish(store, "alpha:2");
        publish(store, "alpha");
        Files.createDirectory(temp.resolve("images/.tmp-leftover"));
        Files.createDirectory(temp.resolve("images/not-an-image"));

        List<String> names = store.list().stream().map(ImageMeta::name).toList();

        assertEquals(List.of("alpha", "alpha:2", "zeta"), names);
    }

    @Test
    void listOfMissingStoreIsEmpty() throws Exception {
        assertEquals(List.of(), store().list());
    }

    @Test
    void removeDeletesTheImageWithoutFollowingSymlinks() throws Exception {
        ImageStore store = store();
        Path outside = Files.writeString(temp.resolve("keep-me"), "safe");
        Path staging = store.createStaging();
        Path rootfs = Files.createDirectory(ImageStore.stagingRootfs(staging));
        Files.createSymbolicLink(rootfs.resolve("escape"), temp);
        store.publish(staging, meta("victim"));

        store.remove("victim");

        assertFalse(store.exists("victim"));
        assertEquals("safe", Files.readString(outside));
        try (var entries = Files.list(temp.resolve("images"))) {
            assertEquals(List.of(".store.lock"), entries.map(p -> p.getFileName().toString()).toList(),
                    "no image dir and no leftover temp dir");
        }
    }

    @Test
    void brokenImageCanStillBeRemoved() throws Exception {
        ImageStore store = store();
        publish(store, "broken");
        Files.writeString(temp.resolve("images/broken/image.json"), "{truncated");

        assertThrows(ImageException.class, store::list);
        store.remove("broken");

        assertEquals(List.of(), store.list());
    }

    @Test
    void removeDoesNotTakeAnotherSpellingsImage() throws Exception {
        ImageStore store = store();
        publish(store, "a_b");

        assertThrows(ImageException.class, () -> store.remove("a:b"));

        assertTrue(store.exists("a_b"));
    }

    @Test
    void notFoundMessages() {
        ImageStore store = store();

        ImageException get = assertThrows(ImageException.class, () -> store.get("ghost:1"));
        ImageException remove = assertThrows(ImageException.class, () -> store.remove("ghost"));

        assertEquals("image not found: ghost:1 (try: jbox image ls)", get.getMessage());
        assertEquals("image not found: ghost (try: jbox image ls)", remove.getMessage());
    }

    @Test
    void publishingAnExistingNameFails() throws Exception {
        ImageStore store = store();
        publish(store, "dup");

        ImageException error = assertThrows(ImageException.class, () -> publish(store, "dup:latest"));

        assertEquals("image dup already exists (remove it with: jbox image rm dup)", error.getMessage());
    }

    @Test
    void colonAndUnderscoreSpellingsDoNotMasquerade() throws Exception {
        ImageStore store = store();
        publish(store, "a_b");

        assertFalse(store.exists("a:b"));
        assertThrows(ImageException.class, () -> store.get("a:b"));
        ImageException error = assertThrows(ImageException.class, () -> publish(store, "a:b"));
        assertTrue(error.getMessage().startsWith("image name a:b clashes with"), error.getMessage());
    }

    @Test
    void metadataRoundTripsAndToleratesOldOrNewFields() throws Exception {
        Path file = temp.resolve("image.json");
        ImageMeta original = meta("x:1");
        ImageMetaFile.write(file, original);
        assertEquals(original, ImageMetaFile.read(file));

        Path sparse = Files.writeString(temp.resolve("sparse.json"), "{\"name\":\"y\",\"futureField\":42}");
        ImageMeta read = ImageMetaFile.read(sparse);
        assertEquals("y", read.name());
        assertEquals(List.of(), read.cmd());
        assertEquals("", read.workingDir());
    }

    @Test
    void wronglyTypedMetadataIsReportedWithTheField() throws IOException {
        Path file = Files.writeString(temp.resolve("image.json"), "{\"name\":\"x\",\"cmd\":\"/bin/sh\"}");

        ImageException error = assertThrows(ImageException.class, () -> ImageMetaFile.read(file));

        assertEquals("cannot read image metadata " + file + ": field cmd must be a list of strings",
                error.getMessage());
    }

    @Test
    void metadataWithoutNameIsRejected() throws IOException {
        Path file = Files.writeString(temp.resolve("image.json"), "{\"cmd\":[]}");

        ImageException error = assertThrows(ImageException.class, () -> ImageMetaFile.read(file));

        assertEquals("image metadata " + file + " has no image name", error.getMessage());
    }

    @Test
    void corruptMetadataIsReportedWithItsPath() throws IOException {
        Path file = Files.writeString(temp.resolve("image.json"), "{not json");

        ImageException error = assertThrows(ImageException.class, () -> ImageMetaFile.read(file));

        assertTrue(error.getMessage().startsWith("cannot parse image metadata " + file + ": "), error.getMessage());
    }
}

package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import jbox.rootfs.ContainerPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's shared layers: unpacked once, stacked top first, kept while any image names them. */
class LayerSharingTest {
    private static final IdShift SHIFT = new IdShift(100000, 100000, 65536);
    private static final TarFixture BASE = new TarFixture().dir("etc/").file("etc/base", "base\n")
            .file("etc/gone", "gone\n");

    @TempDir
    Path temp;
    Sandbox sandbox;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = new Sandbox(temp);
    }

    private ImageMeta importLayout(String name, OciFixture image) throws Exception {
        Path layout = image.writeLayout(temp.resolve("layout-" + name), name).dir();
        return new ImageImporter().importImage(sandbox.store, name, layout, null, SHIFT, ProgressListener.NONE);
    }

    private static OciFixture withTop(String file) {
        return new OciFixture().layer(BASE)
                .layer(new TarFixture().dir("etc/").file("etc/" + file, file + "\n").file("etc/.wh.gone", ""));
    }

    @Test
    void twoImagesWithOneBaseUnpackItOnceAndStackTheirLayersTopFirst() throws Exception {
        ImageMeta a = importLayout("a", withTop("a"));
        ImageMeta b = importLayout("b", withTop("b"));

        assertEquals(a.layers().get(0), b.layers().get(0));
        assertEquals(3, sandbox.layerDirs().size(), "base once, and one top layer each");
        List<Path> lower = sandbox.store.lowerDirs(a);
        assertEquals(2, lower.size());
        assertEquals(lower.get(1), sandbox.store.lowerDirs(b).get(1), "the same base directory");
        assertTrue(lower.get(0).toString().length() < 60, "short link paths: " + lower.get(0));
        assertEquals(sandbox.storeRoot.resolve(".layers").resolve(LayerKey.of(a.layers().get(1), a).dirName())
                .resolve("diff").toRealPath(), lower.get(0).toRealPath(), "top first");
        // the deletion is an overlayfs whiteout in the top layer, and the merged view hides the file
        assertTrue(jbox.rootfs.LayerStack.isWhiteout(lower.get(0).resolve("etc/gone")));
        assertEquals(null, sandbox.store.layers(a).find(ContainerPath.of("/etc/gone")));
        assertTrue(Files.exists(sandbox.store.layers(a).find(ContainerPath.of("/etc/base"))));
    }

    @Test
    void removingAnImageKeepsTheLayersAnotherImageNamesAndDropsItsOwn() throws Exception {
        ImageMeta a = importLayout("a", withTop("a"));
        ImageMeta b = importLayout("b", withTop("b"));
        String top = LayerKey.of(a.layers().get(1), a).dirName();

        List<String> removed = sandbox.store.remove("a");

        assertEquals(List.of(a.layers().get(1)), removed);
        assertFalse(sandbox.layerDirs().contains(top));
        assertEquals(2, sandbox.layerDirs().size());
        for (Path dir : sandbox.store.lowerDirs(sandbox.store.get("b"))) {
            assertTrue(Files.isDirectory(dir), dir + " of b must stay");
        }
        sandbox.store.remove("b");
        assertEquals(List.of(), sandbox.layerDirs());
        try (var links = Files.list(sandbox.storeRoot.resolve(".l"))) {
            assertEquals(0, links.count(), "no link is left pointing nowhere");
        }
    }

    @Test
    void layersNoImageNamesArePrunedAndNamedOnesNever() throws Exception {
        importLayout("a", withTop("a"));
        Path stray = Files.createDirectories(sandbox.storeRoot.resolve(".layers")
                .resolve("a".repeat(64) + "-100000-100000/diff"));

        assertEquals(List.of("sha256:" + "a".repeat(64)), sandbox.store.pruneLayers());
        assertFalse(Files.exists(stray));
        assertEquals(2, sandbox.layerDirs().size());
    }

    @Test
    void anImageWhoseLayerIsGoneFailsNamingTheLayer() throws Exception {
        ImageMeta a = importLayout("a", withTop("a"));
        jbox.rootfs.TreeDeletion.delete(sandbox.storeRoot.resolve(".layers")
                .resolve(LayerKey.of(a.layers().get(0), a).dirName()));

        ImageException e = assertThrows(ImageException.class, () -> sandbox.store.lowerDirs(a));
        assertTrue(e.getMessage().contains("is missing its layer " + a.layers().get(0)), e.getMessage());
    }

    @Test
    void anOlderFormatImageIsReadAsOneDirectoryAndMigratedToALayerInPlace() throws Exception {
        Path staging = sandbox.store.createStaging();
        Path rootfs = Files.createDirectories(ImageStore.stagingRootfs(staging).resolve("etc"));
        Files.writeString(rootfs.resolve("old"), "old\n");
        sandbox.store.publish(staging, new ImageMeta("old", List.of("/bin/sh"), List.of(), List.of(), "", "", "",
                0, 0, "test"));
        ImageMeta old = sandbox.store.get("old");
        assertFalse(old.layered());
        assertEquals(List.of(sandbox.storeRoot.resolve("old/rootfs")), sandbox.store.lowerDirs(old));

        ImageMeta migrated = sandbox.store.migrate(old);

        assertTrue(migrated.layered());
        assertEquals(migrated, sandbox.store.get("old"), "image.json names the layer now");
        assertFalse(Files.exists(sandbox.storeRoot.resolve("old/rootfs"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("old\n", Files.readString(sandbox.store.rootfs(migrated).resolve("etc/old")));
        assertEquals(List.of(sandbox.storeRoot.resolve(".l").resolve(LayerKey.of(migrated.layers().get(0),
                migrated).linkId())), sandbox.store.lowerDirs(migrated));
        assertEquals(migrated, sandbox.store.migrate(migrated), "a layered image stays as it is");
    }

    @Test
    void replacingAnImageDropsTheLayersOnlyItHad() throws Exception {
        importLayout("a", withTop("a"));
        Path tar = new TarFixture().file("x", "x").writeTo(temp.resolve("x.tar"));
        Path staging = sandbox.store.createStaging();
        Path layer = sandbox.store.newStagingLayer(staging);
        Digest diffId = TarImporter.extract(ImageStore.diffOf(layer), tar, Files.size(tar), SHIFT,
                ProgressListener.NONE, ImportLimits.NONE.budget());
        ImageMeta replacement = TarImporter.rootfsLayer(sandbox.store, staging, layer, ImageName.parse("a"), SHIFT,
                tar, diffId);

        sandbox.store.publish(staging, replacement, true);

        assertEquals(List.of(LayerKey.of(diffId, SHIFT).dirName()), sandbox.layerDirs());
    }
}

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
import jbox.rootfs.LayerStack;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COPY and WORKDIR as a layer: sources inside the context, destinations inside the image. */
class BuildLayerTest {
    private static final IdShift SHIFT = new IdShift(100000, 100000, 65536);

    @TempDir
    Path temp;
    Sandbox sandbox;
    Path context;
    ImageMeta base;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = new Sandbox(temp);
        TarFixture tree = new TarFixture().dir("etc/").file("etc/base", "base\n").dir("srv/", 0750, 7, 8)
                .symlink("data", "/srv").dir("tmp/", 01777, 0, 0);
        Path layout = new OciFixture().layer(tree).config("Env", List.of("PATH=/bin"))
                .config("ExposedPorts", java.util.Map.of("80/tcp", java.util.Map.of()))
                .writeLayout(temp.resolve("layout"), "base").dir();
        base = new ImageImporter().importImage(sandbox.store, "base", layout, null, SHIFT, ProgressListener.NONE);
        context = Files.createDirectories(temp.resolve("ctx"));
        Files.writeString(context.resolve("a.txt"), "a\n");
        Files.setAttribute(context.resolve("a.txt"), "unix:mode", 04750);
        Files.createDirectories(context.resolve("dir/sub"));
        Files.writeString(context.resolve("dir/sub/b.txt"), "b\n");
        Files.createSymbolicLink(context.resolve("dir/up"), Path.of("../../elsewhere"));
        Files.writeString(temp.resolve("elsewhere"), "secret\n");
        Files.createSymbolicLink(context.resolve("escape"), Path.of("/a.txt")); // names the context's a.txt
    }

    private ImageMeta commit(BuildLayer l, String name) throws Exception {
        return l.commit(name, "test", ImageCommit.Defaults.KEEP);
    }

    private Path find(ImageMeta image, String path) throws Exception {
        return sandbox.store.layers(image).find(ContainerPath.of(path));
    }

    @Test
    void aFileAndADirectorysContentsLandThroughTheImagesSymlinkWithParentsAsTheImageHasThem() throws Exception {
        ImageMeta made;
        try (BuildLayer l = BuildLayer.on(sandbox.store, base)) {
            l.copy(context, List.of("a.txt"), "/data/a.txt");
            l.copy(context, List.of("dir"), "/data/d/");
            made = commit(l, "made");
        }
        Path a = find(made, "/srv/a.txt");
        assertEquals("a\n", Files.readString(a));
        assertEquals(100000, Files.getAttribute(a, "unix:uid"), "the container's root");
        assertEquals(0750, (Integer) Files.getAttribute(a, "unix:mode") & 07777, "setuid dropped, as jbox cp");
        Path srv = sandbox.store.lowerDirs(made).get(0).resolve("srv");
        assertEquals(0750, (Integer) Files.getAttribute(srv, "unix:mode") & 07777, "the image's /srv, unchanged");
        assertEquals(100007, Files.getAttribute(srv, "unix:uid"));
        assertEquals("b\n", Files.readString(find(made, "/srv/d/sub/b.txt")));
        Path up = find(made, "/srv/d/up");
        assertTrue(Files.isSymbolicLink(up), "a link below a copied directory stays a link");
        assertEquals(Path.of("../../elsewhere"), Files.readSymbolicLink(up));
        assertTrue(Files.isSymbolicLink(find(made, "/data")), "the image's link is not replaced");
        assertTrue(Files.exists(sandbox.store.layers(made).find(ContainerPath.of("/etc/base"))));
    }

    @Test
    void aFileGoesIntoAnExistingDirectoryAndKeepsTheStickyBitOfItsParent() throws Exception {
        ImageMeta made;
        try (BuildLayer l = BuildLayer.on(sandbox.store, base)) {
            l.copy(context, List.of("a.txt"), "/tmp");
            made = commit(l, "made");
        }
        assertEquals("a\n", Files.readString(find(made, "/tmp/a.txt")));
        assertEquals(01777, (Integer) Files.getAttribute(find(made, "/tmp"), "unix:mode") & 07777);
    }

    @Test
    void sourcesStayInsideTheContext() throws Exception {
        ImageException e = assertThrows(ImageException.class, () -> BuildLayer.inContext(context, "../elsewhere"));
        assertEquals("cannot COPY ../elsewhere: it is outside the build context " + context, e.getMessage());
        assertThrows(ImageException.class, () -> BuildLayer.inContext(context, "dir/../../elsewhere"));
        assertEquals(context.resolve("a.txt"), BuildLayer.inContext(context, "escape"), "an absolute link restarts at the context");
        assertEquals(context.resolve("a.txt"), BuildLayer.inContext(context, "/a.txt"));
        assertEquals(context, BuildLayer.inContext(context, "."));
        ImageException missing = assertThrows(ImageException.class, () -> BuildLayer.inContext(context, "dir/up"));
        assertTrue(missing.getMessage().contains("no such file or directory in the build context"), missing.getMessage());
    }

    @Test
    void workdirIsMadeOnlyWhenMissingAndAFileOnTheWayFails() throws Exception {
        try (BuildLayer l = BuildLayer.on(sandbox.store, base)) {
            l.mkdirs("/etc");
            assertFalse(l.changed(), "the image has /etc");
            l.mkdirs("/data/app/work");
            assertTrue(l.changed());
            ImageMeta made = commit(l, "made");
            Path work = find(made, "/srv/app/work");
            assertTrue(Files.isDirectory(work, LinkOption.NOFOLLOW_LINKS));
            assertEquals(0755, (Integer) Files.getAttribute(work, "unix:mode") & 07777);
            assertFalse(LayerStack.isWhiteout(work));
        }
        try (BuildLayer l = BuildLayer.on(sandbox.store, base)) {
            ImageException e = assertThrows(ImageException.class, () -> l.mkdirs("/etc/base/x"));
            assertTrue(e.getMessage().contains("/etc/base is not a directory in the image"), e.getMessage());
        }
        assertEquals(List.of(), sandbox.storeEntries().stream().filter(n -> n.startsWith(".tmp-")).toList(),
                "no staging dir stays");
    }

    @Test
    void aLayerThenNewRunDefaultsKeepTheBasesOtherSettings() throws Exception {
        ImageMeta layered;
        try (BuildLayer l = BuildLayer.on(sandbox.store, base)) {
            l.copy(context, List.of("a.txt"), "/a.txt");
            layered = l.commit("step", "COPY a.txt /a.txt", new ImageCommit.Defaults(null, null,
                    List.of("PATH=/bin", "A=1"), null, null));
        }
        ImageMeta done = new ImageCommit().configure(sandbox.store, layered, "done", "jbox build",
                new ImageCommit.Defaults(List.of("run"), List.of(), List.of("PATH=/bin", "A=2"), "/w", "1000"));
        sandbox.store.remove("step");

        assertEquals(layered.layers(), done.layers(), "no layer of its own");
        assertEquals(List.of("80/tcp"), done.exposedPorts());
        assertEquals(List.of("run"), done.cmd());
        assertEquals(List.of(), done.entrypoint());
        assertEquals("1000", done.user());
        com.fasterxml.jackson.databind.JsonNode config = ImageConfig.JSON.readTree(
                Files.readAllBytes(sandbox.store.blob(Digest.parse(done.configDigest(), "config"))));
        assertTrue(config.path("config").path("ExposedPorts").has("80/tcp"), config.toString());
        assertEquals("[\"PATH=/bin\",\"A=2\"]", config.path("config").path("Env").toString());
        assertFalse(config.path("config").has("Entrypoint"), config.toString());
        assertEquals("/w", config.path("config").path("WorkingDir").asText());
        com.fasterxml.jackson.databind.JsonNode last = config.path("history").get(config.path("history").size() - 1);
        assertTrue(last.path("empty_layer").asBoolean(), last.toString());
        assertEquals(2, config.path("rootfs").path("diff_ids").size());
        assertEquals("", done.digest(), "an imported base keeps no manifest, so neither does what is made on it");
        String kept = new String(sandbox.store.configFile(done), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(kept.contains("\"created_by\":\"COPY a.txt /a.txt\""), "for image history: " + kept);
    }
}

// Importing OCI layouts and docker-archives: layer order, whiteouts, digest checks, choosing among images.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import jbox.rootfs.ContainerPath;
import jbox.rootfs.LayerStack;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageArchiveImportTest {

    private static final IdShift SHIFT = new IdShift(100000, 100000, 65536);

    @TempDir
    Path temp;
    private Sandbox sandbox;

    @BeforeEach
    void setUp() throws IOException {
        sandbox = new Sandbox(temp);
    }

    /** Lower layer: a tree; upper layer: deletes a file and a dir, makes one dir opaque, adds files. */
    private static OciFixture twoLayers() {
        TarFixture lower = new TarFixture()
                .dir("etc/").file("etc/keep", "lower keep\n").file("etc/gone", "lower gone\n")
                .dir("etc/sub/").file("etc/sub/deep", "lower deep\n")
                .dir("opt/").file("opt/a", "lower a\n").dir("opt/inner/").file("opt/inner/b", "lower b\n")
                .dir("var/").file("var/log", "lower log\n")
                .symlink("link", "etc/keep");
        TarFixture upper = new TarFixture()
                .file("etc/.wh.gone", "")
                .file("etc/.wh.sub", "")
                .dir("opt/")
                .file("opt/new", "upper new\n") // same layer, before the opaque marker: kept
                .file("opt/.wh..wh..opq", "")
                .dir("opt/inner/").file("opt/inner/c", "upper c\n") // after the marker: kept too
                .file(".wh.link", "")
                .file("link", "now a file\n")
                .file("var/.wh..wh.plnk", "") // aufs bookkeeping: skipped
                .file("etc/added", "upper added\n", 0600, 1000, 1000);
        return new OciFixture().layer(lower).layer(upper);
    }

    private static final List<String> TWO_LAYERS_TREE = List.of(
            "d etc", "f etc/added=upper added\n", "f etc/keep=lower keep\n",
            "f link=now a file\n",
            "d opt", "d opt/inner", "f opt/inner/c=upper c\n", "f opt/new=upper new\n",
            "d var", "f var/log=lower log\n");

    @Test
    void layersApplyInOrderWithWhiteoutsAndOpaqueDirectories() throws Exception {
        OciFixture.Written layout = twoLayers()
                .config("Env", List.of("PATH=/bin", "GREETING=hi"))
                .config("Entrypoint", List.of("/bin/echo"))
                .config("Cmd", List.of("hello"))
                .config("WorkingDir", "/opt")
                .config("User", "1000:1000")
                .config("ExposedPorts", java.util.Map.of("80/tcp", java.util.Map.of()))
                .writeLayout(temp.resolve("layout"), "v1");

        ImageMeta meta = importImage("two", layout.dir(), null);
        assertEquals(List.of("80/tcp"), meta.exposedPorts(), "for run -P; the equality below checks image.json keeps it");

        assertEquals(TWO_LAYERS_TREE, merged("two"));
        assertEquals(List.of("/bin/echo"), meta.entrypoint());
        assertEquals(List.of("hello"), meta.cmd());
        assertEquals(List.of("PATH=/bin", "GREETING=hi"), meta.env());
        assertEquals("/opt", meta.workingDir());
        assertEquals("1000:1000", meta.user());
        assertEquals(layout.manifestDigest(), meta.digest());
        assertEquals(layout.configDigest(), meta.configDigest());
        assertEquals(meta, sandbox.store.get("two"), "image.json round-trips the digests");
        Path added = inImage("two", "etc/added");
        assertEquals(101000, Files.getAttribute(added, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of("two"), sandbox.storeEntries());
    }

    @Test
    void anOciLayoutPackedInATarImportsTheSame() throws Exception {
        OciFixture.Written layout = twoLayers().writeLayout(temp.resolve("layout"), "v1");
        Path tar = temp.resolve("layout.tar");
        TarFixture packed = new TarFixture();
        try (Stream<Path> files = Files.walk(layout.dir())) {
            for (Path f : files.sorted().toList()) {
                String rel = layout.dir().relativize(f).toString();
                if (Files.isDirectory(f) && !rel.isEmpty()) {
                    packed.dir(rel + "/");
                } else if (Files.isRegularFile(f)) {
                    packed.file(rel, Files.readAllBytes(f), 0644, 0, 0);
                }
            }
        }
        packed.writeTo(tar, TarFixture.Compression.GZIP);

        importImage("packed", tar, "v1");

        assertEquals(TWO_LAYERS_TREE, merged("packed"));
        assertEquals(List.of("packed"), sandbox.storeEntries(), "the unpacked archive is not kept");
    }

    @Test
    void aDockerArchiveImportsWithItsConfig() throws Exception {
        OciFixture.Written archive = twoLayers().config("Cmd", List.of("/bin/sh"))
                .writeDockerArchive(temp.resolve("docker"), "localhost/two:latest");

        ImageMeta meta = importImage("docker", archive.dir(), "two:latest");

        assertEquals(TWO_LAYERS_TREE, merged("docker"));
        assertEquals(List.of("/bin/sh"), meta.cmd());
        assertEquals(archive.configDigest(), meta.configDigest());
        assertEquals("", meta.digest());
    }

    @Test
    void aTamperedLayerBlobFailsNamingBothDigestsAndLeavesNothing() throws Exception {
        OciFixture.Written layout = twoLayers().writeLayout(temp.resolve("layout"), "v1");
        Path blob = layout.blob(layout.layerDigests().get(1));
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        Files.write(blob, bytes);
        String actual = Digest.of(bytes).toString();

        ImageException e = assertThrows(ImageException.class, () -> importImage("bad", layout.dir(), null));

        assertEquals("layer 2 blobs/sha256/" + layout.layerDigests().get(1).substring(7)
                + " does not match its digest: expected " + layout.layerDigests().get(1) + ", got " + actual,
                e.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void aTamperedConfigOrManifestFails() throws Exception {
        OciFixture.Written layout = twoLayers().writeLayout(temp.resolve("layout"), "v1");
        Files.writeString(layout.blob(layout.configDigest()), "{}");
        ImageException e = assertThrows(ImageException.class, () -> importImage("bad", layout.dir(), null));
        assertTrue(e.getMessage().startsWith("config blobs/sha256/" + layout.configDigest().substring(7)
                + " does not match its digest: expected " + layout.configDigest() + ", got sha256:"), e.getMessage());
        sandbox.assertStoreEmpty();

        Files.writeString(layout.blob(layout.manifestDigest()), "{}");
        e = assertThrows(ImageException.class, () -> importImage("bad", layout.dir(), null));
        assertTrue(e.getMessage().startsWith("manifest blobs/sha256/"), e.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void aBlobOfTheWrongSizeFails() throws Exception {
        OciFixture.Written layout = twoLayers().writeLayout(temp.resolve("layout"), "v1");
        ObjectNode index = (ObjectNode) OciFixture.JSON.readTree(layout.dir().resolve("index.json").toFile());
        ((ObjectNode) index.get("manifests").get(0)).put("size", 3);
        OciFixture.JSON.writeValue(layout.dir().resolve("index.json").toFile(), index);

        ImageException e = assertThrows(ImageException.class, () -> importImage("bad", layout.dir(), null));

        assertTrue(e.getMessage().contains("its descriptor says 3"), e.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void aDockerLayerThatDoesNotMatchItsDiffIdFails() throws Exception {
        OciFixture.Written archive = twoLayers().writeDockerArchive(temp.resolve("docker"), "two:latest");
        new TarFixture().file("etc/keep", "swapped\n").writeTo(archive.dir().resolve("layer0/layer.tar"));

        ImageException e = assertThrows(ImageException.class, () -> importImage("bad", archive.dir(), null));

        assertTrue(e.getMessage().startsWith("layer 1 (uncompressed) layer0/layer.tar does not match its digest"),
                e.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void aLayerCannotEscapeThroughALowerLayersSymlink() throws Exception {
        OciFixture.Written layout = new OciFixture()
                .layer(new TarFixture().symlink("out", sandbox.outside.toString()))
                .layer(new TarFixture().file("out/sentinel", "overwritten"))
                .writeLayout(temp.resolve("layout"), "v1");

        ImageException e = assertThrows(ImageException.class, () -> importImage("evil", layout.dir(), null));

        assertTrue(e.getMessage().contains("parent \"out\" is a symlink"), e.getMessage());
        sandbox.assertStoreEmpty();
        sandbox.assertOutsideUntouched();
    }

    @Test
    void aWhiteoutNeverDeletesThroughASymlink() throws Exception {
        OciFixture.Written layout = new OciFixture()
                .layer(new TarFixture().symlink("out", sandbox.outside.toString()))
                .layer(new TarFixture().file("out/.wh.sentinel", "").file("out/.wh..wh..opq", ""))
                .writeLayout(temp.resolve("layout"), "v1");

        assertThrows(ImageException.class, () -> importImage("evil", layout.dir(), null));

        sandbox.assertStoreEmpty();
        sandbox.assertOutsideUntouched();
    }

    @Test
    void zstdLayersImportLikeGzipOnesAndAreCheckedByDigestAndDiffId() throws Exception {
        OciFixture.Written layout = new OciFixture()
                .layer(new TarFixture().dir("etc/").file("etc/msg", "from zstd\n").file("etc/gone", "x"),
                        TarFixture.Compression.ZSTD, LayerApplier.OCI_LAYER_ZSTD)
                .layer(new TarFixture().file("etc/.wh.gone", "").file("etc/more", "non-distributable\n"),
                        TarFixture.Compression.ZSTD, "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd")
                .layer(new TarFixture().file("etc/top", "gzip on top\n"))
                .writeLayout(temp.resolve("layout"), "v1");
        Path blob = layout.blob(layout.layerDigests().get(0));
        byte[] good = Files.readAllBytes(blob);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        Files.write(blob, bad);

        ImageException e = assertThrows(ImageException.class, () -> importImage("bad", layout.dir(), null));
        assertEquals("layer 1 blobs/sha256/" + layout.layerDigests().get(0).substring(7)
                + " does not match its digest: expected " + layout.layerDigests().get(0) + ", got "
                + Digest.of(bad), e.getMessage());
        sandbox.assertStoreEmpty();

        Files.write(blob, good);
        ImageMeta meta = importImage("z", layout.dir(), null);

        assertEquals(List.of("d etc", "f etc/more=non-distributable\n", "f etc/msg=from zstd\n",
                "f etc/top=gzip on top\n"), merged("z"));
        assertEquals(layout.manifestDigest(), meta.digest());
        assertEquals(100000, Files.getAttribute(inImage("z", "etc/msg"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aZstdMediaTypeOnGzipBytesIsOneLineAndLeavesNothing() throws Exception {
        OciFixture.Written layout = new OciFixture()
                .layer(new TarFixture().file("a", "x"), TarFixture.Compression.GZIP, LayerApplier.OCI_LAYER_ZSTD)
                .writeLayout(temp.resolve("layout"), "v1");

        ImageException e = assertThrows(ImageException.class, () -> importImage("z", layout.dir(), null));

        assertEquals("layer 1 blobs/sha256/" + layout.layerDigests().get(0).substring(7) + " has media type "
                + LayerApplier.OCI_LAYER_ZSTD + " but is not zstd-compressed (it is gzip-compressed)", e.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void zstdBytesUnderAGzipMediaTypeAreRefused() throws Exception {
        OciFixture.Written layout = new OciFixture()
                .layer(new TarFixture().file("a", "x"), TarFixture.Compression.ZSTD, OciLayoutReader.OCI_LAYER_GZIP)
                .writeLayout(temp.resolve("layout"), "v1");

        ImageException e = assertThrows(ImageException.class, () -> importImage("z", layout.dir(), null));

        assertEquals("layer 1 blobs/sha256/" + layout.layerDigests().get(0).substring(7)
                + " is zstd-compressed but has media type " + OciLayoutReader.OCI_LAYER_GZIP, e.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void refChoosesAmongSeveralImagesAndIsRequiredWithoutOne() throws Exception {
        OciFixture.Written first = new OciFixture().layer(new TarFixture().file("which", "first"))
                .writeLayout(temp.resolve("layout"), "first");
        OciFixture.Written second = new OciFixture().layer(new TarFixture().file("which", "second"))
                .writeLayout(temp.resolve("second"), "second");
        // Merge the second image into the first layout: blobs and index entry.
        try (Stream<Path> blobs = Files.list(second.dir().resolve("blobs/sha256"))) {
            for (Path b : blobs.toList()) {
                Files.copy(b, first.dir().resolve("blobs/sha256").resolve(b.getFileName()));
            }
        }
        ObjectNode index = (ObjectNode) OciFixture.JSON.readTree(first.dir().resolve("index.json").toFile());
        ObjectNode other = (ObjectNode) OciFixture.JSON.readTree(second.dir().resolve("index.json").toFile());
        ((com.fasterxml.jackson.databind.node.ArrayNode) index.get("manifests")).add(other.get("manifests").get(0));
        OciFixture.JSON.writeValue(first.dir().resolve("index.json").toFile(), index);

        ImageException e = assertThrows(ImageException.class, () -> importImage("x", first.dir(), null));
        assertTrue(e.getMessage().contains("holds 2 images: choose one with --ref (refs: first, second)"), e.getMessage());
        e = assertThrows(ImageException.class, () -> importImage("x", first.dir(), "third"));
        assertTrue(e.getMessage().startsWith("no image named \"third\""), e.getMessage());

        importImage("x", first.dir(), "second");
        assertEquals("second", Files.readString(inImage("x", "which")));
    }

    @Test
    void aNestedIndexPicksThisPlatform() throws Exception {
        OciFixture.Written layout = new OciFixture().layer(new TarFixture().file("which", "mine"))
                .writeLayout(temp.resolve("layout"), "v1");
        ObjectNode index = (ObjectNode) OciFixture.JSON.readTree(layout.dir().resolve("index.json").toFile());
        ObjectNode mine = (ObjectNode) index.get("manifests").get(0).deepCopy();
        mine.remove("annotations");
        mine.putObject("platform").put("os", "linux").put("architecture", HostPlatform.architecture());
        ObjectNode foreign = mine.deepCopy();
        foreign.put("digest", "sha256:" + "0".repeat(64)); // never read: another platform
        foreign.putObject("platform").put("os", "linux").put("architecture", "s390x");
        ObjectNode nested = OciFixture.JSON.createObjectNode().put("schemaVersion", 2);
        nested.putArray("manifests").add(foreign).add(mine);
        byte[] nestedBytes = OciFixture.JSON.writeValueAsBytes(nested);
        String nestedDigest = OciFixture.putBlob(layout.dir(), nestedBytes);
        ObjectNode top = OciFixture.descriptor(OciLayoutReader.OCI_INDEX, nestedDigest, nestedBytes.length);
        top.putObject("annotations").put(Descriptor.REF_NAME, "multi");
        index.putArray("manifests").add(top);
        OciFixture.JSON.writeValue(layout.dir().resolve("index.json").toFile(), index);

        ImageMeta meta = importImage("multi", layout.dir(), "multi");

        assertEquals("mine", Files.readString(inImage("multi", "which")));
        assertEquals(layout.manifestDigest(), meta.digest());
    }

    @Test
    void aUserNameIsResolvedInTheImagesPasswd() throws Exception {
        OciFixture.Written layout = new OciFixture()
                .layer(new TarFixture().file("etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1234:99::/:/bin/sh\n")
                        .file("etc/group", "root:x:0:\nstaff:x:50:\n"))
                .config("User", "app")
                .writeLayout(temp.resolve("layout"), "v1");
        assertEquals("1234:99", importImage("u1", layout.dir(), null).user());
        assertEquals("1234:50", ImageUser.numeric("app:staff", sandbox.store.layers(sandbox.store.get("u1"))));
        assertEquals("ghost", ImageUser.numeric("ghost", sandbox.store.layers(sandbox.store.get("u1"))), "unknown names stay for run to refuse");
    }

    @Test
    void aDirectoryThatIsNoImageIsRefused() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("empty"));
        ImageException e = assertThrows(ImageException.class, () -> importImage("x", dir, null));
        assertTrue(e.getMessage().contains("is neither an OCI image layout"), e.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void aRefOnARootfsTarballIsRefused() throws Exception {
        Path tar = new TarFixture().file("bin/x", "x").writeTo(temp.resolve("rootfs.tar"));
        ImageException e = assertThrows(ImageException.class, () -> importImage("x", tar, "v1"));
        assertTrue(e.getMessage().contains("is a rootfs tarball"), e.getMessage());
        sandbox.assertStoreEmpty();
    }

    private ImageMeta importImage(String name, Path source, String ref) throws ImageException {
        return new ImageImporter().importImage(sandbox.store, name, source, ref, SHIFT, ProgressListener.NONE);
    }

    /** Every path under root, sorted: "d dir", "f file=content", "l link->target". */
    /** The image's tree as overlayfs will show it, in the form of {@link #tree(Path)}. */
    List<String> merged(String image) throws Exception {
        return tree(sandbox.store.layers(sandbox.store.get(image)));
    }

    /** Where a path of the image is on the host: in the topmost layer that has it. */
    Path inImage(String image, String path) throws Exception {
        return sandbox.store.layers(sandbox.store.get(image)).find(ContainerPath.of("/" + path));
    }

    static List<String> tree(LayerStack stack) throws IOException {
        List<Path> rels = new java.util.ArrayList<>();
        walk(stack, ContainerPath.ROOT, Path.of(""), rels);
        java.util.Collections.sort(rels);
        List<String> out = new java.util.ArrayList<>();
        for (Path rel : rels) {
            Path p = stack.find(ContainerPath.of("/" + rel));
            if (Files.isSymbolicLink(p)) {
                out.add("l " + rel + "->" + Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add("d " + rel);
            } else {
                out.add("f " + rel + "=" + Files.readString(p));
            }
        }
        return out;
    }

    private static void walk(LayerStack stack, ContainerPath dir, Path rel, List<Path> out) throws IOException {
        for (String name : stack.list(dir)) {
            Path r = rel.resolve(name);
            out.add(r);
            Path host = stack.find(dir.child(name));
            if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                walk(stack, dir.child(name), r, out);
            }
        }
    }

    static List<String> tree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> !p.equals(root)).sorted().map(p -> {
                String rel = root.relativize(p).toString();
                try {
                    if (Files.isSymbolicLink(p)) {
                        return "l " + rel + "->" + Files.readSymbolicLink(p);
                    }
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        return "d " + rel;
                    }
                    return "f " + rel + "=" + Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

}

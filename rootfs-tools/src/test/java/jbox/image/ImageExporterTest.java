// Exporting an image as an OCI layout: ids shifted back, run defaults kept, re-import gives the same tree.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageExporterTest {

    private static final IdShift SHIFT = new IdShift(100000, 100000, 65536);

    @TempDir
    Path temp;
    private Sandbox sandbox;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = new Sandbox(temp);
        OciFixture.Written layout = new OciFixture()
                .layer(new TarFixture().dir("bin/").file("bin/tool", "tool", 0755, 0, 0)
                        .symlink("bin/sh", "tool").hardLink("bin/tool2", "bin/tool")
                        .dir("home/", 0755, 1000, 1000).file("home/notes", "mine", 0600, 1000, 1001))
                .config("Cmd", List.of("/bin/sh")).config("Env", List.of("A=1")).config("WorkingDir", "/home")
                .writeLayout(temp.resolve("in"), "v1");
        new ImageImporter().importImage(sandbox.store, "orig", layout.dir(), null, SHIFT, ProgressListener.NONE);
    }

    @Test
    void theLayerHoldsContainerIdsAndReimportsToTheSameTree() throws Exception {
        Path out = temp.resolve("out");
        ImageExporter.Exported exported = new ImageExporter().export(sandbox.store, "orig", out, null, false);

        assertEquals("orig:latest", exported.ref());
        List<String> owners = new ArrayList<>();
        try (Stream<Path> blobs = Files.list(out.resolve("blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                if (isGzip(blob)) {
                    try (TarArchiveInputStream tar = new TarArchiveInputStream(
                            new GZIPInputStream(Files.newInputStream(blob)))) {
                        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                            owners.add(e.getName() + " " + e.getLongUserId() + ":" + e.getLongGroupId()
                                    + (e.isLink() ? " link " + e.getLinkName() : ""));
                        }
                    }
                }
            }
        }
        assertEquals(List.of("bin/ 0:0", "bin/sh 0:0", "bin/tool 0:0", "bin/tool2 0:0 link bin/tool",
                "home/ 1000:1000", "home/notes 1000:1001"), owners);

        ImageMeta again = new ImageImporter().importImage(sandbox.store, "again", out, "orig:latest", SHIFT,
                ProgressListener.NONE);
        assertEquals(ImageArchiveImportTest.tree(sandbox.store.rootfs("orig")),
                ImageArchiveImportTest.tree(sandbox.store.rootfs("again")));
        assertEquals(List.of("/bin/sh"), again.cmd());
        assertEquals(List.of("A=1"), again.env());
        assertEquals("/home", again.workingDir());
        assertEquals(exported.manifestDigest(), again.digest());
        assertEquals(101000, Files.getAttribute(sandbox.store.rootfs("again").resolve("home/notes"), "unix:uid",
                LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void exportingTwiceGivesTheSameDigestAndAnArchiveImports() throws Exception {
        String first = new ImageExporter().export(sandbox.store, "orig", temp.resolve("a"), null, false).manifestDigest();
        String second = new ImageExporter().export(sandbox.store, "orig", temp.resolve("b.tar"), "x", true)
                .manifestDigest();
        assertEquals(first, second, "the layer and config do not depend on when or where they are written");
        new ImageImporter().importImage(sandbox.store, "fromtar", temp.resolve("b.tar"), "x", SHIFT, ProgressListener.NONE);
        assertEquals(ImageArchiveImportTest.tree(sandbox.store.rootfs("orig")),
                ImageArchiveImportTest.tree(sandbox.store.rootfs("fromtar")));
    }

    @Test
    void anExistingDestinationIsRefusedAndNothingIsLeftBeside() throws Exception {
        Path dest = Files.createDirectories(temp.resolve("taken"));
        ImageException e = assertThrows(ImageException.class,
                () -> new ImageExporter().export(sandbox.store, "orig", dest, null, false));
        assertTrue(e.getMessage().endsWith("it already exists"), e.getMessage());
        try (Stream<Path> beside = Files.list(temp)) {
            assertFalse(beside.anyMatch(p -> p.getFileName().toString().startsWith(".")), "temp files left");
        }
    }

    private static boolean isGzip(Path blob) throws IOException {
        try (InputStream in = Files.newInputStream(blob)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }
}

// image.max_bytes and image.max_entries: every import format stops at the limit while streaming and leaves nothing.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportLimitsTest {

    private static final IdShift SHIFT = new IdShift(100000, 100000, 65536);
    private static final String TOO_LARGE = "image import: unpacked size exceeds image.max_bytes (5120 bytes)";

    @TempDir
    Path temp;
    private Sandbox sandbox;

    @BeforeEach
    void setUp() throws IOException {
        sandbox = new Sandbox(temp);
    }

    private ImageException refused(ImportLimits limits, Path source) {
        return assertThrows(ImageException.class, () -> new ImageImporter(limits)
                .importImage(sandbox.store, "limited", source, null, SHIFT, ProgressListener.NONE));
    }

    private static TarFixture files(int count, int size) {
        TarFixture tar = new TarFixture().dir("data/");
        for (int i = 0; i < count; i++) {
            tar.file("data/f" + i, new byte[size], 0644, 0, 0);
        }
        return tar;
    }

    @Test
    void aFileWhoseHeaderClaimsMoreThanTheLimitIsRefused() throws Exception {
        Path tar = files(1, 10 * 1024).writeTo(temp.resolve("big.tar.gz"), TarFixture.Compression.GZIP);
        assertEquals(TOO_LARGE, refused(new ImportLimits(5 * 1024, 100), tar).getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void filesAreSummed() throws Exception {
        Path tar = files(3, 2 * 1024).writeTo(temp.resolve("three.tar"));
        assertEquals(TOO_LARGE, refused(new ImportLimits(5 * 1024, 100), tar).getMessage());
        sandbox.assertStoreEmpty();
        new ImageImporter(new ImportLimits(6 * 1024, 100))
                .importImage(sandbox.store, "fits", tar, null, SHIFT, ProgressListener.NONE);
        assertEquals(2 * 1024, Files.size(sandbox.store.rootfs("fits").resolve("data/f2")), "exactly the limit is allowed");
    }

    @Test
    void entriesAreCounted() throws Exception {
        Path tar = files(4, 1).writeTo(temp.resolve("many.tar"));
        ImageException e = refused(new ImportLimits(1 << 20, 4), tar);
        assertEquals("image import: more than image.max_entries (4) tar entries", e.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void theLayersOfAnOciLayoutAreSummed() throws Exception {
        Path layout = new OciFixture().layer(files(1, 3 * 1024)).layer(files(1, 3 * 1024).file("data/g", "g"))
                .writeLayout(temp.resolve("layout"), "l:1").dir();
        assertEquals(TOO_LARGE, refused(new ImportLimits(5 * 1024, 100), layout).getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void theLayersOfADockerArchiveAreSummed() throws Exception {
        Path archive = new OciFixture().layer(files(1, 3 * 1024)).layer(files(1, 3 * 1024).file("data/g", "g"))
                .writeDockerArchive(temp.resolve("docker"), "d:1").dir();
        assertEquals(TOO_LARGE, refused(new ImportLimits(5 * 1024, 100), archive).getMessage());
        sandbox.assertStoreEmpty();
    }

    /** A GNU sparse entry's header size is only its data; what it unpacks to is what counts. */
    @Test
    void aSparseFileCountsWhatItExpandsTo() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("sparse"));
        try (var f = java.nio.channels.FileChannel.open(dir.resolve("holes"), java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(new byte[] {'x'}), 64 * 1024); // 64 KiB of hole, then one byte
        }
        Path tar = temp.resolve("sparse.tar");
        Process gnuTar = new ProcessBuilder("tar", "--sparse", "--format=gnu", "-cf", tar.toString(), "-C", dir.toString(),
                "holes").inheritIO().start();
        assertEquals(0, gnuTar.waitFor());
        assertEquals(TOO_LARGE, refused(new ImportLimits(5 * 1024, 100), tar).getMessage());
        sandbox.assertStoreEmpty();
        // room for the file and GNU tar's padding to its 10 KiB record (read to the end, so counted)
        new ImageImporter(new ImportLimits(128 * 1024, 100))
                .importImage(sandbox.store, "sparse", tar, null, SHIFT, ProgressListener.NONE);
        assertEquals(64 * 1024 + 1, Files.size(sandbox.store.rootfs("sparse").resolve("holes")));
    }

    /** What follows the end-of-archive marker is decompressed too (to check the trailer): it counts. */
    @Test
    void dataAfterTheEndOfArchiveCounts() throws Exception {
        byte[] tar = Files.readAllBytes(files(1, 1).writeTo(temp.resolve("small.tar")));
        Path padded = temp.resolve("padded.tar.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(padded))) {
            out.write(tar);
            out.write(new byte[64 * 1024]);
        }
        assertEquals(TOO_LARGE, refused(new ImportLimits(5 * 1024, 100), padded).getMessage());
        sandbox.assertStoreEmpty();
    }
}

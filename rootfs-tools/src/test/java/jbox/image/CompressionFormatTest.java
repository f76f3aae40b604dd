// Which decoder an image layer gets: its media type decides, its first bytes must agree.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompressionFormatTest {

    private static final String ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    private static final String ZSTD_ND = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    private static final String GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String DOCKER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    private static final String TAR = "application/vnd.oci.image.layer.v1.tar";

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} with {1} bytes: {2}")
    @CsvSource({
        ZSTD + ", ZSTD, ZSTD",
        ZSTD_ND + ", ZSTD, ZSTD",
        GZIP + ", GZIP, GZIP",
        GZIP + ", PLAIN, PLAIN", // tools have long labelled plain layers as gzip
        DOCKER_GZIP + ", GZIP, GZIP",
        TAR + ", PLAIN, PLAIN",
        "'', ZSTD, ZSTD", // a docker-archive: no media types, content decides
        "'', GZIP, GZIP",
        "'', PLAIN, PLAIN",
    })
    void theMediaTypeChoosesAndTheBytesAgree(String mediaType, CompressionFormat found, CompressionFormat chosen)
            throws Exception {
        assertEquals(chosen, CompressionFormat.ofLayer(mediaType, found, "layer 1"));
    }

    @ParameterizedTest(name = "{0} with {1} bytes is refused")
    @CsvSource({
        ZSTD + ", GZIP, layer 1 has media type " + ZSTD + " but is not zstd-compressed (it is gzip-compressed)",
        ZSTD + ", PLAIN, layer 1 has media type " + ZSTD + " but is not zstd-compressed (it is uncompressed)",
        ZSTD_ND + ", XZ, layer 1 has media type " + ZSTD_ND + " but is not zstd-compressed (it is xz-compressed)",
        GZIP + ", ZSTD, layer 1 is zstd-compressed but has media type " + GZIP,
        DOCKER_GZIP + ", ZSTD, layer 1 is zstd-compressed but has media type " + DOCKER_GZIP,
        TAR + ", ZSTD, layer 1 is zstd-compressed but has media type " + TAR,
    })
    void aMediaTypeTheBytesContradictIsOneLine(String mediaType, CompressionFormat found, String message) {
        ImageException e = assertThrows(ImageException.class, () -> CompressionFormat.ofLayer(mediaType, found, "layer 1"));
        assertEquals(message, e.getMessage());
    }

    @Test
    void zstdIsRecognisedByItsMagicNumberAndDecoded() throws Exception {
        TarFixture tar = new TarFixture().file("a", "zstd content");
        byte[] plain = Files.readAllBytes(tar.writeTo(temp.resolve("a.tar")));
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(
                Files.readAllBytes(tar.writeTo(temp.resolve("a.tar.zst"), TarFixture.Compression.ZSTD))));

        CompressionFormat format = CompressionFormat.sniff(in);

        assertEquals(CompressionFormat.ZSTD, format);
        assertArrayEquals(plain, decode(format, in));
    }

    @Test
    void concatenatedZstdFramesAreAllRead() throws Exception {
        byte[] plain = Files.readAllBytes(new TarFixture().file("a", "first half").file("b", "second half")
                .writeTo(temp.resolve("ab.tar")));
        TarFixture.loadZstd();
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        int half = plain.length / 2;
        for (byte[] part : List.of(Arrays.copyOf(plain, half), Arrays.copyOfRange(plain, half, plain.length))) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            try (ZstdCompressorOutputStream z = new ZstdCompressorOutputStream(frame)) {
                z.write(part);
            }
            frames.write(frame.toByteArray());
        }
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(frames.toByteArray()));

        assertArrayEquals(plain, decode(CompressionFormat.sniff(in), in));
    }

    private static byte[] decode(CompressionFormat format, BufferedInputStream in) throws Exception {
        try (InputStream decoded = format.decompress(in, "test.tar.zst")) {
            return decoded.readAllBytes();
        }
    }
}

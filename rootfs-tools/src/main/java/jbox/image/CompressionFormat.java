// Recognises how a tar file is compressed from its first bytes (never from its file name) and unwraps it.
package jbox.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

enum CompressionFormat {
    PLAIN(new byte[0]),
    GZIP(new byte[] {0x1f, (byte) 0x8b}),
    XZ(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0x00}),
    BZIP2(new byte[] {'B', 'Z', 'h'}),
    ZSTD(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});

    private static final int LONGEST_MAGIC = 6;
    /** Decompressors hand the tar reader 512-byte records; buffering their output keeps calls into them few. */
    private static final int DECOMPRESSED_BUFFER = 1 << 16;

    private final byte[] magic;

    CompressionFormat(byte[] magic) {
        this.magic = magic;
    }

    /** Peeks at the stream's first bytes; {@code in} is left positioned at its start. */
    static CompressionFormat sniff(BufferedInputStream in) throws IOException {
        in.mark(LONGEST_MAGIC);
        byte[] head = in.readNBytes(LONGEST_MAGIC);
        in.reset();
        for (CompressionFormat format : values()) {
            if (format != PLAIN && head.length >= format.magic.length
                    && Arrays.equals(head, 0, format.magic.length, format.magic, 0, format.magic.length)) {
                return format;
            }
        }
        return PLAIN;
    }

    /** Wraps {@code in} in this format's decompressor; concatenated members (pigz, pbzip2) are all read. */
    InputStream decompress(InputStream in, String sourceName) throws IOException, ImageException {
        return switch (this) {
            case PLAIN -> in;
            case GZIP -> new BufferedInputStream(GzipCompressorInputStream.builder()
                    .setInputStream(in).setDecompressConcatenated(true).get(), DECOMPRESSED_BUFFER);
            case XZ -> new BufferedInputStream(new XZCompressorInputStream(in, true), DECOMPRESSED_BUFFER);
            case BZIP2 -> new BufferedInputStream(new BZip2CompressorInputStream(in, true), DECOMPRESSED_BUFFER);
            case ZSTD -> throw new ImageException("zstd-compressed tar files are not supported: " + sourceName
                    + " (decompress it first with: zstd -d)");
        };
    }
}

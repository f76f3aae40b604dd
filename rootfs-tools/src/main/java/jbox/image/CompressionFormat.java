// Recognises how a tar file is compressed from its first bytes (never from its file name) and unwraps it.
package jbox.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/** Detection is Commons Compress' own ({@link CompressorStreamFactory#detect}); jbox only decides what it unwraps. */
enum CompressionFormat {
    PLAIN,
    GZIP,
    XZ,
    BZIP2,
    ZSTD,
    /** Recognised by Commons Compress but not unpacked by jbox (lzma, lz4, snappy, compress's .Z, ...). */
    OTHER;

    private static final int TAR_HEADER = 512;

    /**
     * Peeks at the stream's first bytes ({@code in} supports mark, so it is left at its start). Some
     * signatures Commons Compress knows are two bytes (zlib's "x^", "x\x9c"): a tar whose first
     * name starts that way has a ustar header, and stays a tar.
     */
    static CompressionFormat sniff(BufferedInputStream in) throws IOException {
        CompressionFormat format = of(detectedName(in));
        if (format == OTHER) {
            in.mark(TAR_HEADER);
            byte[] head = in.readNBytes(TAR_HEADER);
            in.reset();
            if (TarArchiveInputStream.matches(head, head.length)) {
                return PLAIN;
            }
        }
        return format;
    }

    /**
     * The decoder for an image layer: its media type decides, its first bytes must agree. A type
     * ending in +zstd gets the zstd decoder and nothing else; the gzip and plain tar types are
     * sniffed among the other formats as before (tools have long labelled plain layers as gzip), but
     * zstd bytes under them are refused: the manifest is what a registry and its signers vouch
     * for. A docker-archive's layers have no media type ("") and are told apart by content alone.
     *
     * @param found what {@link #sniff} saw
     * @param what  the layer, for the error ("layer 2 blobs/sha256/ab12...")
     */
    static CompressionFormat ofLayer(String mediaType, CompressionFormat found, String what) throws ImageException {
        boolean saysZstd = mediaType.endsWith("+zstd");
        if (saysZstd && found != ZSTD) {
            throw new ImageException(what + " has media type " + mediaType + " but is not zstd-compressed (it is "
                    + found.description() + ")");
        }
        if (!saysZstd && found == ZSTD && !mediaType.isEmpty()) {
            throw new ImageException(what + " is zstd-compressed but has media type " + mediaType);
        }
        return found;
    }

    private String description() {
        return switch (this) {
            case PLAIN -> "uncompressed";
            case GZIP -> "gzip-compressed";
            case XZ -> "xz-compressed";
            case BZIP2 -> "bzip2-compressed";
            case ZSTD -> "zstd-compressed";
            case OTHER -> "compressed otherwise";
        };
    }

    /** Commons Compress' name for the compression ("gz", "xz", ...), or null for none it knows. */
    static String detectedName(BufferedInputStream in) {
        try {
            return CompressorStreamFactory.detect(in);
        } catch (CompressorException e) {
            return null; // "no compressor found for the stream signature": a plain tar (or no archive at all)
        }
    }

    private static CompressionFormat of(String name) {
        if (name == null) {
            return PLAIN;
        }
        return switch (name) {
            case CompressorStreamFactory.GZIP -> GZIP;
            case CompressorStreamFactory.XZ -> XZ;
            case CompressorStreamFactory.BZIP2 -> BZIP2;
            case CompressorStreamFactory.ZSTANDARD -> ZSTD;
            default -> OTHER;
        };
    }

    /**
     * Wraps {@code in} in this format's decompressor; concatenated members (pigz, pbzip2) are all
     * read. The decompressor runs on a thread of its own ({@link ReadAhead}), so inflating the next
     * bytes overlaps writing the files of the last ones, as `tar -xz` overlaps with its gzip child.
     * zstd's native library is loaded first, from jbox's own directory ({@link ZstdLibrary}).
     */
    InputStream decompress(BufferedInputStream in, String sourceName) throws IOException, ImageException {
        return switch (this) {
            case PLAIN -> in;
            case GZIP -> ReadAhead.of(GzipCompressorInputStream.builder()
                    .setInputStream(in).setDecompressConcatenated(true).get(), sourceName);
            case XZ -> ReadAhead.of(new XZCompressorInputStream(in, true), sourceName);
            case BZIP2 -> ReadAhead.of(new BZip2CompressorInputStream(in, true), sourceName);
            case ZSTD -> {
                ZstdLibrary.load(sourceName);
                yield ReadAhead.of(new ZstdCompressorInputStream(in), sourceName);
            }
            case OTHER -> throw new ImageException(sourceName + " is compressed as " + detectedName(in)
                    + ", which jbox does not unpack (gzip, xz, bzip2 and zstd it does)");
        };
    }
}

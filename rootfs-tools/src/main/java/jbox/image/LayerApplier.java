// Applies an image's layers in order onto one rootfs, checking each blob's digest and each layer's diff id.
package jbox.image;

import jbox.io.IoReason;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * A layer blob is hashed in full before extraction starts, so a tampered blob is reported as a
 * digest mismatch rather than as whatever it breaks first; the uncompressed stream is hashed while
 * it is extracted and must equal the config's diff id. Extraction goes to a staging rootfs that is
 * deleted on any failure (see {@link ImageImporter}).
 */
final class LayerApplier {

    private static final int FILE_BUFFER = 1 << 20;
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    private static final Set<String> LAYER_TYPES = Set.of(
            "", // docker-archive: manifest.json has no media types
            OCI_LAYER,
            OciLayoutReader.OCI_LAYER_GZIP,
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    private static final String ZSTD_SUFFIX = "+zstd";

    private final ArchiveDir dir;
    private final IdShift shift;
    private final ImportBudget budget;

    LayerApplier(ArchiveDir dir, IdShift shift, ImportBudget budget) {
        this.dir = dir;
        this.shift = shift;
        this.budget = budget;
    }

    void apply(ImageContents image, Path rootfs) throws ImageException {
        int number = 0;
        for (ImageContents.Layer layer : image.layers()) {
            number++;
            String what = "layer " + number;
            checkMediaType(layer, what);
            if (layer.digest() != null) {
                verifyBlob(layer, what);
            }
            extract(layer, what, rootfs);
        }
    }

    private static void checkMediaType(ImageContents.Layer layer, String what) throws ImageException {
        if (layer.mediaType().endsWith(ZSTD_SUFFIX)) {
            throw new ImageException(what + " " + layer.path() + " has media type " + layer.mediaType()
                    + ": zstd-compressed layers are not supported (convert with: skopeo copy --dest-compress-format gzip)");
        }
        if (!LAYER_TYPES.contains(layer.mediaType())) {
            throw new ImageException(what + " " + layer.path() + " has unsupported media type "
                    + Quoted.of(layer.mediaType()));
        }
    }

    private void verifyBlob(ImageContents.Layer layer, String what) throws ImageException {
        byte[] sink = new byte[1 << 16];
        try (VerifyingInputStream in = new VerifyingInputStream(dir.open(layer.path(), what))) {
            while (in.read(sink) >= 0) {
                // hashing only
            }
            in.check(what, layer.path(), layer.digest(), layer.size());
        } catch (IOException e) {
            throw new ImageException("cannot read " + what + " " + layer.path() + ": " + IoReason.of(e), e);
        }
    }

    private void extract(ImageContents.Layer layer, String what, Path rootfs) throws ImageException {
        String source = what + " " + layer.path();
        try (BufferedInputStream raw = new BufferedInputStream(dir.open(layer.path(), what), FILE_BUFFER);
             InputStream tar = CompressionFormat.sniff(raw).decompress(raw, source);
             VerifyingInputStream uncompressed = new VerifyingInputStream(tar)) {
            LayerExtractor.forLayer(rootfs, shift, source, budget).apply(uncompressed);
            TarImporter.drain(uncompressed, source, budget);
            uncompressed.check(what + " (uncompressed)", layer.path(), layer.diffId(), -1);
        } catch (IOException e) {
            throw new ImageException("cannot read " + source + ": " + IoReason.of(e), e);
        }
    }
}

// Unpacks an image's layers, each into a directory of its own unless the store has it, checking digests and diff ids.
package jbox.image;

import jbox.io.IoReason;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import jbox.rootfs.LayerStack;

/**
 * A layer blob is hashed in full before extraction starts, so a tampered blob is reported as a
 * digest mismatch rather than as whatever it breaks first; the uncompressed stream is hashed while
 * it is extracted and must equal the config's diff id. A layer the store (or this import) already
 * has, by diff id and id shift, is not unpacked again: that is what shares layers between images.
 * New layers go to the import's staging dir, which is deleted on any failure (see {@link ImageImporter}).
 */
final class LayerApplier {

    private static final int FILE_BUFFER = 1 << 20;
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    private static final Set<String> LAYER_TYPES = Set.of(
            "", // docker-archive: manifest.json has no media types
            OCI_LAYER,
            OciLayoutReader.OCI_LAYER_GZIP,
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            OCI_LAYER_ZSTD,
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");

    private final ArchiveDir dir;
    private final IdShift shift;
    private final ImportBudget budget;

    LayerApplier(ArchiveDir dir, IdShift shift, ImportBudget budget) {
        this.dir = dir;
        this.shift = shift;
        this.budget = budget;
    }

    /** What the layers came to: their diff ids, bottom first, and their directories as overlayfs stacks them. */
    record Applied(List<String> diffIds, LayerStack stack) {
    }

    /**
     * @param keepBlobs keep each compressed layer blob in the store (for push), verified again first
     */
    Applied apply(ImageContents image, ImageStore store, Path staging, boolean keepBlobs) throws ImageException {
        int number = 0;
        List<String> diffIds = new ArrayList<>();
        List<Path> stack = new ArrayList<>(); // top first
        for (ImageContents.Layer layer : image.layers()) {
            number++;
            String what = "layer " + number;
            checkMediaType(layer, what);
            LayerKey key = LayerKey.of(layer.diffId(), shift);
            Path diff = store.existingDiff(staging, key);
            if (layer.digest() != null && (diff == null || keepBlobs)) {
                verifyBlob(layer, what);
            }
            if (keepBlobs && layer.digest() != null) {
                store.stageBlob(staging, layer.digest(), dir.file(layer.path(), what));
            }
            if (diff == null) {
                Path dirOfLayer = store.newStagingLayer(staging);
                Path target = ImageStore.diffOf(dirOfLayer);
                TarImporter.createRootfs(target, shift);
                extract(layer, what, target, stack.isEmpty() ? null : new LayerStack(stack));
                diff = store.stageLayer(staging, dirOfLayer, key);
            }
            diffIds.add(layer.diffId().toString());
            stack.add(0, diff);
        }
        if (stack.isEmpty()) {
            throw new ImageException("image in " + dir.root() + " has no layers");
        }
        return new Applied(diffIds, new LayerStack(stack));
    }

    private static void checkMediaType(ImageContents.Layer layer, String what) throws ImageException {
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

    private void extract(ImageContents.Layer layer, String what, Path rootfs, LayerStack lower) throws ImageException {
        String source = what + " " + layer.path();
        try (BufferedInputStream raw = new BufferedInputStream(dir.open(layer.path(), what), FILE_BUFFER);
             InputStream tar = CompressionFormat.ofLayer(layer.mediaType(), CompressionFormat.sniff(raw), source)
                     .decompress(raw, source);
             VerifyingInputStream uncompressed = new VerifyingInputStream(tar)) {
            LayerExtractor.forDiff(rootfs, shift, source, budget, lower).apply(uncompressed);
            TarImporter.drain(uncompressed, source, budget);
            uncompressed.check(what + " (uncompressed)", layer.path(), layer.diffId(), -1);
        } catch (IOException e) {
            throw new ImageException("cannot read " + source + ": " + IoReason.of(e), e);
        }
    }
}

// `jbox commit`: a container's overlayfs upper directory as a new layer on top of its image's layers.
package jbox.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jbox.io.IoReason;
import jbox.rootfs.LayerStack;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The upper directory is written as an image layer first (tar+gzip; owners shifted back to the
 * image's ids; overlayfs's whiteouts and opaque directories as {@code .wh.} entries), and that
 * blob is then unpacked into the store like any pulled layer: the layer on disk is exactly what
 * its digest says, the blob is kept for push, and the config and manifest are the base image's
 * with this layer added (a manifest only when the base's own is stored: its layers' blobs are
 * what a push sends). The new image's run defaults are the base's, or {@code defaults}.
 */
public final class ImageCommit {

    /** The run defaults of the new image; null fields keep the base's. */
    public record Defaults(List<String> cmd, List<String> entrypoint, List<String> env, String workingDir,
            String user) {
        public static final Defaults KEEP = new Defaults(null, null, null, null, null);
    }

    /**
     * @param upper   the container's overlayfs upper directory
     * @param base    the image the container ran (an older-format image is migrated to a layer first)
     * @param comment what made the layer, for the config's history ("jbox commit 3f2a…")
     */
    public ImageMeta commit(ImageStore store, ImageMeta base, Path upper, String name, String comment,
            Defaults defaults) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        ImageMeta lower = store.migrate(base);
        IdShift shift = shiftOf(lower);
        Path staging = store.createStaging();
        try {
            Path blob = staging.resolve("layer.tar.gz");
            LayerWriter.Written written = LayerWriter.ofUpper(upper, lower.uidBase(), lower.gidBase()).write(blob);
            LayerKey key = new LayerKey(written.diffId(), lower.uidBase(), lower.gidBase());
            if (store.existingDiff(staging, key) == null) {
                Path layer = store.newStagingLayer(staging);
                Path diff = ImageStore.diffOf(layer);
                TarImporter.createRootfs(diff, shift);
                unpack(blob, diff, shift, store.layers(lower), written.diffId());
                store.stageLayer(staging, layer, key);
            }
            store.stageBlob(staging, written.digest(), blob);
            Files.delete(blob);

            List<String> layers = new ArrayList<>(lower.layers());
            layers.add(written.diffId().toString());
            return publish(store, staging, lower, parsed, layers, comment, defaults, written);
        } catch (IOException e) {
            ImageException failure = new ImageException("cannot commit " + upper + " as image " + name + ": "
                    + IoReason.of(e), e);
            store.discard(staging, failure);
            throw failure;
        } catch (ImageException | RuntimeException | Error e) {
            store.discard(staging, e);
            throw e;
        }
    }

    /**
     * The base's layers under {@code name} with other run defaults: what `jbox build` ends with
     * (ENV, CMD and the like change the config only, as docker's make no layer). The config gets a
     * history line marked {@code empty_layer}; the base's stored manifest, if any, names the new config.
     */
    public ImageMeta configure(ImageStore store, ImageMeta base, String name, String comment, Defaults defaults)
            throws ImageException {
        ImageName parsed = ImageName.parse(name);
        ImageMeta lower = store.migrate(base);
        Path staging = store.createStaging();
        try {
            return publish(store, staging, lower, parsed, lower.layers(), comment, defaults, null);
        } catch (IOException e) {
            ImageException failure = new ImageException("cannot write the config of image " + name + ": "
                    + IoReason.of(e), e);
            store.discard(staging, failure);
            throw failure;
        } catch (ImageException | RuntimeException | Error e) {
            store.discard(staging, e);
            throw e;
        }
    }

    /**
     * The new image's config (with a history line; {@code added} null: a config-only step, marked
     * empty_layer), its manifest when the base has one, and its image.json, published under
     * {@code name} from {@code staging}.
     */
    private ImageMeta publish(ImageStore store, Path staging, ImageMeta lower, ImageName name, List<String> layers,
            String comment, Defaults defaults, LayerWriter.Written added) throws ImageException, IOException {
        ImageMeta runDefaults = apply(lower, defaults);
        byte[] config = config(store, lower, runDefaults, layers, comment, added == null);
        Digest configDigest = Digest.of(config);
        store.stageBlob(staging, configDigest, config);
        ImageStore.writeConfigFile(staging, ImageConfig.parse(config, "config of " + name.canonical()).kept()); // history, inspect
        byte[] manifest = manifest(store, lower, configDigest, config.length, added);
        String manifestDigest = "";
        if (manifest != null) {
            Digest d = Digest.of(manifest);
            store.stageBlob(staging, d, manifest);
            manifestDigest = d.toString();
        }
        ImageMeta meta = new ImageMeta(name.canonical(), runDefaults.cmd(), runDefaults.entrypoint(),
                runDefaults.env(), runDefaults.workingDir(), runDefaults.user(), Instant.now().toString(),
                lower.uidBase(), lower.gidBase(), comment, manifestDigest, configDigest.toString(), layers,
                lower.exposedPorts());
        store.publish(staging, meta, true);
        return meta;
    }

    /** The image's own id range: the size is what a user namespace of this store maps (any id the upper holds). */
    private static IdShift shiftOf(ImageMeta image) {
        long room = (1L << 32) - Math.max(image.uidBase(), image.gidBase());
        return new IdShift(image.uidBase(), image.gidBase(), room);
    }

    private static void unpack(Path blob, Path diff, IdShift shift, LayerStack lower, Digest diffId)
            throws ImageException, IOException {
        try (InputStream file = Files.newInputStream(blob);
             InputStream gzip = new GzipCompressorInputStream(new BufferedInputStream(file, 1 << 16));
             VerifyingInputStream tar = new VerifyingInputStream(gzip)) {
            LayerExtractor.forDiff(diff, shift, "committed layer", ImportLimits.NONE.budget(), lower).apply(tar);
            TarImporter.drain(tar, "committed layer", ImportLimits.NONE.budget());
            tar.check("committed layer", blob.toString(), diffId, -1);
        }
    }

    private static ImageMeta apply(ImageMeta base, Defaults d) {
        return new ImageMeta(base.name(), d.cmd() != null ? d.cmd() : base.cmd(),
                d.entrypoint() != null ? d.entrypoint() : base.entrypoint(), d.env() != null ? d.env() : base.env(),
                d.workingDir() != null ? d.workingDir() : base.workingDir(), d.user() != null ? d.user() : base.user(),
                base.created(), base.uidBase(), base.gidBase(), base.source(), base.digest(), base.configDigest(),
                base.layers());
    }

    /** The base's config (or one made from its image.json) with the run defaults, this layer's diff id and a history line. */
    private static byte[] config(ImageStore store, ImageMeta base, ImageMeta run, List<String> layers, String comment,
            boolean emptyLayer) throws IOException {
        ObjectNode config = null;
        Path stored = base.configDigest().isEmpty() ? null : blobOrNull(store, base.configDigest());
        if (stored != null) {
            JsonNode tree = ImageConfig.JSON.readTree(Files.readAllBytes(stored));
            if (tree.isObject()) {
                config = (ObjectNode) tree;
            }
        }
        byte[] kept = stored == null ? keptOrNull(store, base) : null;
        if (config == null && kept != null) { // an imported image keeps part of its config: its history goes on
            JsonNode tree = ImageConfig.JSON.readTree(kept);
            if (tree.isObject()) {
                config = (ObjectNode) tree;
            }
        }
        if (config == null) {
            config = ImageConfig.JSON.createObjectNode();
        }
        if (!config.hasNonNull("architecture")) {
            config.put("architecture", HostPlatform.architecture());
        }
        if (!config.hasNonNull("os")) {
            config.put("os", "linux");
        }
        config.put("created", Instant.now().toString());
        // The base's other settings (ExposedPorts, Labels, StopSignal…) stay, as docker's commit and build keep them.
        ObjectNode runNode = config.path("config").isObject() ? (ObjectNode) config.get("config") : config.putObject("config");
        strings(runNode, "Env", run.env());
        strings(runNode, "Entrypoint", run.entrypoint());
        strings(runNode, "Cmd", run.cmd());
        runNode.remove(List.of("WorkingDir", "User"));
        if (!base.exposedPorts().isEmpty() && !runNode.has("ExposedPorts")) { // a config made from image.json
            ObjectNode ports = runNode.putObject("ExposedPorts");
            base.exposedPorts().forEach(p -> ports.putObject(p));
        }
        if (!run.workingDir().isEmpty()) {
            runNode.put("WorkingDir", run.workingDir());
        }
        if (!run.user().isEmpty()) {
            runNode.put("User", run.user());
        }
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        layers.forEach(diffIds::add);
        ArrayNode history = config.has("history") && config.get("history").isArray()
                ? (ArrayNode) config.get("history") : config.putArray("history");
        ObjectNode line = history.addObject().put("created", Instant.now().toString()).put("created_by", comment);
        if (emptyLayer) {
            line.put("empty_layer", true);
        }
        return ImageConfig.JSON.writeValueAsBytes(config);
    }

    /** The base's stored manifest with this layer (if any) and the new config; null when the base has none stored. */
    private static byte[] manifest(ImageStore store, ImageMeta base, Digest config, long configSize,
            LayerWriter.Written layer) throws IOException {
        Path stored = base.digest().isEmpty() ? null : blobOrNull(store, base.digest());
        if (stored == null) {
            return null;
        }
        JsonNode tree = ImageConfig.JSON.readTree(Files.readAllBytes(stored));
        if (!tree.isObject() || !tree.path("layers").isArray()
                || tree.path("layers").size() != base.layers().size()) {
            return null;
        }
        ObjectNode manifest = (ObjectNode) tree;
        boolean docker = manifest.path("mediaType").asText("").contains("docker");
        ObjectNode configNode = manifest.putObject("config");
        configNode.put("mediaType", docker ? "application/vnd.docker.container.image.v1+json"
                : OciLayoutReader.OCI_CONFIG).put("digest", config.toString()).put("size", configSize);
        if (layer == null) {
            return ImageConfig.JSON.writeValueAsBytes(manifest);
        }
        ((ArrayNode) manifest.get("layers")).addObject()
                .put("mediaType", docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                        : OciLayoutReader.OCI_LAYER_GZIP)
                .put("digest", layer.digest().toString()).put("size", layer.size());
        return ImageConfig.JSON.writeValueAsBytes(manifest);
    }

    private static byte[] keptOrNull(ImageStore store, ImageMeta image) {
        try {
            return store.configFile(image);
        } catch (ImageException e) {
            return null;
        }
    }

    private static Path blobOrNull(ImageStore store, String digest) {
        try {
            return store.blob(Digest.parse(digest, "blob"));
        } catch (ImageException e) {
            return null;
        }
    }

    private static void strings(ObjectNode node, String field, List<String> values) {
        node.remove(field);
        if (!values.isEmpty()) {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }
}

// Builds OCI image layouts and docker-archives inside tests from TarFixture layers, with real digests.
package jbox.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

final class OciFixture {

    static final ObjectMapper JSON = new ObjectMapper();

    private record Layer(TarFixture tar, TarFixture.Compression compression, String mediaType) {
    }

    private final List<Layer> layers = new ArrayList<>();
    private final ObjectNode runConfig = JSON.createObjectNode();

    OciFixture layer(TarFixture tar) {
        return layer(tar, TarFixture.Compression.GZIP, OciLayoutReader.OCI_LAYER_GZIP);
    }

    OciFixture layer(TarFixture tar, TarFixture.Compression compression, String mediaType) {
        layers.add(new Layer(tar, compression, mediaType));
        return this;
    }

    /** Sets a field of the config's "config" object (Env, Cmd, Entrypoint, WorkingDir, User). */
    OciFixture config(String field, Object value) {
        runConfig.set(field, JSON.valueToTree(value));
        return this;
    }

    /** What was written: the layout dir and the digests in it. */
    record Written(Path dir, String manifestDigest, String configDigest, List<String> layerDigests) {
        Path blob(String digest) {
            return dir.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        }
    }

    /** An OCI layout whose index.json names the manifest with ref.name {@code ref}. */
    Written writeLayout(Path dir, String ref) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        ArrayNode layerDescriptors = JSON.createArrayNode();
        List<String> layerDigests = new ArrayList<>();
        ArrayNode diffIds = JSON.createArrayNode();
        int n = 0;
        for (Layer layer : layers) {
            Path tmp = layer.tar().writeTo(dir.resolve("layer-" + n++), layer.compression());
            byte[] blob = Files.readAllBytes(tmp);
            Files.delete(tmp);
            String digest = putBlob(dir, blob);
            layerDigests.add(digest);
            layerDescriptors.add(descriptor(layer.mediaType(), digest, blob.length));
            diffIds.add(Digest.of(uncompressed(blob, layer.compression())).toString());
        }
        byte[] config = configJson(diffIds);
        String configDigest = putBlob(dir, config);
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OciLayoutReader.OCI_MANIFEST);
        manifest.set("config", descriptor(OciLayoutReader.OCI_CONFIG, configDigest, config.length));
        manifest.set("layers", layerDescriptors);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        String manifestDigest = putBlob(dir, manifestBytes);
        ObjectNode entry = descriptor(OciLayoutReader.OCI_MANIFEST, manifestDigest, manifestBytes.length);
        entry.putObject("annotations").put(Descriptor.REF_NAME, ref);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        index.putArray("manifests").add(entry);
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
        return new Written(dir, manifestDigest, configDigest, layerDigests);
    }

    /** A docker-archive directory (docker save's layout: X.json config, X/layer.tar layers, manifest.json). */
    Written writeDockerArchive(Path dir, String tag) throws IOException {
        Files.createDirectories(dir);
        ArrayNode layerPaths = JSON.createArrayNode();
        ArrayNode diffIds = JSON.createArrayNode();
        List<String> layerDigests = new ArrayList<>();
        int n = 0;
        for (Layer layer : layers) {
            String path = "layer" + n++ + "/layer.tar";
            Files.createDirectories(dir.resolve(path).getParent());
            byte[] blob = Files.readAllBytes(layer.tar().writeTo(dir.resolve(path), layer.compression()));
            layerPaths.add(path);
            layerDigests.add(Digest.of(blob).toString());
            diffIds.add(Digest.of(uncompressed(blob, layer.compression())).toString());
        }
        byte[] config = configJson(diffIds);
        Digest configDigest = Digest.of(config);
        Files.write(dir.resolve(configDigest.hex() + ".json"), config);
        ObjectNode image = JSON.createObjectNode().put("Config", configDigest.hex() + ".json");
        image.putArray("RepoTags").add(tag);
        image.set("Layers", layerPaths);
        Files.write(dir.resolve("manifest.json"), JSON.writeValueAsBytes(JSON.createArrayNode().add(image)));
        return new Written(dir, null, configDigest.toString(), layerDigests);
    }

    private byte[] configJson(ArrayNode diffIds) throws IOException {
        ObjectNode config = JSON.createObjectNode().put("architecture", HostPlatform.architecture()).put("os", "linux");
        config.set("config", runConfig);
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        rootfs.set("diff_ids", diffIds);
        return JSON.writeValueAsBytes(config);
    }

    static String putBlob(Path dir, byte[] content) throws IOException {
        Digest digest = Digest.of(content);
        Files.write(dir.resolve("blobs/sha256").resolve(digest.hex()), content);
        return digest.toString();
    }

    static ObjectNode descriptor(String mediaType, String digest, long size) {
        return JSON.createObjectNode().put("mediaType", mediaType).put("digest", digest).put("size", size);
    }

    private static byte[] uncompressed(byte[] blob, TarFixture.Compression compression) throws IOException {
        if (compression == TarFixture.Compression.PLAIN) {
            return blob;
        }
        if (compression == TarFixture.Compression.ZSTD) {
            try (InputStream in = new ZstdCompressorInputStream(new java.io.ByteArrayInputStream(blob))) {
                return in.readAllBytes();
            }
        }
        if (compression != TarFixture.Compression.GZIP) {
            throw new IllegalArgumentException("fixture layers are plain, gzip or zstd");
        }
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(blob))) {
            return in.readAllBytes();
        }
    }
}

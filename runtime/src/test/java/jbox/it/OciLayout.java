// Writes a small OCI image layout for integration tests: gzip layers made from tar entries, real digests.
package jbox.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

final class OciLayout {

    /** One layer's entries; content null means a directory, a link target starting with "->" a symlink. */
    static final class Layer {
        private final ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes, "UTF-8");

        Layer dir(String name) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name + "/");
            e.setMode(040755);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return this;
        }

        Layer file(String name, byte[] content, int mode) throws IOException {
            return file(name, content, mode, 0);
        }

        Layer file(String name, byte[] content, int mode, int uid) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setMode(mode);
            e.setIds(uid, uid);
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
            return this;
        }

        Layer file(String name, String content) throws IOException {
            return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
        }

        Layer symlink(String name, String target) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return this;
        }

        /** The busybox binary with sh and cat links: enough to run commands. */
        Layer busybox() throws IOException {
            dir("bin");
            file("bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
            symlink("bin/sh", "busybox");
            return symlink("bin/cat", "busybox");
        }

        byte[] bytes() throws IOException {
            tar.finish();
            return tarBytes.toByteArray();
        }
    }

    record Written(Path dir, List<String> layerDigests) {
        Path blob(String digest) {
            return dir.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        }
    }

    /** Writes layers and a config with {@code cmd} as an OCI layout at {@code dir}, named {@code ref}. */
    static Written write(Path dir, String ref, List<String> cmd, Layer... layers) throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        StringBuilder layerDescriptors = new StringBuilder();
        StringBuilder diffIds = new StringBuilder();
        List<String> layerDigests = new ArrayList<>();
        for (Layer layer : layers) {
            byte[] tar = layer.bytes();
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (OutputStream out = new GZIPOutputStream(gz)) {
                out.write(tar);
            }
            String digest = put(blobs, gz.toByteArray());
            layerDigests.add(digest);
            layerDescriptors.append(layerDescriptors.length() == 0 ? "" : ",").append(descriptor(
                    "application/vnd.oci.image.layer.v1.tar+gzip", digest, gz.size()));
            diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(sha256(tar)).append('"');
        }
        String cmdJson = String.join(",", cmd.stream().map(c -> "\"" + c + "\"").toList());
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[" + cmdJson
                + "],\"Env\":[\"FROM_IMAGE=yes\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        String configDigest = put(blobs, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length)
                + ",\"layers\":[" + layerDescriptors + "]}").getBytes(StandardCharsets.UTF_8);
        String manifestDigest = put(blobs, manifest);
        String entry = descriptor("application/vnd.oci.image.manifest.v1+json", manifestDigest, manifest.length);
        entry = entry.substring(0, entry.length() - 1)
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + ref + "\"}}";
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + entry + "]}");
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return new Written(dir, layerDigests);
    }

    private static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    private static String put(Path blobs, byte[] content) throws IOException {
        String digest = sha256(content);
        Files.write(blobs.resolve(digest.substring("sha256:".length())), content);
        return digest;
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

// `jbox image export`: writes a stored image as an OCI image layout (a directory, or an oci-archive tar of one).
package jbox.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import jbox.io.IoReason;
import jbox.rootfs.LayerStack;
import jbox.rootfs.TreeDeletion;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * One gzip layer from the image's tree (its layers merged; ids shifted back to 0-based container ids), a config with the
 * image's run defaults, a manifest, and index.json naming it with a ref.name annotation. Everything
 * is written under a temp name beside DEST and renamed into place at the end, so a failed export
 * leaves nothing and DEST is never half-written.
 */
public final class ImageExporter {

    private static final String LAYOUT_VERSION = "{\"imageLayoutVersion\":\"1.0.0\"}";

    /** What was exported, for the command's output. */
    public record Exported(String ref, String manifestDigest) {
    }

    /**
     * @param ref     the ref.name annotation; null means the image's name with its tag ("busybox:latest")
     * @param archive true: DEST is an oci-archive tar file; false: DEST is a layout directory
     */
    public Exported export(ImageStore store, String name, Path dest, String ref, boolean archive)
            throws ImageException {
        ImageMeta meta = store.get(name);
        LayerStack rootfs = store.layers(meta);
        ImageName parsed = ImageName.parse(meta.name());
        String refName = ref != null ? ref : parsed.withTag();
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException("cannot export to " + dest + ": it already exists");
        }
        Path parent = dest.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new ImageException("cannot export to " + dest + ": its directory does not exist");
        }
        String tempPrefix = "." + dest.getFileName() + ".tmp-" + UUID.randomUUID();
        Path layout = parent.resolve(tempPrefix);
        Path tarFile = parent.resolve(tempPrefix + ".tar");
        try {
            String manifestDigest = writeLayout(meta, rootfs, layout, refName);
            if (archive) {
                writeArchive(layout, tarFile);
                move(tarFile, dest);
                TreeDeletion.delete(layout);
            } else {
                move(layout, dest);
            }
            return new Exported(refName, manifestDigest);
        } catch (ImageException | RuntimeException | Error e) {
            TreeDeletion.deleteQuietly(layout, e);
            TreeDeletion.deleteQuietly(tarFile, e);
            throw e;
        } catch (IOException e) {
            ImageException failure = new ImageException("cannot export image " + meta.name() + " to " + dest + ": "
                    + IoReason.of(e), e);
            TreeDeletion.deleteQuietly(layout, failure);
            TreeDeletion.deleteQuietly(tarFile, failure);
            throw failure;
        }
    }

    private static String writeLayout(ImageMeta meta, LayerStack rootfs, Path layout, String refName)
            throws ImageException, IOException {
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path layerTemp = blobs.resolve(".layer");
        LayerWriter.Written layer = new LayerWriter(rootfs, meta.uidBase(), meta.gidBase()).write(layerTemp);
        Files.move(layerTemp, blobs.resolve(layer.digest().hex()));

        ObjectNode config = ImageConfig.JSON.createObjectNode();
        if (!meta.created().isEmpty()) {
            config.put("created", meta.created());
        }
        config.put("architecture", HostPlatform.architecture()).put("os", "linux");
        ObjectNode run = config.putObject("config");
        strings(run, "Env", meta.env());
        strings(run, "Entrypoint", meta.entrypoint());
        strings(run, "Cmd", meta.cmd());
        if (!meta.workingDir().isEmpty()) {
            run.put("WorkingDir", meta.workingDir());
        }
        if (!meta.user().isEmpty()) {
            run.put("User", meta.user());
        }
        ObjectNode rootfsNode = config.putObject("rootfs").put("type", "layers");
        rootfsNode.putArray("diff_ids").add(layer.diffId().toString());
        config.putArray("history").addObject().put("created_by", "jbox image export " + meta.name());
        byte[] configBytes = ImageConfig.JSON.writeValueAsBytes(config);
        Digest configDigest = putBlob(blobs, configBytes);

        ObjectNode manifest = ImageConfig.JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", OciLayoutReader.OCI_MANIFEST);
        manifest.set("config", descriptor(OciLayoutReader.OCI_CONFIG, configDigest, configBytes.length));
        manifest.putArray("layers").add(descriptor(OciLayoutReader.OCI_LAYER_GZIP, layer.digest(), layer.size()));
        byte[] manifestBytes = ImageConfig.JSON.writeValueAsBytes(manifest);
        Digest manifestDigest = putBlob(blobs, manifestBytes);

        ObjectNode index = ImageConfig.JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", OciLayoutReader.OCI_INDEX);
        ObjectNode entry = descriptor(OciLayoutReader.OCI_MANIFEST, manifestDigest, manifestBytes.length);
        entry.putObject("annotations").put(Descriptor.REF_NAME, refName);
        index.putArray("manifests").add(entry);
        Files.write(layout.resolve(OciLayoutReader.INDEX_FILE), ImageConfig.JSON.writeValueAsBytes(index));
        Files.writeString(layout.resolve(OciLayoutReader.LAYOUT_FILE), LAYOUT_VERSION);
        return manifestDigest.toString();
    }

    private static void strings(ObjectNode node, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }

    private static Digest putBlob(Path blobs, byte[] content) throws IOException {
        Digest digest = Digest.of(content);
        Files.write(blobs.resolve(digest.hex()), content);
        return digest;
    }

    private static ObjectNode descriptor(String mediaType, Digest digest, long size) {
        return ImageConfig.JSON.createObjectNode().put("mediaType", mediaType).put("digest", digest.toString())
                .put("size", size);
    }

    /** An oci-archive is a plain tar of the layout, as podman and skopeo write it. */
    private static void writeArchive(Path layout, Path tarFile) throws IOException {
        try (OutputStream out = Files.newOutputStream(tarFile);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            addTree(tar, layout, "");
            tar.finish();
        }
    }

    private static void addTree(TarArchiveOutputStream tar, Path dir, String prefix) throws IOException {
        List<Path> children;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            children = new ArrayList<>();
            entries.forEach(children::add);
        }
        children.sort(null);
        for (Path child : children) {
            String name = prefix + child.getFileName();
            boolean isDir = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
            TarArchiveEntry entry = new TarArchiveEntry(isDir ? name + "/" : name);
            entry.setMode(isDir ? 0755 : 0644);
            entry.setModTime(Files.getLastModifiedTime(child, LinkOption.NOFOLLOW_LINKS).toMillis());
            if (!isDir) {
                entry.setSize(Files.size(child));
            }
            tar.putArchiveEntry(entry);
            if (!isDir) {
                Files.copy(child, tar);
            }
            tar.closeArchiveEntry();
            if (isDir) {
                addTree(tar, child, name + "/");
            }
        }
    }

    private static void move(Path from, Path to) throws ImageException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ImageException("cannot move the export into place at " + to + ": " + IoReason.of(e), e);
        }
    }
}

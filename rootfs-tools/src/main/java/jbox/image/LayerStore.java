// The content-addressed half of the image store: unpacked layers by diff id, their short links, blobs by digest.
package jbox.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.rootfs.TreeDeletion;

/**
 * <pre>
 *   .layers/HEX-UIDBASE-GIDBASE/diff   one layer, unpacked once, shared by every image listing it
 *   .l/LINKID -> ../.layers/.../diff    short names for overlayfs's lowerdir (one page of mount data)
 *   .blobs/sha256/HEX                   compressed layers, configs and manifests, kept for push
 * </pre>
 * Nothing here counts references: what is in use is found by reading every image's image.json
 * (and the manifests it names) under the store lock, so no counter can drift from the truth.
 * Layers and blobs only appear by rename from a staging directory, whole.
 */
final class LayerStore {
    static final String LAYERS = ".layers";
    static final String LINKS = ".l";
    static final String BLOBS = ".blobs";
    static final String DIFF = "diff";
    /** Root-owned, passable: the container's root mounts the layers with its own credentials. */
    static final int LAYER_DIR_MODE = 0711;

    private final Path root;

    LayerStore(Path root) {
        this.root = root;
    }

    Path layerDir(LayerKey key) {
        return root.resolve(LAYERS).resolve(key.dirName());
    }

    Path diff(LayerKey key) {
        return layerDir(key).resolve(DIFF);
    }

    Path link(LayerKey key) {
        return root.resolve(LINKS).resolve(key.linkId());
    }

    boolean has(LayerKey key) {
        return Files.isDirectory(diff(key), LinkOption.NOFOLLOW_LINKS);
    }

    Path blob(Digest digest) {
        return root.resolve(BLOBS).resolve("sha256").resolve(digest.hex());
    }

    boolean hasBlob(Digest digest) {
        return Files.isRegularFile(blob(digest), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Moves a staged layer directory (holding diff/) into place and links it; a layer that is
     * already there (another import made it meanwhile) wins and the staged copy is deleted.
     * Call with the store lock held.
     */
    void install(Path staged, LayerKey key) throws IOException {
        Path target = layerDir(key);
        Files.createDirectories(target.getParent());
        FileModes.set(target.getParent(), LAYER_DIR_MODE);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            TreeDeletion.delete(staged);
        } else {
            FileModes.set(staged, LAYER_DIR_MODE);
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        }
        linkLayer(key);
    }

    private void linkLayer(LayerKey key) throws IOException {
        Path links = root.resolve(LINKS);
        Files.createDirectories(links);
        FileModes.set(links, LAYER_DIR_MODE);
        Path link = link(key);
        Path target = Path.of("..", LAYERS, key.dirName(), DIFF);
        try {
            Files.createSymbolicLink(link, target);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isSymbolicLink(link) || !Files.readSymbolicLink(link).equals(target)) {
                throw new IOException("layer link " + link + " exists and does not point at " + target);
            }
        }
    }

    /** Moves a staged blob into .blobs/ (a blob already there is the same content: its name is its digest). */
    void installBlob(Path staged, Digest digest) throws IOException {
        Path target = blob(digest);
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, FileModes.attribute(FileModes.PRIVATE_DIR));
            FileModes.set(root.resolve(BLOBS), FileModes.PRIVATE_DIR);
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(staged);
        } else {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Every layer directory in the store. */
    List<LayerKey> layers() throws IOException {
        List<LayerKey> keys = new ArrayList<>();
        Path dir = root.resolve(LAYERS);
        if (!Files.isDirectory(dir)) {
            return keys;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                LayerKey key = LayerKey.parse(entry.getFileName().toString());
                if (key != null) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    /** The blobs an image needs for push: its manifest, its config, and the layers the manifest lists. */
    Set<Digest> blobsOf(ImageMeta image) {
        Set<Digest> out = new HashSet<>();
        for (String d : List.of(image.digest(), image.configDigest())) {
            if (!d.isEmpty()) {
                try {
                    out.add(Digest.parse(d, "image " + image.name()));
                } catch (ImageException ignored) {
                    // not ours to judge here: an unparseable digest keeps nothing
                }
            }
        }
        if (!image.digest().isEmpty()) {
            try {
                Digest manifest = Digest.parse(image.digest(), "image " + image.name());
                if (hasBlob(manifest)) {
                    JsonNode json = ImageConfig.JSON.readTree(Files.readAllBytes(blob(manifest)));
                    for (JsonNode layer : json.path("layers")) {
                        out.add(Digest.parse(layer.path("digest").asText(), "manifest " + manifest));
                    }
                }
            } catch (ImageException | IOException ignored) {
                // a manifest that cannot be read keeps no layer blobs; push then exports instead
            }
        }
        return out;
    }

    /**
     * Removes every layer and blob not in the given sets (what the images still name), and links
     * that point nowhere. Call with the store lock held. Returns the diff ids of removed layers.
     */
    List<String> collect(Set<LayerKey> usedLayers, Set<Digest> usedBlobs) throws IOException {
        List<String> removed = new ArrayList<>();
        for (LayerKey key : layers()) {
            if (usedLayers.contains(key)) {
                continue;
            }
            Path doomed = root.resolve(ImageStore.TEMP_PREFIX + "rm-" + UUID.randomUUID());
            Files.move(layerDir(key), doomed, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(link(key));
            TreeDeletion.delete(doomed);
            removed.add(key.diffId().toString());
        }
        Path blobs = root.resolve(BLOBS).resolve("sha256");
        if (Files.isDirectory(blobs)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(blobs)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.length() == 64 && !usedBlobs.contains(new Digest(name))) {
                        Files.delete(entry);
                    }
                }
            } catch (IllegalArgumentException e) {
                // a file that is no digest: not ours, left alone
            }
        }
        Path links = root.resolve(LINKS);
        if (Files.isDirectory(links)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(links)) {
                for (Path link : entries) {
                    if (Files.isSymbolicLink(link) && !Files.exists(link)) {
                        Files.delete(link);
                    }
                }
            }
        }
        return removed;
    }

    /** Apparent size of a tree (regular files and symlinks; a hard-linked file once), for df. */
    static long size(Path tree) throws ImageException {
        long[] total = {0};
        Set<Object> seen = new HashSet<>();
        try {
            Files.walkFileTree(tree, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if ((attrs.isRegularFile() || attrs.isSymbolicLink())
                            && (attrs.fileKey() == null || seen.add(attrs.fileKey()))) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // vanished meanwhile: a size is an estimate anyway
                }
            });
        } catch (IOException e) {
            throw new ImageException("cannot measure " + tree + ": " + IoReason.of(e), e);
        }
        return total[0];
    }
}

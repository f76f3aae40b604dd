// Reads a docker-archive (`docker save` / `podman save --format docker-archive`): manifest.json → config, layer tars.
package jbox.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * manifest.json carries no digests. The config's file name is its sha256 (sha256:X is stored as
 * X.json, or blobs/sha256/X by newer docker), so it is checked against that; the layers are then
 * checked against the config's rootfs.diff_ids, which are the sha256 of each uncompressed layer tar.
 */
final class DockerArchiveReader {

    static final String MANIFEST_FILE = "manifest.json";
    /** The digest a file name carries: "X.json", "X.tar", "X/layer.tar" or "blobs/sha256/X". */
    private static final Pattern DIGEST_NAME = Pattern.compile("(?:^|/)([0-9a-f]{64})(?:\\.json|\\.tar)?$");

    private final ArchiveDir dir;
    private final String ref;

    /** @param ref a RepoTags entry ("name:tag", with or without its registry) to choose among images, or null */
    DockerArchiveReader(ArchiveDir dir, String ref) {
        this.dir = dir;
        this.ref = ref;
    }

    static boolean isArchive(ArchiveDir dir) {
        return dir.isFile(MANIFEST_FILE);
    }

    ImageContents read() throws ImageException {
        JsonNode manifest = ImageConfig.tree(dir.readDocument(MANIFEST_FILE, null, MANIFEST_FILE), MANIFEST_FILE);
        if (!manifest.isArray() || manifest.isEmpty()) {
            throw new ImageException(MANIFEST_FILE + " in " + dir.root() + " is not a non-empty list of images");
        }
        JsonNode image = choose(manifest);
        String configPath = ImageConfig.text(image, "Config", MANIFEST_FILE);
        if (configPath == null) {
            throw new ImageException(MANIFEST_FILE + " in " + dir.root() + " names no Config");
        }
        byte[] configBytes = dir.readDocument(configPath, null, "config");
        Digest configDigest = Digest.of(configBytes);
        Matcher named = DIGEST_NAME.matcher(configPath);
        if (named.find()) {
            VerifyingInputStream.check("config", configPath, new Digest(named.group(1)), -1, configDigest, -1);
        }
        ImageConfig config = ImageConfig.parse(configBytes, "config " + configPath);
        List<String> layerPaths = ImageConfig.strings(image, "Layers", MANIFEST_FILE);
        if (layerPaths.size() != config.diffIds().size()) {
            throw new ImageException(MANIFEST_FILE + " lists " + layerPaths.size() + " layers but config "
                    + configPath + " has " + config.diffIds().size() + " diff_ids");
        }
        List<ImageContents.Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerPaths.size(); i++) {
            layers.add(new ImageContents.Layer(layerPaths.get(i), "", null, -1, config.diffIds().get(i)));
        }
        return new ImageContents("docker-archive", null, configDigest, config, layers);
    }

    private JsonNode choose(JsonNode manifest) throws ImageException {
        List<String> tags = new ArrayList<>();
        JsonNode found = null;
        for (JsonNode image : manifest) {
            for (String tag : ImageConfig.strings(image, "RepoTags", MANIFEST_FILE)) {
                tags.add(tag);
                if (ref != null && (tag.equals(ref) || tag.endsWith("/" + ref))) {
                    found = image;
                }
            }
        }
        if (ref != null) {
            if (found == null) {
                throw new ImageException("no image tagged " + Quoted.of(ref) + " in " + MANIFEST_FILE + " of "
                        + dir.root() + " (it has: " + (tags.isEmpty() ? "no tags" : String.join(", ", tags)) + ")");
            }
            return found;
        }
        if (manifest.size() > 1) {
            throw new ImageException(MANIFEST_FILE + " in " + dir.root() + " holds " + manifest.size()
                    + " images: choose one with --ref (tags: " + String.join(", ", tags) + ")");
        }
        return manifest.get(0);
    }
}

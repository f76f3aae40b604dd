// Reads an OCI image layout (image-spec image-layout.md): index.json → manifest (via nested indexes) → config, layers.
package jbox.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every document below index.json is read through its descriptor and checked against its digest
 * and size before it is parsed. Layers are only listed here; their digests are checked while they
 * are applied (see {@link LayerApplier}).
 */
final class OciLayoutReader {

    static final String LAYOUT_FILE = "oci-layout";
    static final String INDEX_FILE = "index.json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    private static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_LIST);
    /** Nested indexes deeper than this are a loop or an abuse, not an image. */
    private static final int MAX_DEPTH = 4;

    private final ArchiveDir dir;
    private final String ref;

    /** @param ref the ref.name annotation to choose among several images, or null */
    OciLayoutReader(ArchiveDir dir, String ref) {
        this.dir = dir;
        this.ref = ref;
    }

    static boolean isLayout(ArchiveDir dir) {
        return dir.isFile(LAYOUT_FILE) && dir.isFile(INDEX_FILE);
    }

    ImageContents read() throws ImageException {
        checkLayoutVersion();
        JsonNode index = ImageConfig.tree(dir.readDocument(INDEX_FILE, null, INDEX_FILE), INDEX_FILE);
        Descriptor chosen = chooseByRef(descriptors(index, INDEX_FILE));
        for (int depth = 0; INDEXES.contains(chosen.mediaType()); depth++) {
            if (depth == MAX_DEPTH) {
                throw new ImageException("image indexes in " + dir.root() + " are nested more than " + MAX_DEPTH + " deep");
            }
            String what = "image index " + chosen.digest();
            JsonNode nested = ImageConfig.tree(blob(chosen, "image index"), what);
            chosen = choosePlatform(descriptors(nested, what), what);
        }
        if (!MANIFESTS.contains(chosen.mediaType())) {
            throw new ImageException("image " + chosen.digest() + " in " + dir.root() + " has media type "
                    + Quoted.of(chosen.mediaType()) + ", not an image manifest");
        }
        return readManifest(chosen);
    }

    private void checkLayoutVersion() throws ImageException {
        JsonNode layout = ImageConfig.tree(dir.readDocument(LAYOUT_FILE, null, LAYOUT_FILE), LAYOUT_FILE);
        String version = ImageConfig.text(layout, "imageLayoutVersion", LAYOUT_FILE);
        if (version == null || !version.startsWith("1.")) {
            throw new ImageException(LAYOUT_FILE + " in " + dir.root() + " has imageLayoutVersion "
                    + (version == null ? "missing" : Quoted.of(version)) + ", expected 1.x");
        }
    }

    private ImageContents readManifest(Descriptor manifestDescriptor) throws ImageException {
        String what = "manifest " + manifestDescriptor.digest();
        JsonNode manifest = ImageConfig.tree(blob(manifestDescriptor, "manifest"), what);
        Descriptor configDescriptor = Descriptor.parse(manifest.get("config"), what + " config");
        if (!configDescriptor.mediaType().equals(OCI_CONFIG) && !configDescriptor.mediaType().equals(DOCKER_CONFIG)) {
            throw new ImageException(what + " has config media type " + Quoted.of(configDescriptor.mediaType())
                    + ": not a container image");
        }
        ImageConfig config = ImageConfig.parse(blob(configDescriptor, "config"), "config " + configDescriptor.digest());
        JsonNode layers = manifest.get("layers");
        if (layers == null || !layers.isArray()) {
            throw new ImageException(what + " has no layers list");
        }
        if (layers.size() != config.diffIds().size()) {
            throw new ImageException(what + " lists " + layers.size() + " layers but its config has "
                    + config.diffIds().size() + " diff_ids");
        }
        List<ImageContents.Layer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = Descriptor.parse(layers.get(i), what + " layer " + (i + 1));
            out.add(new ImageContents.Layer(ArchiveDir.blobPath(layer.digest()), layer.mediaType(), layer.digest(),
                    layer.size(), config.diffIds().get(i)));
        }
        return new ImageContents("oci", manifestDescriptor.digest(), configDescriptor.digest(), config, out);
    }

    private byte[] blob(Descriptor descriptor, String what) throws ImageException {
        return dir.readDocument(ArchiveDir.blobPath(descriptor.digest()), descriptor, what);
    }

    private static List<Descriptor> descriptors(JsonNode index, String what) throws ImageException {
        JsonNode manifests = index.get("manifests");
        if (manifests == null || !manifests.isArray() || manifests.isEmpty()) {
            throw new ImageException(what + " lists no manifests");
        }
        List<Descriptor> out = new ArrayList<>();
        for (JsonNode node : manifests) {
            out.add(Descriptor.parse(node, what + " entry"));
        }
        return out;
    }

    /** index.json: --ref picks by ref.name; without it there must be one image (or one for this platform). */
    private Descriptor chooseByRef(List<Descriptor> all) throws ImageException {
        if (ref == null) {
            return choosePlatform(all, INDEX_FILE + " in " + dir.root());
        }
        List<Descriptor> named = all.stream().filter(d -> ref.equals(d.refName())).toList();
        if (named.isEmpty()) {
            throw new ImageException("no image named " + Quoted.of(ref) + " in " + INDEX_FILE + " of " + dir.root()
                    + " (it has: " + refNames(all) + ")");
        }
        return choosePlatform(named, "ref " + Quoted.of(ref) + " in " + dir.root());
    }

    private Descriptor choosePlatform(List<Descriptor> all, String what) throws ImageException {
        if (all.size() == 1) {
            return all.get(0);
        }
        String arch = HostPlatform.architecture();
        List<Descriptor> matching = all.stream()
                .filter(d -> "linux".equals(d.os()) && arch.equals(d.arch())).toList();
        if (matching.size() == 1) {
            return matching.get(0);
        }
        if (matching.isEmpty() && all.stream().allMatch(d -> d.os() != null)) {
            throw new ImageException(what + " has no image for linux/" + arch);
        }
        throw new ImageException(what + " holds " + all.size() + " images: choose one with --ref (refs: "
                + refNames(all) + ")");
    }

    private static String refNames(List<Descriptor> all) {
        String names = all.stream().map(Descriptor::refName).filter(n -> n != null)
                .distinct().collect(Collectors.joining(", "));
        return names.isEmpty() ? "none named" : names;
    }
}

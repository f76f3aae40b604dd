// The manifest documents of a registry pull: fetched by tag or digest, verified, told apart, and read.
package jbox.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jbox.image.Digest;
import jbox.image.ImageException;
import jbox.io.IoReason;

/**
 * Every manifest is hashed before it is parsed: fetched by digest it must have that digest; by
 * tag, the registry's Docker-Content-Digest (when sent) must match what came; reached through an
 * index, the index entry's digest and size. Media types are the OCI ones and docker's v2 ones;
 * docker's schema 1 (signed, pre-2017) is refused.
 */
final class Manifests {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_LIST);
    static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    private static final String ACCEPT = String.join(", ", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);
    /** As the image code's limit on documents it holds in memory. */
    static final int MAX_DOCUMENT = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A fetched, verified document. */
    record Document(String mediaType, Digest digest, byte[] content, JsonNode json) {
    }

    /** A blob a manifest names. */
    record Blob(String mediaType, Digest digest, long size) {
    }

    private Manifests() {
    }

    /**
     * GET /v2/NAME/manifests/REF. {@code expected} (a digest reference or an index entry's) and
     * {@code expectedSize} (-1: unknown) must match what comes.
     */
    static Document fetch(RegistryClient client, RemoteImage image, String reference, Digest expected,
            long expectedSize) throws ImageException {
        String what = "manifest " + image.registry() + "/" + image.path()
                + (reference.startsWith("sha256:") ? "@" : ":") + reference;
        HttpResponse<InputStream> r = client.send("GET", client.repoPath("manifests/" + reference),
                Map.of("Accept", ACCEPT), null, what);
        if (r.statusCode() == 404) {
            throw RegistryClient.error(r, what + " not found");
        }
        RegistryClient.check(r, what);
        byte[] content;
        try (InputStream in = r.body()) {
            content = in.readNBytes(MAX_DOCUMENT + 1);
        } catch (IOException e) {
            throw new ImageException("cannot read " + what + ": " + IoReason.of(e), e);
        }
        if (content.length > MAX_DOCUMENT) {
            throw new ImageException(what + " is larger than " + MAX_DOCUMENT + " bytes");
        }
        Digest actual = Digest.of(content);
        String sent = r.headers().firstValue("Docker-Content-Digest").orElse(null);
        Digest claimed = expected != null ? expected : sent == null ? null : Digest.parse(sent, what);
        if (claimed != null && !claimed.equals(actual)) {
            throw new BlobFetch.Mismatch(what + " does not match its digest: expected " + claimed + ", got " + actual);
        }
        if (expectedSize >= 0 && expectedSize != content.length) {
            throw new BlobFetch.Mismatch(what + " has " + content.length + " bytes, its descriptor says " + expectedSize);
        }
        JsonNode json;
        try {
            json = JSON.readTree(content);
        } catch (IOException e) {
            throw new ImageException("cannot parse " + what + ": not json");
        }
        if (json == null || !json.isObject()) {
            throw new ImageException(what + " is not a json object");
        }
        String type = json.path("mediaType").asText("");
        if (type.isEmpty()) {
            type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
        }
        if (type.startsWith("application/vnd.docker.distribution.manifest.v1")) {
            throw new ImageException(what + " is a docker schema 1 manifest, which jbox does not read");
        }
        if (!INDEXES.contains(type) && !MANIFESTS.contains(type)) {
            type = json.has("manifests") ? OCI_INDEX : json.has("layers") ? OCI_MANIFEST : type;
        }
        if (!INDEXES.contains(type) && !MANIFESTS.contains(type)) {
            throw new ImageException(what + " has media type " + (type.isEmpty() ? "none" : type)
                    + ", not an image manifest or index");
        }
        return new Document(type, actual, content, json);
    }

    /** An index's manifest entries with their platforms. */
    static List<Platform.Entry> entries(Document index) throws ImageException {
        JsonNode manifests = index.json().path("manifests");
        if (!manifests.isArray() || manifests.isEmpty()) {
            throw new ImageException("image index " + index.digest() + " lists no manifests");
        }
        List<Platform.Entry> out = new ArrayList<>();
        for (JsonNode m : manifests) {
            Blob b = blob(m, "image index " + index.digest() + " entry");
            JsonNode p = m.path("platform");
            out.add(new Platform.Entry(b.mediaType(), b.digest().toString(), b.size(), text(p, "os"),
                    text(p, "architecture"), text(p, "variant")));
        }
        return out;
    }

    static Blob config(Document manifest) throws ImageException {
        return blob(manifest.json().get("config"), "manifest " + manifest.digest() + " config");
    }

    static List<Blob> layers(Document manifest) throws ImageException {
        JsonNode layers = manifest.json().path("layers");
        if (!layers.isArray()) {
            throw new ImageException("manifest " + manifest.digest() + " has no layers list");
        }
        List<Blob> out = new ArrayList<>();
        int i = 0;
        for (JsonNode l : layers) {
            out.add(blob(l, "manifest " + manifest.digest() + " layer " + ++i));
        }
        return out;
    }

    static Blob blob(JsonNode node, String what) throws ImageException {
        if (node == null || !node.isObject()) {
            throw new ImageException(what + " is not a descriptor object");
        }
        Digest digest = Digest.parse(text(node, "digest"), what);
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || size.asLong() < 0) {
            throw new ImageException(what + " " + digest + " has no valid size");
        }
        String type = text(node, "mediaType");
        return new Blob(type == null ? "" : type, digest, size.asLong());
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}

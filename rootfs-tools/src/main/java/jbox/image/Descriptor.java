// An OCI content descriptor: what a blob is (media type), its digest and size, and optional annotations/platform.
package jbox.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * @param size     the blob's size in bytes, or -1 when the document did not give one (docker-archive)
 * @param refName  the org.opencontainers.image.ref.name annotation, or null
 * @param os       platform.os, or null
 * @param arch     platform.architecture, or null
 */
record Descriptor(String mediaType, Digest digest, long size, String refName, String os, String arch) {

    static final String REF_NAME = "org.opencontainers.image.ref.name";

    static Descriptor parse(JsonNode node, String what) throws ImageException {
        if (node == null || !node.isObject()) {
            throw new ImageException(what + " is not a descriptor object");
        }
        Digest digest = Digest.parse(text(node, "digest"), what);
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || size.asLong() < 0) {
            throw new ImageException(what + " " + digest + " has no valid size");
        }
        JsonNode platform = node.path("platform");
        return new Descriptor(Optional.ofNullable(text(node, "mediaType")).orElse(""), digest, size.asLong(),
                text(node.path("annotations"), REF_NAME), text(platform, "os"), text(platform, "architecture"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}

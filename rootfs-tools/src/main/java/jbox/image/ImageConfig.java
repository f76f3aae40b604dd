// The parts of an OCI / docker image config that jbox uses: run defaults and the layers' diff ids.
package jbox.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * @param diffIds sha256 of each layer's uncompressed tar, in order (rootfs.diff_ids)
 * @param kept    what `image history` and `image inspect` show later: the config's created, author,
 *                architecture, os, history, rootfs and config.Labels, as the image has them
 */
record ImageConfig(List<String> env, List<String> cmd, List<String> entrypoint, String workingDir, String user,
        String os, String architecture, List<Digest> diffIds, JsonNode kept, List<String> exposedPorts) {

    static final ObjectMapper JSON = new ObjectMapper();

    static ImageConfig parse(byte[] content, String what) throws ImageException {
        JsonNode root = tree(content, what);
        if (!root.isObject()) {
            throw new ImageException(what + " is not a json object");
        }
        JsonNode config = root.path("config");
        String os = text(root, "os", what);
        if (os != null && !os.equals("linux")) {
            throw new ImageException(what + " is an image for " + os + ", not linux");
        }
        JsonNode rootfs = root.path("rootfs");
        if (!"layers".equals(text(rootfs, "type", what))) {
            throw new ImageException(what + " has no rootfs of type \"layers\"");
        }
        List<Digest> diffIds = new ArrayList<>();
        for (String id : strings(rootfs, "diff_ids", what)) {
            diffIds.add(Digest.parse(id, what + " rootfs.diff_ids"));
        }
        String workingDir = text(config, "WorkingDir", what);
        ObjectNode kept = JSON.createObjectNode();
        for (String f : List.of("created", "author", "architecture", "os", "history", "rootfs")) {
            if (root.hasNonNull(f)) {
                kept.set(f, root.get(f));
            }
        }
        if (config.hasNonNull("Labels")) {
            kept.putObject("config").set("Labels", config.get("Labels"));
        }
        return new ImageConfig(strings(config, "Env", what), strings(config, "Cmd", what),
                strings(config, "Entrypoint", what), workingDir == null ? "" : workingDir,
                resolvedOrEmpty(text(config, "User", what)), os, text(root, "architecture", what), diffIds, kept,
                exposedPorts(config, what));
    }

    static JsonNode tree(byte[] content, String what) throws ImageException {
        try {
            JsonNode node = JSON.readTree(content);
            if (node == null) {
                throw new ImageException(what + " is empty");
            }
            return node;
        } catch (IOException e) {
            throw new ImageException("cannot parse " + what + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** config.ExposedPorts: {"80/tcp": {}, "53/udp": {}} → ["80/tcp", "53/udp"] (docker's key form; jbox run -P reads them). */
    static List<String> exposedPorts(JsonNode config, String what) throws ImageException {
        JsonNode value = config.get("ExposedPorts");
        List<String> out = new ArrayList<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isObject()) {
            throw new ImageException(what + ": field ExposedPorts must be an object");
        }
        value.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String resolvedOrEmpty(String user) {
        return user == null ? "" : user;
    }

    static String text(JsonNode node, String field, String what) throws ImageException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ImageException(what + ": field " + field + " must be a string");
        }
        return value.asText();
    }

    static List<String> strings(JsonNode node, String field, String what) throws ImageException {
        JsonNode value = node.get(field);
        List<String> out = new ArrayList<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isArray()) {
            throw new ImageException(what + ": field " + field + " must be a list of strings");
        }
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new ImageException(what + ": field " + field + " must be a list of strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed json";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}

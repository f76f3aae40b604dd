// Registry credentials in docker's config.json format ({"auths": {"REGISTRY": {"auth": base64(user:password)}}}), root-only.
package jbox.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import jbox.image.ImageException;
import jbox.io.AtomicFile;
import jbox.io.FileModes;
import jbox.io.IoReason;

/**
 * The file is 0600 in a 0700 directory, both made with those modes (never the umask's), and the
 * file is replaced whole on every change, so a reader never sees half of it. Other top-level keys
 * (a docker config copied here) are kept. Docker Hub's entry is keyed as docker writes it,
 * "https://index.docker.io/v1/"; other registries as host[:port]. Reading also accepts the
 * "https://host" spellings other tools write. The directory is jbox's own (registry.auth_file
 * names a file in it): found looser than 0700, it is tightened.
 */
final class AuthFile {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    /** A user name and password (or token) for one registry. */
    record Credentials(String user, String password) {
        String basic() {
            return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Credentials[" + user + ", password hidden]";
        }
    }

    private final Path file;

    AuthFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    /** The credentials stored for {@code registry} ("docker.io", "127.0.0.1:5000"), or null. */
    Credentials find(String registry) throws ImageException {
        JsonNode auths = read().path("auths");
        for (String key : keys(registry)) {
            JsonNode entry = auths.get(key);
            if (entry != null && entry.path("auth").isTextual()) {
                return decode(entry.path("auth").asText(), key);
            }
        }
        return null;
    }

    void store(String registry, Credentials credentials) throws ImageException {
        ObjectNode root = read();
        JsonNode auths = root.get("auths");
        ObjectNode map = auths instanceof ObjectNode o ? o : root.putObject("auths");
        for (String key : keys(registry)) {
            map.remove(key);
        }
        map.putObject(keys(registry).get(0)).put("auth", credentials.basic());
        write(root);
    }

    /** Removes every spelling of {@code registry}; false when there was none. */
    boolean remove(String registry) throws ImageException {
        ObjectNode root = read();
        if (!(root.get("auths") instanceof ObjectNode map)) {
            return false;
        }
        boolean removed = false;
        for (String key : keys(registry)) {
            removed |= map.remove(key) != null;
        }
        if (removed) {
            write(root);
        }
        return removed;
    }

    /** The keys a registry's entry may have, the one jbox writes first. */
    static List<String> keys(String registry) {
        if (registry.equals(RemoteImage.DOCKER_HUB)) {
            return List.of(DOCKER_HUB_KEY, "docker.io", "index.docker.io", "https://index.docker.io/v1",
                    RemoteImage.DOCKER_HUB_API, "https://" + RemoteImage.DOCKER_HUB_API);
        }
        return List.of(registry, "https://" + registry, "http://" + registry, "https://" + registry + "/v2/",
                "https://" + registry + "/v1/");
    }

    private static Credentials decode(String auth, String key) throws ImageException {
        String plain;
        try {
            plain = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ImageException("credentials for " + key + " are not valid base64");
        }
        int colon = plain.indexOf(':');
        if (colon <= 0) {
            throw new ImageException("credentials for " + key + " are not user:password");
        }
        return new Credentials(plain.substring(0, colon), plain.substring(colon + 1));
    }

    private ObjectNode read() throws ImageException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(file));
            if (node instanceof ObjectNode o) {
                return o;
            }
            throw new ImageException("credentials file " + file + " is not a json object");
        } catch (IOException e) {
            throw new ImageException("cannot read credentials file " + file + ": " + IoReason.of(e), e);
        }
    }

    private void write(ObjectNode root) throws ImageException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                FileModes.createDirectory(dir, FileModes.PRIVATE_DIR);
            }
            FileModes.set(dir, FileModes.PRIVATE_DIR);
            AtomicFile.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root),
                    FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new ImageException("cannot write credentials file " + file + ": " + IoReason.of(e), e);
        }
    }
}

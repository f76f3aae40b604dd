package jbox.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jbox.JboxException;

/** A bundle directory for OciConfig tests: rootfs/ and a config.json written from a string or a tree. */
final class OciBundle {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The smallest config jbox runs: one command, its own mount, pid and uts namespaces. */
    static final String MINIMAL = """
            {
              "ociVersion": "1.0.2",
              "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/"},
              "root": {"path": "rootfs"},
              "hostname": "box",
              "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}, {"type": "uts"}]}
            }
            """;

    final Path dir;

    OciBundle(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("rootfs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode minimal() {
        try {
            return (ObjectNode) JSON.readTree(MINIMAL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ContainerSpec read(String configJson) throws JboxException {
        try {
            Files.writeString(dir.resolve("config.json"), configJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return OciConfig.read(dir);
    }

    ContainerSpec read(ObjectNode config) throws JboxException {
        return read(config.toPrettyString());
    }
}

package jbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Looks at containers from the host side, as an administrator would: state.json and /proc. */
final class Containers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Containers() {
    }

    /** The state of the container named {@code name} once it is running, or fails after 20 s. */
    static JsonNode awaitRunning(String name) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode s = find(name);
            if (s != null && "running".equals(s.path("status").asText()) && s.path("pid").asLong() > 0) {
                return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("container " + name + " did not start within 20 s");
    }

    static JsonNode find(String name) throws IOException {
        if (!Files.isDirectory(Jbox.STATE)) {
            return null;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Jbox.STATE)) {
            for (Path d : ds) {
                Path f = d.resolve("state.json");
                if (Files.exists(f)) {
                    try {
                        JsonNode n = JSON.readTree(f.toFile());
                        if (name.equals(n.path("name").asText())) {
                            return n;
                        }
                    } catch (IOException raced) {
                        // replaced while we read it: look again on the next poll
                    }
                }
            }
        }
        return null;
    }

    /** The state of a container that a test is still using (it has a state directory), or null. */
    static Path findById(String id) {
        Path d = Jbox.STATE.resolve(id);
        return Files.isDirectory(d) ? d : null;
    }

    static String procStatus(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return null;
    }

    static boolean alive(long pid) {
        return Files.exists(Path.of("/proc/" + pid));
    }

    static void awaitGone(long pid) throws InterruptedException {
        for (int i = 0; i < 200 && alive(pid); i++) {
            Thread.sleep(50);
        }
    }

    static String uniqueName(String prefix) {
        return prefix + "-" + Long.toHexString(System.nanoTime());
    }
}

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

    /** The state of the container named {@code name} once it is running, or fails at Await's deadline. */
    static JsonNode awaitRunning(String name) throws Exception {
        JsonNode[] running = new JsonNode[1];
        Await.until("container " + name + " running", () -> {
            JsonNode s = find(name);
            running[0] = s;
            return s != null && "running".equals(s.path("status").asText()) && s.path("pid").asLong() > 0;
        });
        return running[0];
    }

    /**
     * Returns once {@code pid} runs {@code program} (its comm): the plan has reached its exec. A
     * signal sent before that would meet the shim's init, not the workload.
     */
    static void awaitExec(long pid, String program) throws Exception {
        Await.until("pid " + pid + " exec'd " + program, () -> program.equals(comm(pid)));
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

    /** As awaitExec, for the workload under --init: a child of PID 1 {@code pid} runs {@code program}. */
    static void awaitChildExec(long pid, String program) throws Exception {
        Await.until("a child of pid " + pid + " exec'd " + program, () -> ProcessHandle.of(pid)
                .map(p -> p.children().anyMatch(c -> program.equals(comm(c.pid())))).orElse(false));
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException gone) {
            return "";
        }
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

    /** Returns once {@code pid} is gone, or at Await's deadline (callers assert what they expect). */
    static void awaitGone(long pid) throws Exception {
        Await.within(Await.DEADLINE, () -> !alive(pid));
    }

    static String uniqueName(String prefix) {
        return prefix + "-" + Long.toHexString(System.nanoTime());
    }
}

// podman and skopeo for interop tests, confined to a temp dir: own storage (vfs: no mounts), own config, no network.
package jbox.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Closing resets the store and deletes the whole dir, so a failing test leaves nothing of podman's. */
final class Podman implements AutoCloseable {

    private final Path dir;
    private final Path conf;
    private final Path policy;

    Podman(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.conf = Files.writeString(dir.resolve("containers.conf"),
                "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n");
        this.policy = Files.writeString(dir.resolve("policy.json"),
                "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
    }

    static boolean installed(String tool) {
        for (String p : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(p, tool))) {
                return true;
            }
        }
        return false;
    }

    Jbox.Result podman(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", dir.resolve("storage").toString(),
                "--runroot", dir.resolve("run").toString(), "--storage-driver", "vfs",
                "--tmpdir", dir.resolve("tmp").toString()));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd);
    }

    Jbox.Result skopeo(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "--policy", policy.toString()));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd);
    }

    private Jbox.Result exec(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CONTAINERS_CONF", conf.toString());
        pb.environment().put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd.get(0) + " did not finish in 120 s");
        }
        return new Jbox.Result(p.exitValue(), out, err);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            podman("system", "reset", "-f");
        } finally {
            Jbox.host("rm", "-rf", "--one-file-system", dir.toString());
        }
    }
}

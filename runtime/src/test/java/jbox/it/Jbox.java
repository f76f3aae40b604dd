package jbox.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built jbox (target/jbox: the native front end, beside jbox-jvm, jbox.jar and jbox-shim)
 * the way a user does, with JBOX_ENGINE and JBOX_ENGINE_SOCKET from the environment (failsafe sets
 * both: the engine on or off, and this run's private engine directory, see Engines), against a test data root (/var/lib/jbox-it-PID, removed when the test JVM exits) and
 * the real state root /run/jbox, so CI's leak check sees anything a test leaves behind.
 */
final class Jbox {
    static final Path LAUNCHER = Path.of(System.getProperty("jbox.launcher", "target/jbox")).toAbsolutePath();
    /** One data root per test JVM, so two test runs on one machine cannot remove each other's images. */
    static final Path DATA = Path.of("/var/lib/jbox-it-" + ProcessHandle.current().pid());
    static final Path STATE = Path.of("/run/jbox");
    static final String IMAGE = "busybox";
    static final String PROBE_IMAGE = "probe";
    private static Path config;

    static {
        Engines.stopAllAtExit(); // any test that reaches the launcher's path may have started one
    }

    record Result(int code, String out, String err) {
        String all() {
            return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    private Jbox() {
    }

    /** Writes the test config and builds the test images once per test JVM. */
    static synchronized void setUp() throws Exception {
        if (config != null) {
            return;
        }
        Files.createDirectories(DATA);
        Path c = Files.createTempFile("jbox-it", ".properties");
        // net.default=none: tests that are not networking tests must never create a bridge on the
        // host; networking tests run jbox inside a network namespace of their own.
        Files.writeString(c, "data.root=" + DATA + "\nstate.root=" + STATE + "\nnet.default=none\n");
        config = c;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                awaitMonitors(); // their `internal-finish` needs this config and data root
                new ProcessBuilder("rm", "-rf", "--one-file-system", DATA.toString(), c.toString()).inheritIO().start().waitFor();
            } catch (Exception ignored) {
                // best effort at JVM exit
            }
        }));
        check(run("image", "build-default"));
        Path probe = Path.of("target/jbox-probe");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-Wall", "-Werror", "-o", probe.toString(),
                "src/test/c/jbox-probe.c").inheritIO().start();
        if (gcc.waitFor() != 0) {
            throw new IllegalStateException("cannot build the test probe with gcc -static");
        }
        // The probe image: busybox's tree plus the probe, imported as a layer of its own (tests change
        // files in it by hand, which must not reach busybox's layer).
        Path tar = Files.createTempFile("jbox-probe", ".tar");
        try {
            host("tar", "-C", rootfs(IMAGE).toString(), "--numeric-owner", "--owner=0", "--group=0", "-cf",
                    tar.toString(), ".");
            host("tar", "-C", probe.getParent().toString(), "--numeric-owner", "--owner=0", "--group=0",
                    "--transform", "s,^,./bin/,", "-rf", tar.toString(), probe.getFileName().toString());
            check(run("image", "import", PROBE_IMAGE, tar.toString()));
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    /**
     * The directory holding a one-layer image's tree on the host (its layer under images/.layers/),
     * or an older-format image's rootfs/. Tests look into it, copy it, and change it by hand.
     */
    static Path rootfs(String image) throws IOException {
        Path dir = DATA.resolve("images").resolve(image);
        com.fasterxml.jackson.databind.JsonNode meta = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("image.json").toFile());
        com.fasterxml.jackson.databind.JsonNode layers = meta.path("layers");
        if (layers.size() == 0) {
            return dir.resolve("rootfs");
        }
        if (layers.size() != 1) {
            throw new IllegalStateException("image " + image + " has " + layers.size() + " layers, not one rootfs");
        }
        return DATA.resolve("images/.layers").resolve(layers.get(0).asText().substring("sha256:".length())
                + "-" + meta.path("uidBase").asLong() + "-" + meta.path("gidBase").asLong()).resolve("diff");
    }

    private static void check(Result r) {
        if (r.code() != 0) {
            throw new IllegalStateException("test set-up failed: " + r.all());
        }
    }

    static ProcessBuilder builder(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JBOX_CONFIG", config.toString());
        pb.environment().putIfAbsent("JBOX_ENGINE", "off"); // run outside failsafe: still the cold path
        return pb;
    }

    /** A config file with the test settings plus {@code extra} lines (key=value). */
    static Path configWith(Path dir, String extra) throws IOException {
        Path c = dir.resolve("jbox-it-extra.properties");
        Files.writeString(c, Files.readString(config) + extra + "\n");
        return c;
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return runWithInput(null, args);
    }

    static Result runWithInput(String stdin, String... args) throws IOException, InterruptedException {
        Process p = start(args);
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        return finish(p);
    }

    static Result finish(Process p) throws IOException, InterruptedException {
        // Read both streams fully; tests print little, so reading stderr after stdout cannot block.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("jbox did not finish in 120 s");
        }
        return new Result(p.exitValue(), out, err);
    }

    static Process start(String... args) throws IOException {
        if (config == null) {
            throw new IllegalStateException("call Jbox.setUp() first");
        }
        Process p = builder(args).start();
        started.add(p);
        return p;
    }

    private static final List<Process> started = new ArrayList<>();

    /**
     * After each test, pass or fail: SIGKILL any jbox a test started that still runs (its shim then
     * kills the container), and remove what those left, restricted to this test data root.
     */
    static void cleanUp() throws Exception {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        started.clear();
        if (!Files.isDirectory(STATE)) {
            return;
        }
        try (var dirs = Files.list(STATE)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                Path state = d.resolve("state.json");
                Path layer = DATA.resolve("containers").resolve(d.getFileName());
                try {
                    // Owned: its jbox holds lock, or its monitor (the shim of a detached one, until its
                    // `internal-finish` has released network and cgroup and removed it) monitor.lock.
                    // Removing a container whose monitor still finishes it left its cgroup behind.
                    boolean owned = locked(d.resolve("lock")) || locked(d.resolve("monitor.lock"));
                    if (Files.exists(layer) && !owned) {
                        host("rm", "-rf", "--one-file-system", d.toString(), layer.toString());
                    } else if (!Files.exists(state) && !Files.exists(layer) && !owned
                            && Files.getLastModifiedTime(d).toMillis() < System.currentTimeMillis() - 60_000) {
                        host("rm", "-rf", "--one-file-system", d.toString());
                    }
                } catch (java.nio.file.NoSuchFileException removedMeanwhile) {
                    // its own jbox (this test run's or another's) removed it after the listing
                }
            }
        }
    }

    /**
     * Waits (60 s at most) until no monitor of this data root's containers runs: a detached container
     * killed by the last test is still being finished (network, cgroup, its removal) by the
     * `internal-finish` its shim runs, which reads this JVM's config; removing that first left the
     * container's cgroup and state directory behind.
     */
    private static void awaitMonitors() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && Files.isDirectory(STATE)) {
            boolean running = false;
            try (var dirs = Files.list(STATE)) {
                for (Path d : dirs.toList()) {
                    running |= Files.exists(DATA.resolve("containers").resolve(d.getFileName()))
                            && locked(d.resolve("monitor.lock"));
                }
            }
            if (!running) {
                return;
            }
            Thread.sleep(50); // polling a condition, with the deadline above
        }
    }

    private static boolean locked(Path lock) {
        return jbox.io.LockFile.isHeld(lock);
    }

    /** Host command, e.g. ipcmk; returns stdout. */
    /**
     * Waits until no removed container's layer is being deleted any more: an engine deletes a
     * --rm run's layer after its reply (`.gone-ID` beside the others). For tests that list or walk
     * DATA, which a deletion going on would change under them.
     */
    static void awaitRemovedLayersDeleted() throws Exception {
        Path dir = DATA.resolve("containers");
        Await.until("the layers of removed containers deleted", () -> {
            if (!Files.isDirectory(dir)) {
                return true;
            }
            try (var s = Files.list(dir)) {
                return s.noneMatch(p -> p.getFileName().toString().startsWith(".gone-"));
            }
        });
    }

    static String host(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}

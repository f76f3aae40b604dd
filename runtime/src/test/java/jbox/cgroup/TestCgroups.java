package jbox.cgroup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the cgroup integration tests share: a parent of their own ("jbox-test-<random>", so that
 * nothing collides with real jbox use), processes started for them, and a sweep that removes
 * everything under that parent, in every hierarchy, whatever the test left.
 */
final class TestCgroups {
    static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final List<Process> processes = new ArrayList<>();
    final String parent;

    TestCgroups() {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        parent = "jbox-test-" + HexFormat.of().formatHex(random);
    }

    static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1].equals("0");
            }
        }
        return false;
    }

    /** A process kept for the sweep; its stdin stays open so a `read go` in it waits for {@link #go}. */
    Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    static void go(Process p) throws IOException {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** Kills what the test started, removes every container cgroup under the parent, then the parent. */
    void sweep(CgroupHost host) throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        Exception failure = null;
        for (String id : ContainerCgroup.list(host, parent)) {
            try {
                Optional<ContainerCgroup> c = ContainerCgroup.open(host, parent, id);
                if (c.isPresent()) {
                    c.get().remove();
                }
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        for (Path dir : leftovers()) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The parent's directories still there: /sys/fs/cgroup/PARENT (v2) and /sys/fs/cgroup/X/PARENT (v1, unified). */
    List<Path> leftovers() throws IOException {
        List<Path> left = new ArrayList<>();
        if (Files.exists(ROOT.resolve(parent), LinkOption.NOFOLLOW_LINKS)) {
            left.add(ROOT.resolve(parent));
        }
        try (DirectoryStream<Path> mounts = Files.newDirectoryStream(ROOT)) {
            for (Path mount : mounts) {
                if (Files.isDirectory(mount, LinkOption.NOFOLLOW_LINKS) && Files.exists(mount.resolve(parent))) {
                    left.add(mount.resolve(parent));
                }
            }
        }
        return left;
    }

    /** The lines of /proc/PID/cgroup: "4:memory:/jbox-test-x/c1", "0::/jbox-test-x/c1". */
    static List<String> procCgroup(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
    }
}

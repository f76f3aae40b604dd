package jbox.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lays out in a temporary directory the files the kernel shows at the top of cgroup mounts, so
 * that detection and creation can be tested without root. What jbox writes lands in plain files.
 */
final class FakeCgroupTree {
    private FakeCgroupTree() {
    }

    /** A v1 hierarchy mounted at root/name ("cpu,cpuacct" for co-mounted controllers). */
    static Path v1Hierarchy(Path root, String name) throws IOException {
        Path h = Files.createDirectories(root.resolve(name));
        Files.writeString(h.resolve("cgroup.procs"), "1\n");
        for (String controller : name.split(",")) {
            switch (controller) {
                case "memory" -> {
                    Files.writeString(h.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
                    Files.writeString(h.resolve("memory.memsw.limit_in_bytes"), "9223372036854771712\n");
                }
                case "cpu" -> {
                    Files.writeString(h.resolve("cpu.cfs_quota_us"), "-1\n");
                    Files.writeString(h.resolve("cpu.cfs_period_us"), "100000\n");
                    Files.writeString(h.resolve("cpu.shares"), "1024\n");
                }
                case "cpuset" -> {
                    Files.writeString(h.resolve("cpuset.cpus"), "0-3\n");
                    Files.writeString(h.resolve("cpuset.mems"), "0\n");
                }
                default -> {
                }
            }
        }
        return h;
    }

    /** A v1 host as this project's CI machine: one hierarchy per controller, name=systemd, an empty cgroup2. */
    static Path hybrid(Path root) throws IOException {
        for (String c : new String[] {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"}) {
            v1Hierarchy(root, c);
        }
        Files.createDirectories(root.resolve("systemd"));
        Files.writeString(root.resolve("systemd/cgroup.procs"), "1\n");
        unified(root.resolve("unified"), "");
        return root;
    }

    /** A cgroup2 mount with the given controllers available and none delegated yet. */
    static Path unified(Path root, String controllers) throws IOException {
        Files.createDirectories(root);
        Files.writeString(root.resolve("cgroup.controllers"), controllers + "\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(root.resolve("cgroup.procs"), "1\n");
        return root;
    }
}

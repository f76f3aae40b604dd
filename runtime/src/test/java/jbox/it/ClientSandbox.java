// Where an interop test confines a real OCI client (podman, containerd): a temp dir and a cgroup sub-tree of its own.
package jbox.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The client keeps its store, sockets and state in {@code dir}, and podman (--cgroup-parent) and
 * containerd (ctr run --cgroup) put every container's cgroup under {@code parent}. {@link #cleanUp}
 * then finds what a failed run left: it kills what is left in the sub-tree and whatever still names
 * the dir (conmon, containerd and its shims), unmounts what remains under the dir and removes the
 * sub-tree in every hierarchy. Removing the dir itself is the caller's last step.
 */
final class ClientSandbox {
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    final Path dir;
    /** The parent cgroup path, e.g. "/jbox-podman-it-PID". */
    final String parent;

    ClientSandbox(Path dir, String parent) {
        this.dir = dir;
        this.parent = parent;
    }

    /** Kills, unmounts and removes what the client left (see the class comment). */
    void cleanUp() throws Exception {
        Await.within(Await.DEADLINE, () -> killLeftovers() == 0);
        unmountUnder(dir);
        removeCgroups();
    }

    static boolean isV2() {
        return Files.exists(CGROUP_ROOT.resolve("cgroup.controllers"));
    }

    /** The process's cgroup path in {@code controller}'s v1 hierarchy, or its v2 path. */
    static String cgroupOf(long pid, String controller) throws IOException {
        String v2 = null;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f[1].isEmpty()) {
                v2 = f[2];
            } else if (Arrays.asList(f[1].split(",")).contains(controller)) {
                return f[2];
            }
        }
        if (v2 == null) {
            throw new AssertionError("no " + controller + " cgroup for pid " + pid);
        }
        return v2;
    }

    /** The host directory of cgroup path {@code cg} in {@code controller}'s hierarchy (v2: the unified tree). */
    static Path hostDir(String controller, String cg) {
        Path root = isV2() ? CGROUP_ROOT : CGROUP_ROOT.resolve(controller);
        return root.resolve(cg.substring(1));
    }

    /** The memory limit file of cgroup {@code cg}: memory.max on v2, memory.limit_in_bytes on v1. */
    static Path memoryLimit(String cg) {
        return hostDir("memory", cg).resolve(isV2() ? "memory.max" : "memory.limit_in_bytes");
    }

    /** Our sub-tree in every mounted hierarchy (each v1 controller, the v2 unified tree). */
    List<Path> trees() throws IOException {
        List<Path> trees = new ArrayList<>();
        if (isV2()) {
            trees.add(CGROUP_ROOT.resolve(parent.substring(1)));
        } else {
            try (Stream<Path> hs = Files.list(CGROUP_ROOT)) {
                hs.filter(h -> Files.isDirectory(h) && !Files.isSymbolicLink(h))
                        .forEach(h -> trees.add(h.resolve(parent.substring(1))));
            }
        }
        return trees.stream().filter(Files::isDirectory).toList();
    }

    /** SIGKILLs every process in the sub-tree or whose command line names the dir; returns how many. */
    private int killLeftovers() throws IOException {
        String marker = dir.toString();
        Set<Long> pids = new LinkedHashSet<>();
        for (Path tree : trees()) {
            try (Stream<Path> dirs = Files.walk(tree)) {
                for (Path d : dirs.filter(Files::isDirectory).toList()) {
                    try {
                        Files.readAllLines(d.resolve("cgroup.procs")).forEach(l -> pids.add(Long.parseLong(l.trim())));
                    } catch (IOException gone) {
                        // removed while we walked
                    }
                }
            }
        }
        ProcessHandle.allProcesses().forEach(ph -> {
            try {
                String cmdline = Files.readString(Path.of("/proc/" + ph.pid() + "/cmdline"), StandardCharsets.ISO_8859_1);
                if (cmdline.contains(marker)) {
                    pids.add(ph.pid());
                }
            } catch (IOException gone) {
                // exited
            }
        });
        pids.remove(ProcessHandle.current().pid());
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        return pids.size();
    }

    /** rmdir bottom-up; a cgroup whose last process is still exiting is tried again until the deadline. */
    private void removeCgroups() throws Exception {
        boolean removed = Await.within(Await.DEADLINE, () -> {
            List<Path> trees = trees();
            for (Path tree : trees) {
                List<Path> dirs;
                try (Stream<Path> s = Files.walk(tree)) {
                    dirs = s.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
                }
                for (Path d : dirs) {
                    try {
                        Files.delete(d);
                    } catch (IOException busy) {
                        // still has a process or a child; next attempt
                    }
                }
            }
            return trees.isEmpty();
        });
        if (!removed) {
            throw new IllegalStateException("cgroups left behind: " + trees());
        }
    }

    /** Lazily unmounts every mount point under {@code dir}, deepest first (containerd's overlay rootfs, podman's shm). */
    private static void unmountUnder(Path dir) throws Exception {
        String prefix = dir.toString() + "/";
        List<String> points = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4].replace("\\040", " "))
                .filter(m -> m.startsWith(prefix))
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        for (String m : points) {
            new ProcessBuilder("umount", "-l", m).redirectErrorStream(true).start().waitFor();
        }
    }
}

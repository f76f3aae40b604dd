package jbox.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import jbox.JboxException;

/**
 * What the host's cgroups look like: v2 (a unified hierarchy: cgroup.controllers at the root) or
 * v1 (one mounted hierarchy per controller, possibly beside an empty cgroup2 at unified/: hybrid),
 * which controllers are there, and whether a set of limits can be honoured on it.
 */
public final class CgroupHost {
    public enum Version { V1, V2 }

    public static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");

    /**
     * The v1 controllers a container joins: those its limits and usage need, plus freezer (a
     * clean kill) and cpuset (so that a later --cpuset-cpus finds the container already there).
     */
    static final List<String> V1_JOINED = List.of("cpuset", "cpu", "cpuacct", "memory", "pids", "freezer");
    /** The v2 controllers a container's parents delegate to it when the host has them. */
    static final List<String> V2_ENABLED = List.of("memory", "pids", "cpu");

    private static final Set<String> V1_CONTROLLERS = Set.of("blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer",
            "hugetlb", "memory", "misc", "net_cls", "net_prio", "perf_event", "pids", "rdma");

    private final Version version;
    private final Path root;
    private final boolean hybrid;
    private final Set<String> controllers;
    /** v1: each controller's hierarchy as a real path (co-mounted ones, e.g. cpu,cpuacct, share one). */
    private final Map<String, Path> hierarchies;

    private CgroupHost(Version version, Path root, boolean hybrid, Set<String> controllers, Map<String, Path> hierarchies) {
        this.version = version;
        this.root = root;
        this.hybrid = hybrid;
        this.controllers = Collections.unmodifiableSet(controllers);
        this.hierarchies = Collections.unmodifiableMap(hierarchies);
    }

    public static CgroupHost detect() throws JboxException {
        return detect(DEFAULT_ROOT);
    }

    /** Looks at root (normally /sys/fs/cgroup): v2 when cgroup.controllers is there, else v1. */
    public static CgroupHost detect(Path root) throws JboxException {
        Path unifiedControllers = root.resolve("cgroup.controllers");
        if (Files.exists(unifiedControllers)) {
            String list = CgroupFiles.read(unifiedControllers);
            Set<String> names = new TreeSet<>(list.isEmpty() ? List.of() : Arrays.asList(list.split("\\s+")));
            return new CgroupHost(Version.V2, root, false, names, Map.of());
        }
        Map<String, Path> hierarchies = new TreeMap<>();
        try (DirectoryStream<Path> mounts = Files.newDirectoryStream(root)) {
            for (Path mount : mounts) {
                // A hierarchy is a directory with cgroup.procs; "cpu,cpuacct" holds two controllers.
                if (!Files.isRegularFile(mount.resolve("cgroup.procs"))) {
                    continue;
                }
                for (String name : mount.getFileName().toString().split(",")) {
                    if (V1_CONTROLLERS.contains(name) && !hierarchies.containsKey(name)) {
                        hierarchies.put(name, mount.toRealPath());
                    }
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot list " + root + ": " + CgroupFiles.reason(e), e);
        }
        if (hierarchies.isEmpty()) {
            throw new JboxException("no cgroup hierarchy under " + root
                    + ": neither cgroup.controllers (v2) nor a mounted v1 controller directory");
        }
        boolean hybrid = Files.exists(root.resolve("unified").resolve("cgroup.controllers"));
        return new CgroupHost(Version.V1, root, hybrid, new TreeSet<>(hierarchies.keySet()), hierarchies);
    }

    public Version version() {
        return version;
    }

    public Path root() {
        return root;
    }

    /** v1 controllers beside a cgroup2 mount at root/unified (systemd's hybrid layout). */
    public boolean hybrid() {
        return hybrid;
    }

    /** v1: the mounted controllers; v2: those listed in the root's cgroup.controllers. */
    public Set<String> controllers() {
        return controllers;
    }

    public boolean has(String controller) {
        return controllers.contains(controller);
    }

    /** v1: the directory where a controller's hierarchy is mounted; null when it is not. */
    Path hierarchy(String controller) {
        return hierarchies.get(controller);
    }

    /**
     * v1: every mounted hierarchy by its directory name ("cpu,cpuacct") with the controllers it
     * carries, for mounting the same layout in a container.
     */
    public Map<String, List<String>> v1Hierarchies() {
        Map<String, List<String>> out = new TreeMap<>();
        hierarchies.forEach((controller, dir) -> out.computeIfAbsent(dir.getFileName().toString(), d -> new ArrayList<>()).add(controller));
        return out;
    }

    /** v1: the distinct hierarchies a container joins, each with the joined controllers it carries. */
    Map<Path, List<String>> joinedHierarchies() {
        return joinedHierarchies(false);
    }

    /** withDevices: devices joined too (OCI configs carry device rules; jbox run's containers do not). */
    Map<Path, List<String>> joinedHierarchies(boolean withDevices) {
        Map<Path, List<String>> joined = new LinkedHashMap<>();
        List<String> controllers = new ArrayList<>(V1_JOINED);
        if (withDevices) {
            controllers.add("devices");
        }
        for (String controller : controllers) {
            Path h = hierarchies.get(controller);
            if (h != null) {
                joined.putIfAbsent(h, new ArrayList<>());
                joined.get(h).add(controller);
            }
        }
        return joined;
    }

    /** Refuses, naming the flag and what is missing, limits this host cannot enforce. */
    public void check(CgroupResources r) throws JboxException {
        r.validate();
        if (r.memoryBytes() != null) {
            need("--memory", "memory");
        }
        if (r.memorySwapBytes() != null) {
            need("--memory-swap", "memory");
            // v2 shows memory.swap.max only in non-root cgroups: CgroupV2 checks it at creation.
            if (version == Version.V1 && !Files.exists(hierarchy("memory").resolve("memory.memsw.limit_in_bytes"))) {
                throw new JboxException("--memory-swap needs memory.memsw.limit_in_bytes, which this kernel does not"
                        + " provide (swap accounting off)");
            }
        }
        if (r.pidsLimit() != null) {
            need("--pids-limit", "pids");
        }
        if (r.cpuQuotaMicros() != null || r.cpuPeriodMicros() != null) {
            need("--cpus", "cpu");
            if (version == Version.V1 && !Files.exists(hierarchy("cpu").resolve("cpu.cfs_quota_us"))) {
                throw new JboxException("--cpus needs cpu.cfs_quota_us, which this kernel does not provide"
                        + " (CONFIG_CFS_BANDWIDTH off)");
            }
        }
        if (r.cpuShares() != null) {
            need("--cpu-shares", "cpu");
        }
    }

    private void need(String flag, String controller) throws JboxException {
        if (has(controller)) {
            return;
        }
        if (version == Version.V1) {
            throw new JboxException(flag + " needs the " + controller + " controller, not mounted on this host");
        }
        throw new JboxException(flag + " needs the " + controller + " controller, not in "
                + root.resolve("cgroup.controllers") + " on this host");
    }

    /** "cgroup v1 (hybrid) at /sys/fs/cgroup: cpu cpuacct ...", for jbox doctor. */
    @Override
    public String toString() {
        return "cgroup " + (version == Version.V1 ? "v1" : "v2") + (hybrid ? " (hybrid)" : "") + " at " + root + ": "
                + String.join(" ", controllers);
    }
}

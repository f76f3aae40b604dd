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
    /**
     * v1: hierarchies without a controller, by directory name: named ones (systemd's name=systemd at
     * systemd/) and, on a hybrid host, the cgroup2 at unified/. A container joins them too, as runc's
     * do, so that nothing of it stays in its caller's cgroup (conmon's, a containerd shim's).
     */
    private final Map<String, Path> named;

    private CgroupHost(Version version, Path root, boolean hybrid, Set<String> controllers, Map<String, Path> hierarchies,
            Map<String, Path> named) {
        this.version = version;
        this.root = root;
        this.hybrid = hybrid;
        this.controllers = Collections.unmodifiableSet(controllers);
        this.hierarchies = Collections.unmodifiableMap(hierarchies);
        this.named = Collections.unmodifiableMap(named);
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
            return new CgroupHost(Version.V2, root, false, names, Map.of(), Map.of());
        }
        Map<String, Path> hierarchies = new TreeMap<>();
        Map<String, Path> named = new TreeMap<>();
        try (DirectoryStream<Path> mounts = Files.newDirectoryStream(root)) {
            for (Path mount : mounts) {
                // A hierarchy is a directory with cgroup.procs; "cpu,cpuacct" holds two controllers.
                if (!Files.isRegularFile(mount.resolve("cgroup.procs"))) {
                    continue;
                }
                String dir = mount.getFileName().toString();
                boolean controllers = false;
                for (String name : dir.split(",")) {
                    if (V1_CONTROLLERS.contains(name)) {
                        controllers = true;
                        hierarchies.putIfAbsent(name, mount.toRealPath());
                    }
                }
                if (!controllers && !Files.isSymbolicLink(mount)) {
                    named.put(dir, mount.toRealPath());
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
        return new CgroupHost(Version.V1, root, hybrid, new TreeSet<>(hierarchies.keySet()), hierarchies, named);
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
     * v1: every mounted hierarchy with a controller, by its directory name ("cpu,cpuacct") with the
     * controllers it carries, and the named ones ("systemd", mounted as name=systemd), for mounting
     * the same layout in a container. Not the hybrid host's cgroup2 at unified/.
     */
    public Map<String, List<String>> v1Hierarchies() {
        Map<String, List<String>> out = new TreeMap<>();
        hierarchies.forEach((controller, dir) -> out.computeIfAbsent(dir.getFileName().toString(), d -> new ArrayList<>()).add(controller));
        named.forEach((name, dir) -> {
            if (!Files.exists(dir.resolve("cgroup.controllers"))) {
                out.put(name, List.of("none", "name=" + name));
            }
        });
        return out;
    }

    /**
     * v1: every hierarchy a container joins, each with the controllers it carries: all that are
     * mounted (runc's rule; a subset left the container in its caller's blkio, devices and
     * name=systemd cgroups), the named ones and a hybrid host's cgroup2 with none.
     */
    Map<Path, List<String>> joinedHierarchies() {
        Map<Path, List<String>> joined = new LinkedHashMap<>();
        hierarchies.forEach((controller, h) -> joined.computeIfAbsent(h, k -> new ArrayList<>()).add(controller));
        named.values().forEach(h -> joined.putIfAbsent(h, List.of()));
        return joined;
    }

    /**
     * The cgroup a process is in (the text of /proc/PID/cgroup), per hierarchy as a container
     * cgroup keys it: the hierarchy's directory name on v1 ("memory", "cpu,cpuacct", "systemd",
     * a hybrid host's "unified"), "" on v2. A relative cgroupsPath goes below these (runc's rule);
     * on v1 they may differ per hierarchy. Lines for hierarchies jbox does not join are skipped.
     */
    public Map<String, String> ownCgroups(String procCgroup) {
        Map<String, String> out = new TreeMap<>();
        for (String line : procCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3 || !f[2].startsWith("/")) {
                continue;
            }
            String key = null;
            if (version == Version.V2) {
                key = f[1].isEmpty() && f[0].equals("0") ? "" : null;
            } else if (f[1].isEmpty()) {
                key = hybrid ? "unified" : null;
            } else if (f[1].startsWith("name=")) {
                key = named.containsKey(f[1].substring(5)) ? f[1].substring(5) : null;
            } else {
                Path h = hierarchies.get(f[1].split(",")[0]);
                key = h == null ? null : h.getFileName().toString();
            }
            if (key != null) {
                out.put(key, f[2]);
            }
        }
        return out;
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
        checkOci(r.oci());
    }

    /**
     * What runc refuses on such a host: unified key/values on v1 ("cannot use unified on cgroup
     * v1"), a limit whose controller is not there ("cannot set hugetlb limit: container could not
     * join or create cgroup"). What v2 has no files for (swappiness, the OOM killer switch,
     * real-time bandwidth, network classes) is left alone there, as runc does.
     */
    private void checkOci(OciResources r) throws JboxException {
        String res = "linux.resources.";
        if (version == Version.V1) {
            if (!r.unified().isEmpty()) {
                throw new JboxException(res + "unified: cannot be used on cgroup v1 (runc refuses it too)");
            }
            if (r.needsMemory()) {
                need(res + "memory", "memory");
            }
            if (r.realtimeRuntime() != null || r.realtimePeriod() != null) {
                need(res + "cpu.realtimeRuntime/realtimePeriod", "cpu");
            }
            if (r.needsBlockIo()) {
                need(res + "blockIO", "blkio");
            }
            if (r.netClassId() != null && r.netClassId() != 0) {
                need(res + "network.classID", "net_cls");
            }
            if (!r.netPriorities().isEmpty()) {
                need(res + "network.priorities", "net_prio");
            }
        } else {
            if (r.memoryReservation() != null) {
                need(res + "memory.reservation", "memory");
            }
            if (r.needsBlockIo()) {
                need(res + "blockIO", "io");
            }
        }
        if (r.needsCpuset()) {
            need(res + "cpu.cpus/mems", "cpuset");
        }
        if (!r.hugepageLimits().isEmpty()) {
            need(res + "hugepageLimits", "hugetlb");
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

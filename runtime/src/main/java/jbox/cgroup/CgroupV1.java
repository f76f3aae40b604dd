package jbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import jbox.JboxException;

/**
 * A container's cgroup on cgroup v1 (Documentation/admin-guide/cgroup-v1/): the directory
 * `<parent>/<id>` in each joined hierarchy. Limits go to memory, pids and cpu; usage comes from
 * memory, pids and cpuacct; the freezer holds the processes still while they are killed.
 */
final class CgroupV1 implements ContainerCgroup {
    private static final List<String> CPUSET_FILES = List.of("cpuset.cpus", "cpuset.mems");
    /** cpuacct.stat counts in USER_HZ ticks, 100 a second on every architecture jbox runs on. */
    private static final long MICROS_PER_TICK = 10_000;
    /** A parent vanishing under us (another jbox removing it as its last container went) is retried this often. */
    private static final int ATTEMPTS = 3;

    private final String parent;
    private final String id;
    /** How many levels above the container's directory remove() may rmdir once unused (jbox run: its one parent). */
    private int removableParents = 1;
    /** Hierarchy root → the container's directory in it, one per distinct hierarchy. */
    private final Map<Path, Path> dirs = new LinkedHashMap<>();
    /** Controller → the container's directory in that controller's hierarchy. */
    private final Map<String, Path> byController = new HashMap<>();

    /** Hierarchy directory name → the cgroup a relative cgroupsPath went below (empty: the roots). */
    private final Map<String, String> bases;

    CgroupV1(CgroupHost host, String parent, String id) {
        this.parent = parent;
        this.id = id;
        this.bases = Map.of();
        for (Map.Entry<Path, List<String>> joined : host.joinedHierarchies().entrySet()) {
            Path dir = joined.getKey().resolve(parent).resolve(id);
            dirs.put(joined.getKey(), dir);
            for (String controller : joined.getValue()) {
                byController.put(controller, dir);
            }
        }
    }

    /** `<base>/<parent>/<id>` in each hierarchy, base by the hierarchy's directory name (missing: its root). */
    CgroupV1(CgroupHost host, String parent, String id, Map<String, String> bases) throws JboxException {
        this.parent = parent;
        this.id = id;
        this.bases = Map.copyOf(bases);
        for (Map.Entry<Path, List<String>> joined : host.joinedHierarchies().entrySet()) {
            String base = bases.get(joined.getKey().getFileName().toString());
            Path dir = joined.getKey().resolve(base == null ? "" : CgroupPath.base(base)).resolve(parent).resolve(id);
            dirs.put(joined.getKey(), dir);
            for (String controller : joined.getValue()) {
                byController.put(controller, dir);
            }
        }
    }

    static CgroupV1 create(CgroupHost host, String parent, String id, CgroupResources limits) throws JboxException {
        return create(host, parent, id, limits, false);
    }

    /**
     * countCreated (OCI paths): only the parent levels this call makes may be removed later; else
     * the one parent may go.
     */
    static CgroupV1 create(CgroupHost host, String parent, String id, CgroupResources limits, boolean countCreated)
            throws JboxException {
        return create(host, parent, id, limits, countCreated, Map.of());
    }

    static CgroupV1 create(CgroupHost host, String parent, String id, CgroupResources limits, boolean countCreated,
            Map<String, String> bases) throws JboxException {
        CgroupV1 cgroup = new CgroupV1(host, parent, id, bases);
        if (countCreated) {
            cgroup.removableParents = 0;
        }
        List<Path> created = new ArrayList<>();
        try {
            for (Map.Entry<Path, Path> e : cgroup.dirs.entrySet()) {
                int newParents = createDirectory(e.getValue(), e.getKey(), countCreated);
                if (countCreated) {
                    cgroup.removableParents = Math.max(cgroup.removableParents, newParents);
                }
                created.add(e.getValue());
            }
            Path cpuset = cgroup.byController.get("cpuset");
            if (cpuset != null) {
                inheritCpuset(cpuset, host.hierarchy("cpuset"));
            }
            cgroup.writeLimits(limits);
            return cgroup;
        } catch (JboxException e) {
            // Nothing has joined yet: rmdir what this call made, never a directory that was there.
            for (Path dir : created) {
                CgroupFiles.removeIfUnused(dir);
            }
            cgroup.removeUnusedParents();
            throw e;
        }
    }

    /**
     * Creates dir and every missing level between it and the hierarchy; returns how many parent
     * levels were new. joinExisting (OCI cgroupsPath): an existing dir is joined, as runc does.
     */
    private static int createDirectory(Path dir, Path hierarchy, boolean joinExisting) throws JboxException {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int newParents = 0;
            for (Path level : CgroupFiles.levels(hierarchy, dir.getParent())) {
                newParents += CgroupFiles.createDirectory(level) ? 1 : 0;
            }
            if (CgroupFiles.createInExistingParent(dir, joinExisting)) {
                return newParents;
            }
        }
        throw new JboxException("cannot create " + dir + ": " + dir.getParent() + " keeps being removed");
    }

    /**
     * A new cpuset cgroup has no cpus and no memory nodes and refuses every task until it gets
     * some: copy the parent's, first filling the parent from its own parent when it is new too.
     */
    private static void inheritCpuset(Path dir, Path hierarchy) throws JboxException {
        Path parentDir = dir.getParent();
        for (String file : CPUSET_FILES) {
            if (!CgroupFiles.readOrEmpty(dir.resolve(file)).isEmpty()) {
                continue;
            }
            String value = CgroupFiles.readOrEmpty(parentDir.resolve(file));
            if (value.isEmpty() && !parentDir.equals(hierarchy)) {
                inheritCpuset(parentDir, hierarchy);
                value = CgroupFiles.readOrEmpty(parentDir.resolve(file));
            }
            CgroupFiles.write(dir.resolve(file), value);
        }
    }

    private void writeLimits(CgroupResources r) throws JboxException {
        Path memory = byController.get("memory");
        if (r.memoryBytes() != null) {
            CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), Long.toString(r.memoryBytes()));
        }
        if (r.memorySwapBytes() != null) {
            // Written after memory.limit_in_bytes: the kernel keeps memsw >= memory at every step.
            CgroupFiles.write(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(r.memorySwapBytes()));
        }
        if (r.pidsLimit() != null) {
            CgroupFiles.write(byController.get("pids").resolve("pids.max"), r.pidsLimit() > 0 ? r.pidsLimit().toString() : "max");
        }
        Path cpu = byController.get("cpu");
        if (r.cpuPeriodMicros() != null) {
            CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), r.cpuPeriodMicros().toString());
        }
        if (r.cpuQuotaMicros() != null) {
            CgroupFiles.write(cpu.resolve("cpu.cfs_quota_us"), r.cpuQuotaMicros().toString());
        }
        if (r.cpuShares() != null) {
            CgroupFiles.write(cpu.resolve("cpu.shares"), r.cpuShares().toString());
        }
        OciLimitsV1.write(byController, r.oci());
        Path devices = byController.get("devices");
        if (!r.devices().isEmpty() && devices == null) {
            throw new JboxException("device rules need the v1 devices controller, which this host has not mounted");
        }
        // In order, as the OCI spec says: usually "a *:* rwm" denied, then the allowed devices.
        for (DeviceRule d : r.devices()) {
            CgroupFiles.write(devices.resolve(d.allow() ? "devices.allow" : "devices.deny"), d.entry());
        }
    }

    @Override
    public void add(long pid) throws JboxException {
        String text = Long.toString(pid);
        for (Path dir : dirs.values()) {
            CgroupFiles.write(dir.resolve("cgroup.procs"), text);
        }
    }

    @Override
    public void freeze(boolean frozen) throws JboxException {
        CgroupFreezer.setV1(byController.get("freezer"), frozen);
    }

    @Override
    public boolean frozen() throws JboxException {
        return CgroupFreezer.frozenV1(byController.get("freezer"));
    }

    @Override
    public void update(CgroupUpdate update) throws JboxException {
        update.applyV1(byController::get);
    }

    @Override
    public Map<String, Object> stats() throws JboxException {
        return CgroupStats.v1(byController::get);
    }

    @Override
    public CgroupUsage usage() throws JboxException {
        Path memory = byController.get("memory");
        Path pids = byController.get("pids");
        Path cpuacct = byController.get("cpuacct");
        return new CgroupUsage(
                memory == null ? 0 : CgroupFiles.number(memory.resolve("memory.max_usage_in_bytes")),
                // oom_kill appeared in memory.oom_control with Linux 4.13; older kernels read 0.
                memory == null ? 0 : CgroupFiles.keyed(memory.resolve("memory.oom_control"), "oom_kill"),
                pids == null ? 0 : CgroupFiles.keyed(pids.resolve("pids.events"), "max"),
                cpuacct == null ? 0 : CgroupFiles.keyed(cpuacct.resolve("cpuacct.stat"), "user") * MICROS_PER_TICK,
                cpuacct == null ? 0 : CgroupFiles.keyed(cpuacct.resolve("cpuacct.stat"), "system") * MICROS_PER_TICK);
    }

    @Override
    public void remove() throws JboxException {
        List<Path> present = new ArrayList<>();
        for (Path dir : dirs.values()) {
            if (Files.isDirectory(dir)) {
                present.add(dir);
            }
        }
        JboxException failure = null;
        if (!present.isEmpty()) {
            Set<Long> left = evict(present);
            // Emptied: a refusal now is a dying process not yet reaped, worth waiting for; not emptied: fail now.
            long until = System.nanoTime() + (left.isEmpty() ? ProcessEviction.REAP_GRACE_NANOS : 0);
            for (Path dir : present) {
                try {
                    CgroupFiles.removeTree(dir, until);
                } catch (JboxException e) {
                    if (failure == null) {
                        failure = left.isEmpty() ? e : new JboxException(e.getMessage() + " (processes " + left
                                + " still inside after " + ProcessEviction.DEADLINE_NANOS / 1_000_000_000 + " s)", e);
                    }
                }
            }
        }
        removeUnusedParents();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Freezes the cgroup so nothing forks between reading cgroup.procs and the kill, kills,
     * thaws (a frozen process only acts on its SIGKILL once thawed), then waits for them to go.
     */
    private Set<Long> evict(List<Path> present) throws JboxException {
        Path freezer = byController.get("freezer");
        Path state = freezer == null ? null : freezer.resolve("freezer.state");
        boolean frozen = false;
        if (state != null && Files.exists(state)) {
            try {
                CgroupFiles.write(state, "FROZEN");
                frozen = true;
            } catch (JboxException e) {
                // Killing without freezing still works, only with a window for a fork.
            }
        }
        try {
            ProcessEviction.kill(ProcessEviction.pids(present));
        } finally {
            if (frozen) {
                try {
                    CgroupFiles.write(state, "THAWED");
                } catch (JboxException e) {
                    if (Files.isDirectory(freezer)) { // else removed meanwhile (a concurrent delete): nothing left to thaw
                        throw e;
                    }
                }
            }
        }
        return ProcessEviction.killUntilEmpty(present, System.nanoTime() + ProcessEviction.DEADLINE_NANOS);
    }

    private void removeUnusedParents() {
        for (Path dir : dirs.values()) {
            Path p = dir.getParent();
            for (int i = 0; i < removableParents && CgroupFiles.removeIfUnused(p); i++) {
                p = p.getParent();
            }
        }
    }

    @Override
    public Set<Long> pids() throws JboxException {
        return ProcessEviction.pids(dirs.values().stream().filter(Files::isDirectory).toList());
    }

    @Override
    public int removableParents() {
        return removableParents;
    }

    CgroupV1 withRemovableParents(int n) {
        removableParents = n;
        return this;
    }

    static List<String> list(CgroupHost host, String parent) throws JboxException {
        Set<String> ids = new TreeSet<>();
        for (Path hierarchy : host.joinedHierarchies().keySet()) {
            for (Path child : CgroupFiles.children(hierarchy.resolve(parent))) {
                ids.add(child.getFileName().toString());
            }
        }
        return List.copyOf(ids);
    }

    @Override
    public boolean exists() {
        for (Path dir : dirs.values()) {
            if (Files.isDirectory(dir)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Map<String, Path> v1Dirs() {
        Map<String, Path> out = new TreeMap<>();
        dirs.forEach((hierarchy, dir) -> out.put(hierarchy.getFileName().toString(), dir));
        return out;
    }

    @Override
    public Map<String, String> bases() {
        return bases;
    }

    @Override
    public String relativePath() {
        return (parent.isEmpty() ? "" : "/" + parent) + "/" + id;
    }

    @Override
    public String toString() {
        return "cgroup v1 " + relativePath();
    }
}

package jbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jbox.JboxException;
import jbox.Operation;

/**
 * A container's cgroup on cgroup v2 (Documentation/admin-guide/cgroup-v2.rst): one directory
 * `<parent>/<id>` in the unified hierarchy, with memory, pids and cpu delegated to it through
 * the root's and the parent's cgroup.subtree_control. Limits use docker's conversions.
 */
final class CgroupV2 implements ContainerCgroup {
    /** A parent vanishing under us (another jbox removing it as its last container went) is retried this often. */
    private static final int ATTEMPTS = 3;

    private final String parent;
    private final String id;
    private final Path root;
    private final Path dir;
    private final Set<String> available;
    /** How many levels above dir remove() may rmdir once unused (jbox run: its one parent). */
    private int removableParents = 1;
    private boolean countCreated;
    /** The controllers the container gets: those of memory, pids, cpu that the host has. */
    private final List<String> delegated = new ArrayList<>();

    /** The cgroup a relative cgroupsPath went below, as {"": "/x"}; empty: the root. */
    private final Map<String, String> bases;

    CgroupV2(CgroupHost host, String parent, String id) throws JboxException {
        this(host, parent, id, OciResources.NONE, Map.of());
    }

    CgroupV2(CgroupHost host, String parent, String id, Map<String, String> bases) throws JboxException {
        this(host, parent, id, OciResources.NONE, bases);
    }

    /** oci: its limits may need more controllers delegated (cpuset, io, hugetlb, a unified key's). */
    private CgroupV2(CgroupHost host, String parent, String id, OciResources oci, Map<String, String> bases)
            throws JboxException {
        this.parent = parent;
        this.id = id;
        this.root = host.root();
        this.bases = Map.copyOf(bases);
        String base = bases.get("");
        this.dir = root.resolve(base == null ? "" : CgroupPath.base(base)).resolve(parent).resolve(id);
        this.available = host.controllers();
        List<String> wanted = new ArrayList<>(CgroupHost.V2_ENABLED);
        wanted.addAll(OciLimitsV2.controllers(oci));
        for (String controller : wanted) {
            if (host.has(controller) && !delegated.contains(controller)) {
                delegated.add(controller);
            }
        }
    }

    static CgroupV2 create(CgroupHost host, String parent, String id, CgroupResources limits) throws JboxException {
        return create(host, parent, id, limits, false);
    }

    /** countCreated: only the parent levels this call makes may be removed later (OCI paths); else the one parent. */
    static CgroupV2 create(CgroupHost host, String parent, String id, CgroupResources limits, boolean countCreated)
            throws JboxException {
        return create(host, parent, id, limits, countCreated, Map.of());
    }

    static CgroupV2 create(CgroupHost host, String parent, String id, CgroupResources limits, boolean countCreated,
            Map<String, String> bases) throws JboxException {
        CgroupV2 cgroup = new CgroupV2(host, parent, id, limits.oci(), bases);
        cgroup.countCreated = countCreated;
        boolean created = false;
        try {
            cgroup.createDirectory(limits.memorySwapBytes() != null);
            created = true;
            cgroup.writeLimits(limits);
            return cgroup;
        } catch (JboxException e) {
            // Nothing has joined yet: rmdir what this call made, never a directory that was there.
            if (created) {
                CgroupFiles.removeIfUnused(cgroup.dir);
            }
            cgroup.removeUnusedParents();
            throw e;
        }
    }

    private void createDirectory(boolean needsSwap) throws JboxException {
        Path parentDir = dir.getParent();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            delegate(root);
            int made = 0;
            for (Path level : CgroupFiles.levels(root, parentDir)) {
                made += CgroupFiles.createDirectory(level) ? 1 : 0;
                if (countCreated) {
                    removableParents = made;
                }
                delegate(level);
            }
            // Only non-root cgroups show memory.swap.max, so the parent is where to look for it.
            if (needsSwap && !Files.exists(parentDir.resolve("memory.swap.max"))) {
                throw new JboxException("--memory-swap needs " + parentDir.resolve("memory.swap.max")
                        + ", which this kernel does not provide (swap accounting off)");
            }
            if (CgroupFiles.createInExistingParent(dir, countCreated)) {
                return;
            }
        }
        throw new JboxException("cannot create " + dir + ": " + parentDir + " keeps being removed");
    }

    /** Turns on, for dir's children, the delegated controllers not on yet, in one write. */
    private void delegate(Path cgroup) throws JboxException {
        if (delegated.isEmpty()) {
            return;
        }
        Path control = cgroup.resolve("cgroup.subtree_control");
        Set<String> on = new HashSet<>();
        for (String name : CgroupFiles.readOrEmpty(control).split("\\s+")) {
            on.add(name.startsWith("+") ? name.substring(1) : name);
        }
        StringBuilder enable = new StringBuilder();
        for (String controller : delegated) {
            if (!on.contains(controller)) {
                enable.append(enable.length() == 0 ? "+" : " +").append(controller);
            }
        }
        if (enable.length() == 0) {
            return;
        }
        CgroupFiles.write(control, enable.toString(), Operation.DELEGATE_CONTROLLERS);
    }

    private void writeLimits(CgroupResources r) throws JboxException {
        if (r.memoryBytes() != null) {
            CgroupFiles.write(dir.resolve("memory.max"), r.memoryBytes().toString());
        }
        if (r.memorySwapBytes() != null) {
            CgroupFiles.write(dir.resolve("memory.swap.max"), swapMax(r.memoryBytes(), r.memorySwapBytes()));
        }
        if (r.pidsLimit() != null) {
            CgroupFiles.write(dir.resolve("pids.max"), r.pidsLimit() > 0 ? r.pidsLimit().toString() : "max");
        }
        if (r.cpuQuotaMicros() != null || r.cpuPeriodMicros() != null) {
            CgroupFiles.write(dir.resolve("cpu.max"), cpuMax(r.cpuQuotaMicros(), r.cpuPeriodMicros()));
        }
        if (r.cpuShares() != null) {
            CgroupFiles.write(dir.resolve("cpu.weight"), Long.toString(weightFromShares(r.cpuShares())));
        }
        OciLimitsV2.write(dir, r.oci(), available);
    }

    /** docker's memory-swap is memory plus swap; v2 limits the swap alone. */
    static String swapMax(long memoryBytes, long memorySwapBytes) {
        return memorySwapBytes == CgroupResources.UNLIMITED ? "max" : Long.toString(memorySwapBytes - memoryBytes);
    }

    /** "quota period", "max" for no quota, the default period when none is given. */
    static String cpuMax(Long quotaMicros, Long periodMicros) {
        return (quotaMicros == null ? "max" : quotaMicros.toString()) + " "
                + (periodMicros == null ? CgroupResources.DEFAULT_CPU_PERIOD_MICROS : periodMicros);
    }

    /** Maps shares 2..262144 onto weight 1..10000 linearly, as runc does (1024 shares → 39). */
    static long weightFromShares(long shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    @Override
    public void add(long pid) throws JboxException {
        CgroupFiles.write(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    @Override
    public void freeze(boolean frozen) throws JboxException {
        CgroupFreezer.setV2(dir, frozen);
    }

    @Override
    public boolean frozen() throws JboxException {
        return Files.isDirectory(dir) && CgroupFreezer.frozenV2(dir);
    }

    @Override
    public void update(CgroupUpdate update) throws JboxException {
        update.applyV2(dir);
    }

    @Override
    public Map<String, Object> stats() throws JboxException {
        return CgroupStats.v2(dir);
    }

    @Override
    public CgroupUsage usage() throws JboxException {
        Path cpuStat = dir.resolve("cpu.stat");
        return new CgroupUsage(
                // memory.peak arrived with Linux 5.19; older kernels read 0.
                CgroupFiles.number(dir.resolve("memory.peak")),
                CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill"),
                CgroupFiles.keyed(dir.resolve("pids.events"), "max"),
                CgroupFiles.keyed(cpuStat, "user_usec"),
                CgroupFiles.keyed(cpuStat, "system_usec"));
    }

    @Override
    public void remove() throws JboxException {
        if (Files.isDirectory(dir)) {
            Set<Long> left = evict();
            try {
                CgroupFiles.removeTree(dir, System.nanoTime() + (left.isEmpty() ? ProcessEviction.REAP_GRACE_NANOS : 0));
            } catch (JboxException e) {
                removeUnusedParents();
                throw left.isEmpty() ? e : new JboxException(e.getMessage() + " (processes " + left
                        + " still inside after " + ProcessEviction.DEADLINE_NANOS / 1_000_000_000 + " s)", e);
            }
        }
        removeUnusedParents();
    }

    private void removeUnusedParents() {
        Path p = dir.getParent();
        for (int i = 0; i < removableParents && !p.equals(root) && CgroupFiles.removeIfUnused(p); i++) {
            p = p.getParent();
        }
    }

    @Override
    public Set<Long> pids() throws JboxException {
        return Files.isDirectory(dir) ? ProcessEviction.pids(List.of(dir)) : Set.of();
    }

    @Override
    public int removableParents() {
        return removableParents;
    }

    CgroupV2 withRemovableParents(int n) {
        removableParents = n;
        return this;
    }

    /**
     * cgroup.kill (Linux 5.14) SIGKILLs the whole subtree at once, forks included; before it,
     * cgroup.freeze (5.2) holds the processes still while they are killed one by one.
     */
    private Set<Long> evict() throws JboxException {
        Path kill = dir.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            CgroupFiles.write(kill, "1");
        } else {
            Path freeze = dir.resolve("cgroup.freeze");
            boolean frozen = Files.exists(freeze);
            if (frozen) {
                CgroupFiles.write(freeze, "1");
            }
            try {
                ProcessEviction.kill(ProcessEviction.pids(List.of(dir)));
            } finally {
                if (frozen) {
                    CgroupFiles.write(freeze, "0");
                }
            }
        }
        return ProcessEviction.killUntilEmpty(List.of(dir), System.nanoTime() + ProcessEviction.DEADLINE_NANOS);
    }

    static List<String> list(CgroupHost host, String parent) throws JboxException {
        List<String> ids = new ArrayList<>();
        for (Path child : CgroupFiles.children(host.root().resolve(parent))) {
            ids.add(child.getFileName().toString());
        }
        ids.sort(null);
        return ids;
    }

    @Override
    public boolean exists() {
        return Files.isDirectory(dir);
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
        return "cgroup v2 " + relativePath();
    }
}

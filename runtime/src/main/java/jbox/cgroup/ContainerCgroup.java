package jbox.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import jbox.JboxException;

/**
 * One container's cgroup, `<parent>/<id>`: created with its limits before the container runs,
 * joined by the container's first process (its children follow by themselves), read for usage,
 * and removed with whatever still runs in it. Alike on v1 (a directory in each joined
 * hierarchy) and v2 (one directory), see {@link CgroupV1} and {@link CgroupV2}.
 *
 * <p>The parent directory (e.g. "jbox") is created when missing and removed by {@link #remove}
 * once no container uses it, whoever created it: so jbox leaves nothing behind, and a parent never
 * holds settings of its own (use another parent name for a parent with limits of its own).
 */
public interface ContainerCgroup {
    /** Creates `<parent>/<id>` and writes the limits; nothing is left behind when this fails. */
    static ContainerCgroup create(CgroupHost host, String parent, String id, CgroupResources limits)
            throws JboxException {
        CgroupName.check("parent", parent);
        CgroupName.check("id", id);
        host.check(limits);
        return host.version() == CgroupHost.Version.V1
                ? CgroupV1.create(host, parent, id, limits)
                : CgroupV2.create(host, parent, id, limits);
    }

    /** An existing container cgroup (to clean up after a jbox that was killed), if any part of it is there. */
    static Optional<ContainerCgroup> open(CgroupHost host, String parent, String id) throws JboxException {
        CgroupName.check("parent", parent);
        CgroupName.check("id", id);
        ContainerCgroup cgroup = host.version() == CgroupHost.Version.V1
                ? new CgroupV1(host, parent, id)
                : new CgroupV2(host, parent, id);
        return cgroup.exists() ? Optional.of(cgroup) : Optional.empty();
    }

    /** The ids of the container cgroups under parent, sorted; none when parent does not exist. */
    static List<String> list(CgroupHost host, String parent) throws JboxException {
        CgroupName.check("parent", parent);
        return host.version() == CgroupHost.Version.V1 ? CgroupV1.list(host, parent) : CgroupV2.list(host, parent);
    }

    /**
     * The container cgroup at an OCI linux.cgroupsPath ("/libpod_parent/libpod-ID", see
     * CgroupPath), with every missing level created; {@link #removableParents} tells how many
     * of them this call made, for {@link #openAt}. Device rules are written on v1 (devices.deny /
     * devices.allow in order); v2 has no device files (it needs a BPF program) and does not
     * enforce them: there the bind-mounted device nodes and, in a user namespace, the kernel's
     * refusal of mknod limit what a container reaches.
     */
    static ContainerCgroup createAt(CgroupHost host, String cgroupsPath, CgroupResources limits) throws JboxException {
        return createAt(host, cgroupsPath, limits, CgroupFiles.read(Path.of("/proc/self/cgroup")));
    }

    /**
     * As runc (libcontainer/cgroups/fs and fs2): a relative cgroupsPath goes below the cgroup the
     * caller is in, per hierarchy, as {@code procSelfCgroup} (/proc/self/cgroup's text) names it;
     * {@link #bases} tells which, for {@link #openAt} by a process that may be in another cgroup.
     */
    static ContainerCgroup createAt(CgroupHost host, String cgroupsPath, CgroupResources limits, String procSelfCgroup)
            throws JboxException {
        CgroupPath p = CgroupPath.parse(cgroupsPath);
        host.check(limits);
        Map<String, String> bases = CgroupPath.isRelative(cgroupsPath) ? host.ownCgroups(procSelfCgroup) : Map.of();
        return host.version() == CgroupHost.Version.V1
                ? CgroupV1.create(host, p.parent(), p.leaf(), limits, true, bases)
                : CgroupV2.create(host, p.parent(), p.leaf(), limits, true, bases);
    }

    /**
     * The cgroup at cgroupsPath, made earlier by {@link #createAt} (perhaps by another jbox
     * process): remove() takes the leaf and then up to {@code removableParents} parent levels,
     * each only when unused. As runc, a level jbox did not make is never removed.
     */
    static ContainerCgroup openAt(CgroupHost host, String cgroupsPath, int removableParents) throws JboxException {
        return openAt(host, cgroupsPath, removableParents, Map.of());
    }

    /** As above, below the {@code bases} createAt recorded (a relative cgroupsPath), whatever cgroup the caller is in. */
    static ContainerCgroup openAt(CgroupHost host, String cgroupsPath, int removableParents, Map<String, String> bases)
            throws JboxException {
        CgroupPath p = CgroupPath.parse(cgroupsPath);
        int n = Math.max(0, Math.min(removableParents, p.depth()));
        return host.version() == CgroupHost.Version.V1
                ? new CgroupV1(host, p.parent(), p.leaf(), bases).withRemovableParents(n)
                : new CgroupV2(host, p.parent(), p.leaf(), bases).withRemovableParents(n);
    }

    /** Every process in the cgroup and below it (`kill --all`); empty when it is gone. */
    Set<Long> pids() throws JboxException;

    /** How many parent levels remove() may rmdir once unused: those createAt made (jbox run's cgroups: 1). */
    int removableParents();

    /** Moves a process (all its threads) into the cgroup, in every hierarchy. */
    void add(long pid) throws JboxException;

    /** Peak memory, OOM kills, refused forks and cpu time so far; zeros for what is not there. */
    CgroupUsage usage() throws JboxException;

    /**
     * SIGKILLs what still runs inside (waiting at most 5 s for it to go), removes the cgroup's
     * directories and the parent when no other container uses it. Removing twice is fine.
     */
    void remove() throws JboxException;

    /**
     * Freezes (runc's pause) or thaws (resume) every process inside, returning once the kernel
     * reports it done: v1's freezer.state FROZEN/THAWED, v2's cgroup.events "frozen 1"/"frozen 0".
     */
    void freeze(boolean frozen) throws JboxException;

    /** True when the kernel reports the cgroup frozen (a pause, not the passing freeze of a removal). */
    boolean frozen() throws JboxException;

    /** Writes new limits into the live cgroup (runc's update); a value the kernel refuses is an error. */
    void update(CgroupUpdate update) throws JboxException;

    /** Statistics in the shape of runc's events data, see {@link CgroupStats}. */
    Map<String, Object> stats() throws JboxException;

    /**
     * Where a relative cgroupsPath went: the creator's own cgroup by hierarchy (v1: its directory
     * name; v2: ""); empty for every other cgroup (taken from the hierarchies' roots).
     */
    default Map<String, String> bases() {
        return Map.of();
    }

    /** "/jbox/ID": the cgroup as the host names it, which a cgroup namespace unshared inside it shows as "/". */
    String relativePath();

    /**
     * v1: the container's directory in each joined hierarchy, by the hierarchy's directory name
     * ("cpu,cpuacct", "systemd"); v2: empty.
     */
    default Map<String, Path> v1Dirs() {
        return Map.of();
    }

    /** True while any of the cgroup's directories exists. */
    boolean exists();
}

package jbox.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jbox.JboxException;
import jbox.cgroup.CgroupHost;
import jbox.cgroup.CgroupName;
import jbox.cgroup.CgroupResources;
import jbox.cgroup.CgroupUpdate;
import jbox.cgroup.ContainerCgroup;
import jbox.cgroup.DeviceRule;
import jbox.cgroup.OciResources;
import jbox.config.Config;
import jbox.io.IoReason;
import jbox.spec.ContainerSpec;
import jbox.state.ContainerRecord;

/**
 * The one cgroup rule for every container, whichever CLI made it: the spec's resources written
 * into the container's cgroup, which is under jbox's cgroup.parent, named after the id ({@link
 * #name}), unless the spec gives another linux.cgroupsPath (every missing level made, and only
 * those removed again; a relative path below the caller's own cgroups, whose bases are recorded so
 * that later commands run from elsewhere find it). `jbox run` makes one only when its spec asks
 * (SpecBuilder sets cgroupsPath: limits, --report, --cpu-time), the OCI CLI always (as runc).
 * Later commands open it from the container's record; through it kill --all, delete and rm reach
 * every process of the container, whatever its pid namespace.
 */
public final class ContainerCgroups {
    private final Config config;

    public ContainerCgroups(Config config) {
        this.config = config;
    }

    /** The container's cgroup made with the spec's limits, or null when there is none to make. */
    public ContainerCgroup create(String id, ContainerSpec spec, boolean always) throws JboxException {
        return create(id, spec, always, ProcessHandle.current().pid());
    }

    /**
     * As above; a relative cgroupsPath goes below the cgroup of process {@code callerPid} (the
     * caller's: for the engine its front end, not the engine's own cgroup).
     */
    public ContainerCgroup create(String id, ContainerSpec spec, boolean always, long callerPid) throws JboxException {
        ContainerSpec.Linux l = spec.linux();
        String path = l == null ? null : l.cgroupsPath();
        if (path == null && !always) {
            return null;
        }
        ContainerSpec.Resources r = l == null ? null : l.resources();
        String parent = config.get("cgroup.parent");
        if (path == null || path.equals(ownPath(parent, id))) { // jbox's own parent: made and kept by whoever needs it
            return ContainerCgroup.create(CgroupHost.detect(), parent, name(id), toCgroup(r));
        }
        String procCgroup;
        try {
            procCgroup = Files.readString(Path.of("/proc/" + callerPid + "/cgroup"));
        } catch (IOException e) {
            throw new JboxException("cannot read the caller's cgroup in /proc/" + callerPid + "/cgroup: " + IoReason.of(e), e);
        }
        return ContainerCgroup.createAt(CgroupHost.detect(), path, toCgroup(r), procCgroup);
    }

    /** The record with this cgroup in it (null: none), for later commands to {@link #open}. */
    public static ContainerRecord recorded(ContainerRecord s, ContainerCgroup c) {
        return c == null ? s : s.withCgroup(c.relativePath(), c.removableParents(), c.bases());
    }

    /** The container's recorded cgroup, or null when it has none recorded or the host shows no cgroups. */
    public ContainerCgroup open(ContainerRecord s) throws JboxException {
        if (s.cgroup() == null) {
            return null;
        }
        String parent = config.get("cgroup.parent");
        if (s.cgroupBases().isEmpty() && s.cgroup().equals(ownPath(parent, s.id()))) {
            return ContainerCgroup.open(CgroupHost.detect(), parent, name(s.id())).orElse(null);
        }
        return ContainerCgroup.openAt(CgroupHost.detect(), s.cgroup(), s.cgroupParents(), s.cgroupBases());
    }

    /** The names of the cgroups below cgroup.parent (prune's sweep); none where the host shows no cgroups. */
    public List<String> underParent() throws JboxException {
        CgroupHost host = hostOrNull();
        return host == null ? List.of() : ContainerCgroup.list(host, config.get("cgroup.parent"));
    }

    /** The cgroup cgroup.parent/NAME of a container whose record may be gone (prune), if it exists. */
    public Optional<ContainerCgroup> underParent(String name) throws JboxException {
        CgroupHost host = hostOrNull();
        return host == null ? Optional.empty() : ContainerCgroup.open(host, config.get("cgroup.parent"), name);
    }

    /**
     * The host's cgroups, or null where none are visible: `ip netns exec` mounts a fresh /sys
     * without them. Then there is nothing of ours to see, and jbox could not have made any there.
     */
    private static CgroupHost hostOrNull() {
        try {
            return CgroupHost.detect();
        } catch (JboxException e) {
            return null;
        }
    }

    private static String ownPath(String parent, String id) {
        return "/" + parent + "/" + name(id);
    }

    /** The id as a cgroup name: OCI ids may hold '+' or run to 1024 characters, cgroup names here not. */
    public static String name(String id) {
        if (CgroupName.isValid(id)) {
            return id;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return "oci-" + HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Every process in the container's cgroup (kill --all, delete, rm -f); empty without a cgroup. */
    public List<Long> pids(ContainerRecord s) throws JboxException {
        ContainerCgroup c = open(s);
        return c == null || !c.exists() ? List.of() : new ArrayList<>(c.pids());
    }

    /** Puts a process (an exec's) into the container's cgroup, if it has one. */
    public void join(ContainerRecord s, long pid) throws JboxException {
        ContainerCgroup c = open(s);
        if (c != null) {
            c.add(pid);
        }
    }

    /** True when the container's cgroup is frozen: the container is paused. */
    public boolean frozen(ContainerRecord s) throws JboxException {
        ContainerCgroup c = open(s);
        return c != null && c.exists() && c.frozen();
    }

    public void freeze(ContainerRecord s, boolean frozen) throws JboxException {
        existing(s).freeze(frozen);
    }

    public void update(ContainerRecord s, CgroupUpdate u) throws JboxException {
        existing(s).update(u);
    }

    public Map<String, Object> stats(ContainerRecord s) throws JboxException {
        return existing(s).stats();
    }

    /** How many processes the OOM killer took in the container so far (events' oom). */
    public long oomKills(ContainerRecord s) throws JboxException {
        ContainerCgroup c = open(s);
        return c == null || !c.exists() ? 0 : c.usage().oomKills();
    }

    private ContainerCgroup existing(ContainerRecord s) throws JboxException {
        ContainerCgroup c = open(s);
        if (c == null || !c.exists()) {
            throw new JboxException("container " + s.id() + " has no cgroup (" + (s.cgroup() == null ? "none recorded" : s.cgroup() + " is gone") + ")");
        }
        return c;
    }

    /** Removes the container's cgroup, killing what is left inside. */
    public void remove(ContainerRecord s) throws JboxException {
        ContainerCgroup c = open(s);
        if (c != null) {
            c.remove();
        }
    }

    /**
     * The devices every container needs, allowed after the config's own rules as runc does (podman
     * sends only "deny a *:* rwm"): the nodes PlanBuilder binds, /dev/console, ptmx and the ptys,
     * and mknod of any node (the nodes still cannot be opened unless allowed).
     */
    static final List<DeviceRule> DEFAULT_DEVICES = List.of(
            new DeviceRule(true, 'c', null, null, "m"), new DeviceRule(true, 'b', null, null, "m"),
            new DeviceRule(true, 'c', 1L, 3L, "rwm"), new DeviceRule(true, 'c', 1L, 5L, "rwm"),
            new DeviceRule(true, 'c', 1L, 7L, "rwm"), new DeviceRule(true, 'c', 1L, 8L, "rwm"),
            new DeviceRule(true, 'c', 1L, 9L, "rwm"), new DeviceRule(true, 'c', 5L, 0L, "rwm"),
            new DeviceRule(true, 'c', 5L, 1L, "rwm"), new DeviceRule(true, 'c', 5L, 2L, "rwm"),
            new DeviceRule(true, 'c', 136L, null, "rwm"));

    static CgroupResources toCgroup(ContainerSpec.Resources r) {
        if (r == null) {
            return CgroupResources.none();
        }
        ContainerSpec.Memory m = r.memory();
        ContainerSpec.Cpu c = r.cpu();
        List<DeviceRule> devices = new ArrayList<>();
        for (ContainerSpec.DeviceRule d : r.devices() == null ? List.<ContainerSpec.DeviceRule>of() : r.devices()) {
            devices.add(new DeviceRule(d.allow(), d.type() == null ? 'a' : d.type().charAt(0), d.major(), d.minor(), d.access()));
        }
        if (!devices.isEmpty()) {
            devices.addAll(DEFAULT_DEVICES);
        }
        return new CgroupResources(m == null ? null : m.limit(), m == null ? null : m.swap(),
                r.pids() == null ? null : r.pids().limit(),
                c == null ? null : c.quota(), c == null ? null : c.period(), c == null ? null : c.shares(), devices,
                oci(r));
    }

    /** The OCI-only limits; 0 stays unset where runc reads 0 as "not set" (reservation, realtime, classID). */
    static OciResources oci(ContainerSpec.Resources r) {
        ContainerSpec.Memory m = r.memory();
        ContainerSpec.Cpu c = r.cpu();
        Map<String, Long> huge = new LinkedHashMap<>();
        for (ContainerSpec.HugepageLimit h : r.hugepageLimits() == null ? List.<ContainerSpec.HugepageLimit>of() : r.hugepageLimits()) {
            huge.put(h.pageSize(), h.limit());
        }
        List<String> prios = new ArrayList<>();
        ContainerSpec.Network n = r.network();
        for (ContainerSpec.InterfacePriority p : n == null || n.priorities() == null ? List.<ContainerSpec.InterfacePriority>of() : n.priorities()) {
            prios.add(p.name() + " " + p.priority());
        }
        return new OciResources(m == null ? null : nonZero(m.reservation()), m == null ? null : m.swappiness(),
                m != null && Boolean.TRUE.equals(m.disableOOMKiller()), c == null ? null : c.cpus(),
                c == null ? null : c.mems(), c == null ? null : nonZero(c.realtimeRuntime()),
                c == null ? null : nonZero(c.realtimePeriod()), blockIo(r.blockIO()), huge,
                n == null ? null : nonZero(n.classID()), prios, r.unified());
    }

    private static OciResources.BlockIo blockIo(ContainerSpec.BlockIO b) {
        if (b == null) {
            return null;
        }
        List<OciResources.WeightDevice> weights = new ArrayList<>();
        for (ContainerSpec.WeightDevice w : b.weightDevice() == null ? List.<ContainerSpec.WeightDevice>of() : b.weightDevice()) {
            weights.add(new OciResources.WeightDevice(w.major(), w.minor(), w.weight(), w.leafWeight()));
        }
        return new OciResources.BlockIo(b.weight(), b.leafWeight(), weights, throttles(b.throttleReadBpsDevice()),
                throttles(b.throttleWriteBpsDevice()), throttles(b.throttleReadIOPSDevice()),
                throttles(b.throttleWriteIOPSDevice()));
    }

    private static List<OciResources.Throttle> throttles(List<ContainerSpec.ThrottleDevice> devices) {
        List<OciResources.Throttle> out = new ArrayList<>();
        for (ContainerSpec.ThrottleDevice t : devices == null ? List.<ContainerSpec.ThrottleDevice>of() : devices) {
            out.add(new OciResources.Throttle(t.major(), t.minor(), t.rate()));
        }
        return out;
    }

    private static Long nonZero(Long v) {
        return v == null || v == 0 ? null : v;
    }
}

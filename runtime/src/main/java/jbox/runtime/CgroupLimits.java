package jbox.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.cgroup.CgroupHost;
import jbox.cgroup.CgroupResources;
import jbox.cgroup.ContainerCgroup;
import jbox.cgroup.DeviceRule;
import jbox.cgroup.OciResources;
import jbox.config.Config;
import jbox.spec.ContainerSpec;

/** The OCI resources of a spec turned into the container's cgroup: under cgroup.parent (jbox run) or at an OCI cgroupsPath. */
public final class CgroupLimits {
    private CgroupLimits() {
    }

    public static ContainerCgroup create(Config config, String id, ContainerSpec.Resources r) throws JboxException {
        return ContainerCgroup.create(CgroupHost.detect(), config.get("cgroup.parent"), id, toCgroup(r));
    }

    /**
     * The container's cgroup at an OCI config's linux.cgroupsPath, every missing level created.
     * Keep its removableParents() (state) for {@link #openAt} at delete.
     */
    public static ContainerCgroup createAt(String cgroupsPath, ContainerSpec.Resources r) throws JboxException {
        return ContainerCgroup.createAt(CgroupHost.detect(), cgroupsPath, toCgroup(r));
    }

    public static ContainerCgroup openAt(String cgroupsPath, int removableParents, Map<String, String> bases)
            throws JboxException {
        return ContainerCgroup.openAt(CgroupHost.detect(), cgroupsPath, removableParents, bases);
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

package jbox.oci;

import java.nio.file.Path;
import jbox.JboxException;
import jbox.cgroup.CgroupUpdate;
import jbox.runtime.SpecFile;
import jbox.spec.ContainerSpec;
import jbox.spec.OciConfig;

/**
 * runc's `update`: new limits written into a live container's cgroup, then into the config.json
 * kept beside its state (exec and inspect read it), so the recorded spec says what the kernel does.
 * cpuset values reach the cgroup only: the model has no field for them.
 */
public final class OciResources {
    private final OciLifecycle lifecycle;
    private final OciCgroups cgroups;

    public OciResources(OciLifecycle lifecycle, OciCgroups cgroups) {
        this.lifecycle = lifecycle;
        this.cgroups = cgroups;
    }

    public void update(String id, CgroupUpdate u) throws JboxException {
        OciState s = lifecycle.store().load(id);
        String status = lifecycle.status(s);
        if (OciState.STOPPED.equals(status) || OciState.CREATING.equals(status)) {
            throw new JboxException("cannot update container " + id + ": it is " + status);
        }
        cgroups.update(s, u);
        Path dir = lifecycle.store().dir(id);
        ContainerSpec spec = OciConfig.read(dir);
        ContainerSpec.Linux l = spec.linux();
        ContainerSpec.Linux updated = new ContainerSpec.Linux(l.namespaces(), l.uidMappings(), l.gidMappings(),
                resources(l.resources(), u), l.cgroupsPath(), l.seccomp(), l.maskedPaths(), l.readonlyPaths(),
                l.rootfsPropagation(), l.sysctl());
        SpecFile.write(dir, new ContainerSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(),
                spec.mounts(), updated, spec.annotations(), spec.hooks()));
    }

    /** The OCI resources with the update's values over the old ones (null: kept). */
    static ContainerSpec.Resources resources(ContainerSpec.Resources r, CgroupUpdate u) {
        ContainerSpec.Memory m = r == null ? null : r.memory();
        ContainerSpec.Cpu c = r == null ? null : r.cpu();
        ContainerSpec.Pids p = r == null ? null : r.pids();
        if (u.memoryBytes() != null || u.memorySwapBytes() != null || u.memoryReservationBytes() != null) {
            m = new ContainerSpec.Memory(pick(u.memoryBytes(), m == null ? null : m.limit()),
                    pick(u.memorySwapBytes(), m == null ? null : m.swap()),
                    pick(u.memoryReservationBytes(), m == null ? null : m.reservation()));
        }
        if (u.cpuShares() != null || u.cpuQuotaMicros() != null || u.cpuPeriodMicros() != null) {
            c = new ContainerSpec.Cpu(pick(u.cpuShares(), c == null ? null : c.shares()),
                    pick(u.cpuQuotaMicros(), c == null ? null : c.quota()),
                    pick(u.cpuPeriodMicros(), c == null ? null : c.period()));
        }
        if (u.pidsLimit() != null && u.pidsLimit() != 0) {
            p = new ContainerSpec.Pids(u.pidsLimit() > 0 ? u.pidsLimit() : -1);
        }
        return new ContainerSpec.Resources(m, p, c, r == null ? null : r.devices());
    }

    private static Long pick(Long given, Long old) {
        return given != null ? given : old;
    }
}

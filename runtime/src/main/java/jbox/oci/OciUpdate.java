package jbox.oci;

import java.nio.file.Path;
import jbox.JboxException;
import jbox.cgroup.CgroupUpdate;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.SpecFile;
import jbox.spec.ContainerSpec;
import jbox.spec.OciConfig;
import jbox.state.ContainerRecord;
import jbox.state.Status;

/**
 * runc's `update`: new limits written into a live container's cgroup, then into the config.json
 * kept beside its state (exec and inspect read it), so the recorded spec says what the kernel does.
 */
public final class OciUpdate {
    private final OciLifecycle lifecycle;
    private final ContainerCgroups cgroups;

    public OciUpdate(OciLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        this.cgroups = lifecycle.cgroups();
    }

    public void update(String id, CgroupUpdate u) throws JboxException {
        ContainerRecord s = lifecycle.store().load(id);
        Status status = lifecycle.status(s);
        if (status == Status.STOPPED || status == Status.CREATING) {
            throw new JboxException("cannot update container " + id + ": it is " + status.word());
        }
        cgroups.update(s, u);
        Path dir = lifecycle.store().dir(id);
        ContainerSpec spec = OciConfig.read(dir);
        ContainerSpec.Linux updated = spec.linux().withResources(resources(spec.linux().resources(), u));
        SpecFile.write(dir, new ContainerSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(),
                spec.mounts(), updated, spec.annotations(), spec.hooks()));
    }

    /** The OCI resources with the update's values over the old ones (null: kept); the rest as it was. */
    static ContainerSpec.Resources resources(ContainerSpec.Resources r, CgroupUpdate u) {
        ContainerSpec.Resources old = r != null ? r : new ContainerSpec.Resources(null, null, null);
        ContainerSpec.Memory m = old.memory();
        ContainerSpec.Cpu c = old.cpu();
        ContainerSpec.Pids p = old.pids();
        if (u.memoryBytes() != null || u.memorySwapBytes() != null || u.memoryReservationBytes() != null) {
            m = new ContainerSpec.Memory(pick(u.memoryBytes(), m == null ? null : m.limit()),
                    pick(u.memorySwapBytes(), m == null ? null : m.swap()),
                    pick(u.memoryReservationBytes(), m == null ? null : m.reservation()),
                    m == null ? null : m.swappiness(), m == null ? null : m.disableOOMKiller());
        }
        if (u.cpuShares() != null || u.cpuQuotaMicros() != null || u.cpuPeriodMicros() != null
                || u.cpusetCpus() != null || u.cpusetMems() != null) {
            c = new ContainerSpec.Cpu(pick(u.cpuShares(), c == null ? null : c.shares()),
                    pick(u.cpuQuotaMicros(), c == null ? null : c.quota()),
                    pick(u.cpuPeriodMicros(), c == null ? null : c.period()),
                    c == null ? null : c.realtimeRuntime(), c == null ? null : c.realtimePeriod(),
                    pick(u.cpusetCpus(), c == null ? null : c.cpus()), pick(u.cpusetMems(), c == null ? null : c.mems()));
        }
        if (u.pidsLimit() != null && u.pidsLimit() != 0) {
            p = new ContainerSpec.Pids(u.pidsLimit() > 0 ? u.pidsLimit() : -1);
        }
        return new ContainerSpec.Resources(m, p, c, old.devices(), old.blockIO(), old.hugepageLimits(), old.network(),
                old.unified());
    }

    private static <T> T pick(T given, T old) {
        return given != null ? given : old;
    }
}

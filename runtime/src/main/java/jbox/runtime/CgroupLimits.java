package jbox.runtime;

import jbox.JboxException;
import jbox.cgroup.CgroupHost;
import jbox.cgroup.CgroupResources;
import jbox.cgroup.ContainerCgroup;
import jbox.config.Config;
import jbox.spec.ContainerSpec;

/** The OCI resources of a spec turned into the container's cgroup under cgroup.parent. */
final class CgroupLimits {
    private CgroupLimits() {
    }

    static ContainerCgroup create(Config config, String id, ContainerSpec.Resources r) throws JboxException {
        return ContainerCgroup.create(CgroupHost.detect(), config.get("cgroup.parent"), id, toCgroup(r));
    }

    static CgroupResources toCgroup(ContainerSpec.Resources r) {
        if (r == null) {
            return CgroupResources.none();
        }
        ContainerSpec.Memory m = r.memory();
        ContainerSpec.Cpu c = r.cpu();
        return new CgroupResources(m == null ? null : m.limit(), m == null ? null : m.swap(),
                r.pids() == null ? null : r.pids().limit(),
                c == null ? null : c.quota(), c == null ? null : c.period(), c == null ? null : c.shares());
    }
}

package jbox.oci;

import java.util.List;
import jbox.JboxException;
import jbox.cgroup.ContainerCgroup;
import jbox.config.Config;
import jbox.runtime.CgroupLimits;
import jbox.spec.ContainerSpec;

/**
 * The cgroup of an OCI container: at linux.cgroupsPath (every missing level made, and only those
 * removed again at delete), or under jbox's cgroup.parent when the config has resources but no
 * path. No resources and no path: the container stays in its caller's cgroup, as with runc.
 */
public final class OciCgroups {
    private final Config config;

    public OciCgroups(Config config) {
        this.config = config;
    }

    ContainerCgroup create(String id, ContainerSpec spec) throws JboxException {
        ContainerSpec.Linux l = spec.linux();
        if (l.resources() == null && l.cgroupsPath() == null) {
            return null;
        }
        String path = l.cgroupsPath() != null ? l.cgroupsPath() : "/" + config.get("cgroup.parent") + "/" + id;
        return CgroupLimits.createAt(path, l.resources());
    }

    private ContainerCgroup open(OciState s) throws JboxException {
        return s.cgroup() == null ? null : CgroupLimits.openAt(s.cgroup(), s.cgroupParents());
    }

    /** Every process in the container's cgroup (kill --all, delete); empty without a cgroup. */
    List<Long> pids(OciState s) throws JboxException {
        ContainerCgroup c = open(s);
        return c == null || !c.exists() ? List.of() : new java.util.ArrayList<>(c.pids());
    }

    /** Puts an exec'd process into the container's cgroup. */
    void join(OciState s, long pid) throws JboxException {
        ContainerCgroup c = open(s);
        if (c != null) {
            c.add(pid);
        }
    }

    void remove(OciState s) throws JboxException {
        ContainerCgroup c = open(s);
        if (c != null) {
            c.remove();
        }
    }
}

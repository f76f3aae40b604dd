package jbox.oci;

import java.util.List;
import jbox.JboxException;
import jbox.cgroup.CgroupHost;
import jbox.cgroup.ContainerCgroup;
import jbox.config.Config;
import jbox.runtime.CgroupLimits;
import jbox.spec.ContainerSpec;

/**
 * The cgroup of an OCI container, always one (as runc): at linux.cgroupsPath (every missing level
 * made, and only those removed again at delete; a relative path below create's own cgroups,
 * recorded so that later commands run from elsewhere find it), else under jbox's cgroup.parent. Through it
 * kill --all and delete reach every process of the container, whatever its pid namespace.
 */
public final class OciCgroups {
    private final Config config;

    public OciCgroups(Config config) {
        this.config = config;
    }

    ContainerCgroup create(String id, ContainerSpec spec) throws JboxException {
        ContainerSpec.Linux l = spec.linux();
        if (l.cgroupsPath() == null) { // jbox's own parent: made and removed by whoever needs it, as for jbox run
            return CgroupLimits.create(config, name(id), l.resources());
        }
        return CgroupLimits.createAt(l.cgroupsPath(), l.resources());
    }

    private ContainerCgroup open(OciState s) throws JboxException {
        if (s.cgroup() == null) {
            return null;
        }
        String parent = config.get("cgroup.parent");
        if (s.cgroupBases().isEmpty() && s.cgroup().equals("/" + parent + "/" + name(s.id()))) {
            return ContainerCgroup.open(CgroupHost.detect(), parent, name(s.id())).orElse(null);
        }
        return CgroupLimits.openAt(s.cgroup(), s.cgroupParents(), s.cgroupBases());
    }

    /** The id as a cgroup name: OCI ids may hold '+' or run to 1024 characters, cgroup names here not. */
    static String name(String id) {
        if (jbox.cgroup.CgroupName.isValid(id)) {
            return id;
        }
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "oci-" + java.util.HexFormat.of().formatHex(h, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
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

    /** True when the container's cgroup is frozen: the container is paused. */
    boolean frozen(OciState s) throws JboxException {
        ContainerCgroup c = open(s);
        return c != null && c.exists() && c.frozen();
    }

    void freeze(OciState s, boolean frozen) throws JboxException {
        existing(s).freeze(frozen);
    }

    void update(OciState s, jbox.cgroup.CgroupUpdate u) throws JboxException {
        existing(s).update(u);
    }

    java.util.Map<String, Object> stats(OciState s) throws JboxException {
        return existing(s).stats();
    }

    /** How many processes the OOM killer took in the container so far (events' oom). */
    long oomKills(OciState s) throws JboxException {
        ContainerCgroup c = open(s);
        return c == null || !c.exists() ? 0 : c.usage().oomKills();
    }

    private ContainerCgroup existing(OciState s) throws JboxException {
        ContainerCgroup c = open(s);
        if (c == null || !c.exists()) {
            throw new JboxException("container " + s.id() + " has no cgroup (" + (s.cgroup() == null ? "none recorded" : s.cgroup() + " is gone") + ")");
        }
        return c;
    }

    void remove(OciState s) throws JboxException {
        ContainerCgroup c = open(s);
        if (c != null) {
            c.remove();
        }
    }
}

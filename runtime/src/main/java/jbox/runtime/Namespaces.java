package jbox.runtime;

import java.util.Map;
import jbox.JboxException;
import jbox.spec.ContainerSpec;

/** OCI namespace types and the clone(2) flags that create them. */
final class Namespaces {
    static final Map<String, Long> CLONE_FLAGS = Map.of(
            "mount", 0x00020000L,
            "cgroup", jbox.process.PlanBuilder.CLONE_NEWCGROUP,
            "uts", 0x04000000L,
            "ipc", 0x08000000L,
            "user", 0x10000000L,
            "pid", 0x20000000L,
            "network", 0x40000000L);

    private Namespaces() {
    }

    static long cloneFlags(ContainerSpec.Linux linux) throws JboxException {
        long flags = 0;
        for (ContainerSpec.Namespace n : linux.namespaces()) {
            Long f = CLONE_FLAGS.get(n.type());
            if (f == null) {
                throw new JboxException("unknown namespace type " + n.type());
            }
            if (n.path() != null && n.type().equals("network")) {
                continue; // joined by the shim before clone (joinedNetwork)
            }
            if (n.path() != null) {
                throw new JboxException("joining the " + n.type() + " namespace at " + n.path() + " is not supported yet");
            }
            if (!n.type().equals("cgroup")) { // unshared by the plan, after the cgroup move (PlanBuilder)
                flags |= f;
            }
        }
        return flags;
    }

    /** The network namespace to join (a path), or null when the container makes its own or keeps jbox's. */
    static String joinedNetwork(ContainerSpec.Linux linux) {
        for (ContainerSpec.Namespace n : linux.namespaces()) {
            if (n.type().equals("network") && n.path() != null) {
                return n.path();
            }
        }
        return null;
    }
}

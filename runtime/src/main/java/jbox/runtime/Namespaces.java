package jbox.runtime;

import java.util.ArrayList;
import java.util.List;
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
            if (n.path() != null) {
                continue; // joined by the shim before clone (joins)
            }
            if (!n.type().equals("cgroup")) { // unshared by the plan, after the cgroup move (PlanBuilder)
                flags |= f;
            }
        }
        return flags;
    }

    /**
     * The namespaces to join (paths), in the order setns() needs: the user namespace first (it
     * grants the capabilities the other joins need), the mount namespace last.
     */
    static List<String> joins(ContainerSpec.Linux linux) {
        List<String> order = List.of("user", "cgroup", "ipc", "uts", "network", "pid", "mount");
        List<String> paths = new ArrayList<>();
        for (String type : order) {
            ContainerSpec.Namespace n = linux.joined(type);
            if (n != null) {
                paths.add(n.path());
            }
        }
        return paths;
    }

    /** The type of the i-th joined namespace, for an error message. */
    static String joinedType(ContainerSpec.Linux linux, int i) {
        List<String> paths = joins(linux);
        for (ContainerSpec.Namespace n : linux.namespaces()) {
            if (i < paths.size() && paths.get(i).equals(n.path())) {
                return n.type();
            }
        }
        return "?";
    }
}

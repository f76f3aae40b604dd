package jbox.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.process.PlanBuilder;
import jbox.spec.ContainerSpec;

/** OCI namespace types, the clone(2) flags that create them, and the order they are joined in. */
final class Namespaces {
    static final Map<String, Long> CLONE_FLAGS = Map.of(
            "mount", 0x00020000L,
            "cgroup", PlanBuilder.CLONE_NEWCGROUP,
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

    /** The order setns() needs: the user namespace first (it grants the capabilities the other
     * joins need), the mount namespace last (its root becomes ours). The shim follows the list. */
    static final List<String> JOIN_ORDER = List.of("user", "cgroup", "ipc", "uts", "network", "pid", "mount");

    /** A namespace to join: its OCI type and its path. */
    record Join(String type, String path) {
    }

    /** The namespaces a spec joins, in JOIN_ORDER. */
    static List<Join> joinList(ContainerSpec.Linux linux) {
        List<Join> joins = new ArrayList<>();
        for (String type : JOIN_ORDER) {
            ContainerSpec.Namespace n = linux.joined(type);
            if (n != null) {
                joins.add(new Join(type, n.path()));
            }
        }
        return joins;
    }

    /** The paths of joinList, as MSG_CLONE carries them. */
    static List<String> joins(ContainerSpec.Linux linux) {
        return joinList(linux).stream().map(Join::path).toList();
    }

    /** What each join is, for an error message: "the network namespace /var/run/netns/x". */
    static List<String> joinNames(ContainerSpec.Linux linux) {
        return joinList(linux).stream().map(j -> "the " + j.type() + " namespace " + j.path()).toList();
    }

    /** /proc/PID/ns names of the OCI types. */
    private static final Map<String, String> PROC_NS = Map.of("user", "user", "cgroup", "cgroup", "ipc", "ipc",
            "uts", "uts", "network", "net", "pid", "pid", "mount", "mnt");

    /**
     * jbox exec: every namespace of {@code pid} that is not already ours, in JOIN_ORDER.
     * setns() into one's own user namespace fails, so the shared ones (e.g. --userns host, --net
     * host) are left out, compared by the nsfs link ("net:[4026531840]"). The shim is our child and
     * shares our namespaces, so ours are its.
     */
    static List<Join> toEnter(long pid) throws JboxException {
        List<Join> joins = new ArrayList<>();
        for (String type : JOIN_ORDER) {
            Path theirs = Path.of("/proc/" + pid + "/ns/" + PROC_NS.get(type));
            try {
                if (!Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/" + PROC_NS.get(type))))) {
                    joins.add(new Join(type, theirs.toString()));
                }
            } catch (IOException e) {
                throw new JboxException("entering the container's namespaces failed: cannot read " + theirs + ": "
                        + IoReason.of(e), e);
            }
        }
        return joins;
    }
}

package jbox.process;

import static jbox.process.MountOptions.MS_BIND;
import static jbox.process.MountOptions.MS_NODEV;
import static jbox.process.MountOptions.MS_NOEXEC;
import static jbox.process.MountOptions.MS_NOSUID;
import static jbox.process.MountOptions.MS_RDONLY;
import static jbox.process.MountOptions.MS_REMOUNT;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.cgroup.CgroupHost;

/**
 * The steps for an OCI mount of type "cgroup" (podman puts one on /sys/fs/cgroup).
 *
 * v2 host: a cgroup2 mount (inside a cgroup namespace it shows the container's own subtree).
 * v1 host: a tmpfs with one directory per hierarchy the host has mounted (named "cpu,cpuacct",
 * "systemd"), plus the host's symlinks for co-mounted controllers (cpu -> cpu,cpuacct); the tmpfs
 * is made read-only at the end when the mount says ro. In each directory: with a cgroup namespace,
 * a cgroup mount of that hierarchy (it shows the namespace's root, the container's cgroup); without
 * one (podman on v1), a cgroup mount would show the host's whole tree, so the container's own
 * cgroup directory is bound there instead (runc's rule), with the mount's flags, and a hierarchy
 * it has no directory in stays empty. In a user
 * namespace the kernel refuses v1 cgroup mounts, so there the tmpfs stays empty (and read-only if
 * asked): a container in a user namespace cannot manage v1 cgroups anyway.
 */
final class CgroupMountPlan {
    private CgroupMountPlan() {
    }

    /** ownDirs: the container's directory in each hierarchy by its name, bound when it has no cgroupns. */
    static void add(Plan plan, String target, String dest, MountOptions o, CgroupHost host, boolean userns,
            boolean cgroupns, Map<String, Path> ownDirs) {
        long flags = o.flags() | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if (host.version() == CgroupHost.Version.V2) {
            plan.mount("cgroup2", target, "cgroup2", flags, "", "mount cgroup2 on " + dest);
            return;
        }
        plan.mount("tmpfs", target, "tmpfs", flags & ~MS_RDONLY, "mode=755", "mount tmpfs for cgroup v1 on " + dest);
        if (!userns) {
            for (Map.Entry<String, List<String>> h : host.v1Hierarchies().entrySet()) {
                String dir = target + "/" + h.getKey();
                String shown = dest + "/" + h.getKey();
                plan.mkdir(dir, 0755, "create mountpoint " + shown);
                Path own = ownDirs.get(h.getKey());
                if (cgroupns) {
                    plan.mount("cgroup", dir, "cgroup", flags, String.join(",", h.getValue()), "mount cgroup v1 " + h.getKey() + " on " + shown);
                } else if (own != null) {
                    plan.mount(own.toString(), dir, "", MS_BIND, "", "bind-mount the container's cgroup " + own + " on " + shown);
                    plan.mount("", dir, "", MS_REMOUNT | MS_BIND | flags, "", "remount " + shown + " with the mount's flags");
                }
                for (String controller : h.getValue()) {
                    if (!controller.equals(h.getKey()) && !controller.equals("none") && !controller.startsWith("name=")) {
                        plan.symlink(h.getKey(), target + "/" + controller,
                                "symlink " + dest + "/" + controller + " -> " + h.getKey());
                    }
                }
            }
        }
        if ((o.flags() & MS_RDONLY) != 0) {
            plan.mount("", target, "", MS_REMOUNT | flags, "mode=755", "remount the cgroup tmpfs on " + dest + " read-only");
        }
    }
}

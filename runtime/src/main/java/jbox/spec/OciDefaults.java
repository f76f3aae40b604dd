package jbox.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The config.json `jbox spec` writes: runc's default (sh on a terminal, a read-only rootfs/,
 * three capabilities, the usual masked and read-only paths), with jbox's hostname; `--rootless`
 * adds a user namespace mapping container 0.. onto jbox's configured host range.
 */
public final class OciDefaults {
    private OciDefaults() {
    }

    public record IdRange(long uidBase, long gidBase, long size) {
    }

    /** @param userns null: no user namespace; else the range container root and up map to */
    public static ContainerSpec spec(IdRange userns) {
        List<String> caps = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        ContainerSpec.Process process = new ContainerSpec.Process(true, new ContainerSpec.User(0, 0, null),
                List.of("sh"), List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"), "/",
                new ContainerSpec.CapabilitySets(caps, caps, List.of(), caps, List.of()), true,
                List.of(new ContainerSpec.Rlimit("RLIMIT_NOFILE", 1024, 1024)));
        List<ContainerSpec.Mount> mounts = List.of(
                new ContainerSpec.Mount("/proc", "proc", "proc", null),
                new ContainerSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new ContainerSpec.Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new ContainerSpec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                new ContainerSpec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new ContainerSpec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new ContainerSpec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        List<ContainerSpec.Namespace> namespaces = new ArrayList<>();
        for (String type : List.of("pid", "network", "ipc", "uts", "mount", "cgroup")) {
            namespaces.add(new ContainerSpec.Namespace(type, null));
        }
        List<ContainerSpec.IdMapping> uids = null;
        List<ContainerSpec.IdMapping> gids = null;
        if (userns != null) {
            namespaces.add(new ContainerSpec.Namespace("user", null));
            uids = List.of(new ContainerSpec.IdMapping(0, userns.uidBase(), userns.size()));
            gids = List.of(new ContainerSpec.IdMapping(0, userns.gidBase(), userns.size()));
        }
        ContainerSpec.Linux linux = new ContainerSpec.Linux(namespaces, uids, gids, null, null, null,
                List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
        return new ContainerSpec(ContainerSpec.OCI_VERSION, process, new ContainerSpec.Root("rootfs", true), "jbox",
                mounts, linux, Map.of());
    }
}

package jbox.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;
import java.util.Map;
import jbox.security.SeccompProfile;

/**
 * The one model of a container, shaped like the OCI runtime spec's config.json (a subset that
 * grows with jbox). The docker-like CLI translates into it (SpecBuilder); the runtime executes it
 * (jbox.process.PlanBuilder). Nothing else describes a container.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerSpec(
        String ociVersion,
        Process process,
        Root root,
        String hostname,
        List<Mount> mounts,
        Linux linux,
        Map<String, String> annotations,
        Hooks hooks) {

    /** A container without hooks (everything jbox run builds). */
    public ContainerSpec(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts, Linux linux,
            Map<String, String> annotations) {
        this(ociVersion, process, root, hostname, mounts, linux, annotations, null);
    }

    public static final String OCI_VERSION = "1.0.2";

    /** Annotation keys for jbox's image layers: the root is an overlay of lower + upper. */
    public static final String ANNOTATION_LOWER = "dev.jbox.rootfs.lowerdir";
    public static final String ANNOTATION_UPPER = "dev.jbox.rootfs.upperdir";
    public static final String ANNOTATION_WORK = "dev.jbox.rootfs.workdir";
    /**
     * "true": the writable layer goes with the container (--rm), so overlayfs is mounted volatile:
     * it skips the sync of the host's file system that every unmount of an overlay does, which a
     * crash could only have kept for a container that is removed anyway.
     */
    public static final String ANNOTATION_VOLATILE = "dev.jbox.rootfs.volatile";
    /** "true": PID 1 is jbox's built-in init, the command runs as its child (--init). */
    public static final String ANNOTATION_INIT = "dev.jbox.init";
    /** "true": run -di without -t; the detached monitor holds the container's stdin, a pipe, for jbox attach. */
    public static final String ANNOTATION_OPEN_STDIN = "dev.jbox.open-stdin";
    /** Seconds of CPU the whole container may use (--cpu-time), read off its cgroup while it runs. */
    public static final String ANNOTATION_CPU_TIME = "dev.jbox.cpu-time";
    /** --add-host NAME:IP and --dns IP as given, comma-separated: /etc/hosts and resolv.conf are made anew on each start. */
    public static final String ANNOTATION_ADD_HOSTS = "dev.jbox.add-hosts";
    public static final String ANNOTATION_DNS = "dev.jbox.dns";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
            CapabilitySets capabilities, boolean noNewPrivileges, List<Rlimit> rlimits, Integer oomScoreAdj) {
        /** A process with no capability, privilege or limit settings (tests, minimal configs). */
        public Process(boolean terminal, User user, List<String> args, List<String> env, String cwd) {
            this(terminal, user, args, env, cwd, null, false, null, null);
        }

        public Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
                CapabilitySets capabilities, boolean noNewPrivileges, List<Rlimit> rlimits) {
            this(terminal, user, args, env, cwd, capabilities, noNewPrivileges, rlimits, null);
        }
    }

    /** Capability names ("CAP_CHOWN") per set, as in the OCI spec. */
    public record CapabilitySets(List<String> bounding, List<String> effective, List<String> inheritable,
            List<String> permitted, List<String> ambient) {
        /**
         * jbox's rule for a process of user {@code uid} within {@code bounding}: root gets them
         * effective and permitted, anyone else none (`run -u`, and `exec -u` for another user).
         */
        public static CapabilitySets forUser(List<String> bounding, long uid) {
            return uid == 0
                    ? new CapabilitySets(bounding, bounding, List.of(), bounding, List.of())
                    : new CapabilitySets(bounding, List.of(), List.of(), List.of(), List.of());
        }
    }

    /** type is "RLIMIT_NOFILE" etc.; -1 means unlimited. */
    public record Rlimit(String type, long hard, long soft) {
    }

    /** umask null: the runtime's default (022). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(long uid, long gid, List<Long> additionalGids, Integer umask) {
        public User(long uid, long gid, List<Long> additionalGids) {
            this(uid, gid, additionalGids, null);
        }
    }

    public record Root(String path, boolean readonly) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Mount(String destination, String type, String source, List<String> options) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Linux(List<Namespace> namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
            Resources resources, String cgroupsPath,
            @JsonSerialize(using = OciSeccompSerializer.class) SeccompProfile seccomp, List<String> maskedPaths,
            List<String> readonlyPaths, String rootfsPropagation, Map<String, String> sysctl, List<Device> devices) {
        public Linux(List<Namespace> namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings) {
            this(namespaces, uidMappings, gidMappings, null, null, null, null, null, null, null, null);
        }

        /** The same namespaces, maps, paths and devices with other resources (runc's `update`). */
        public Linux withResources(Resources r) {
            return new Linux(namespaces, uidMappings, gidMappings, r, cgroupsPath, seccomp, maskedPaths, readonlyPaths,
                    rootfsPropagation, sysctl, devices);
        }

        /** Without device nodes of the config's own (everything but OCI configs). */
        public Linux(List<Namespace> namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
                Resources resources, String cgroupsPath, SeccompProfile seccomp, List<String> maskedPaths,
                List<String> readonlyPaths, String rootfsPropagation, Map<String, String> sysctl) {
            this(namespaces, uidMappings, gidMappings, resources, cgroupsPath, seccomp, maskedPaths, readonlyPaths,
                    rootfsPropagation, sysctl, null);
        }

        public Linux(List<Namespace> namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
                Resources resources, String cgroupsPath, SeccompProfile seccomp, List<String> maskedPaths,
                List<String> readonlyPaths) {
            this(namespaces, uidMappings, gidMappings, resources, cgroupsPath, seccomp, maskedPaths, readonlyPaths, null, null);
        }

        /** True in a user namespace of its own or in a joined one: jbox then starts as an unmapped id there. */
        public boolean inUserNamespace() {
            return has("user") || joined("user") != null;
        }

        /** The host uid and gid that are root in the container: mapped in a user namespace, else 0. */
        public long[] rootIds() {
            if (!inUserNamespace()) {
                return new long[] {0, 0};
            }
            IdMapping u = rootMapping(uidMappings);
            IdMapping g = rootMapping(gidMappings);
            return new long[] {u == null ? 0 : u.hostID(), g == null ? 0 : g.hostID()};
        }

        /** The line of {@code maps} that maps the container's id 0, or null. */
        public static IdMapping rootMapping(List<IdMapping> maps) {
            for (IdMapping m : maps == null ? List.<IdMapping>of() : maps) {
                if (m.containerID() == 0) {
                    return m;
                }
            }
            return null;
        }

        /** The namespace of this type that is joined (has a path), or null. */
        public Namespace joined(String type) {
            return namespaces.stream().filter(n -> n.type().equals(type) && n.path() != null).findFirst().orElse(null);
        }

        public boolean has(String type) {
            return namespaces.stream().anyMatch(n -> n.type().equals(type) && n.path() == null);
        }
    }

    /**
     * linux.devices: a node the container gets (type c, b, u or p; major/minor for all but p;
     * fileMode, uid and gid as in the container, defaults 0666, 0 and 0, as runc).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Device(String path, String type, Long major, Long minor, Integer fileMode, Long uid, Long gid) {
    }

    /** Cgroup limits, OCI-shaped; null parts are not limited. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Resources(Memory memory, Pids pids, Cpu cpu, List<DeviceRule> devices, BlockIO blockIO,
            List<HugepageLimit> hugepageLimits, Network network, Map<String, String> unified) {
        public Resources(Memory memory, Pids pids, Cpu cpu) {
            this(memory, pids, cpu, null);
        }

        public Resources(Memory memory, Pids pids, Cpu cpu, List<DeviceRule> devices) {
            this(memory, pids, cpu, devices, null, null, null, null);
        }
    }

    /** linux.resources.blockIO: weights 10..1000 (0 = unset, as runc), throttles in bytes or ios per second. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BlockIO(Integer weight, Integer leafWeight, List<WeightDevice> weightDevice,
            List<ThrottleDevice> throttleReadBpsDevice, List<ThrottleDevice> throttleWriteBpsDevice,
            List<ThrottleDevice> throttleReadIOPSDevice, List<ThrottleDevice> throttleWriteIOPSDevice) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WeightDevice(long major, long minor, Integer weight, Integer leafWeight) {
    }

    public record ThrottleDevice(long major, long minor, long rate) {
    }

    /** pageSize as the kernel names it in hugetlb files ("2MB", "1GB"); limit in bytes. */
    public record HugepageLimit(String pageSize, long limit) {
    }

    /** net_cls class id and net_prio priorities per interface (cgroup v1). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Network(Long classID, List<InterfacePriority> priorities) {
    }

    public record InterfacePriority(String name, long priority) {
    }

    /** A device cgroup rule: type a|c|b (null = all), major/minor null = any, access of "rwm". */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
    }

    /**
     * Bytes; swap is memory+swap as in the OCI spec and docker (-1 = unlimited); reservation is a
     * soft limit; swappiness 0..100; disableOOMKiller keeps the OOM killer away (cgroup v1).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Memory(Long limit, Long swap, Long reservation, Long swappiness, Boolean disableOOMKiller) {
        public Memory(Long limit, Long swap) {
            this(limit, swap, null, null, null);
        }
    }

    public record Pids(long limit) {
    }

    /** cpus and mems: cpuset lists ("0-1,3"); realtime*: the cgroup's real-time bandwidth (µs). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cpu(Long shares, Long quota, Long period, Long realtimeRuntime, Long realtimePeriod, String cpus,
            String mems) {
        public Cpu(Long shares, Long quota, Long period) {
            this(shares, quota, period, null, null, null, null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Namespace(String type, String path) {
    }

    public record IdMapping(long containerID, long hostID, long size) {
    }

    /**
     * OCI lifecycle hooks. prestart and createRuntime run in the runtime's namespaces once the
     * container's exist; createContainer in the container's mount namespace before pivot_root;
     * startContainer inside the container just before the command; poststart after start;
     * poststop on delete. Each gets the container's state JSON on stdin.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Hooks(List<Hook> prestart, List<Hook> createRuntime, List<Hook> createContainer,
            List<Hook> startContainer, List<Hook> poststart, List<Hook> poststop) {
    }

    /** timeout in seconds; null = none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
        /** The argv the hook gets: its args, or just its path when it has none. */
        public List<String> argv() {
            return args == null || args.isEmpty() ? List.of(path) : args;
        }
    }
}

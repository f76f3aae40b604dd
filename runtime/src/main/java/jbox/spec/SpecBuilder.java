package jbox.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jbox.JboxException;
import jbox.cgroup.CgroupResources;
import jbox.image.ImageMeta;
import jbox.security.Capabilities;
import jbox.security.Rlimits;
import jbox.security.SeccompFilters;
import jbox.security.SeccompProfile;
import jbox.security.SeccompProfiles;

/**
 * The one place where CLI options, the image's defaults and jbox's configuration become a
 * ContainerSpec. Precedence: flag, then image, then jbox default.
 */
public final class SpecBuilder {
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Host-side facts the spec needs: where the layers and the generated /etc files are. */
    public record Inputs(
            String id,
            ImageMeta image,
            String imageRootfs,
            String upperDir,
            String workDir,
            String rootMountPoint, // where the overlay is mounted, in the container's namespace (the layer dir)
            String etcDir,
            IdRange ids,
            NetworkInputs network,
            SecurityDefaults security,
            String cgroupParent) {
    }

    /**
     * What the network modes need: the mode when --net is not given, the bridge (recorded in the
     * spec's annotations), and where a running container's network namespace is (container:).
     */
    public record NetworkInputs(String defaultMode, String bridge, String subnet, ContainerNetns containers,
            UserNetworks networks) {
        public NetworkInputs(String defaultMode, String bridge, String subnet, ContainerNetns containers) {
            this(defaultMode, bridge, subnet, containers, name -> {
                throw new JboxException("network " + name + " does not exist (see: jbox network ls)");
            });
        }
    }

    /** Finds a user-defined network by name: its bridge and subnet. */
    public interface UserNetworks {
        List<String> bridgeAndSubnet(String name) throws JboxException;
    }

    /** Finds a running container by name or id and returns its network namespace's path. */
    public interface ContainerNetns {
        String path(String ref) throws JboxException;
    }

    /** Where `ip netns add NAME` puts a named namespace (compiled into iproute2). */
    static final String NETNS_DIR = "/var/run/netns";

    /** The host id range container ids 0.. map to; null when the user namespace is off. */
    public record IdRange(long uidBase, long gidBase, long size) {
    }

    private SpecBuilder() {
    }

    public static ContainerSpec build(RunOptions o, Inputs in) throws JboxException {
        List<String> args = command(o, in.image());
        String hostname = o.hostname() != null ? o.hostname() : in.id().substring(0, 12);
        if (!hostname.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,61}[A-Za-z0-9])?")) {
            throw new JboxException("invalid hostname " + hostname + ": use letters, digits, '.' and '-' (at most 63)");
        }
        RunOptions.Sandboxing sb = o.sandboxing() == null ? RunOptions.Sandboxing.NONE : o.sandboxing();
        SecurityDefaults.Sandbox preset = sb.sandbox() ? in.security().sandbox() : null;
        NetworkMode net = NetworkMode.parse(o.net() != null ? o.net() : preset != null ? "none" : in.network().defaultMode());
        RunOptions.Habits habits = o.habits();
        String userSpec = o.user() != null ? o.user() : emptyToNull(in.image().user());
        ImageAccounts.Resolved account = userSpec == null && habits.groupAdd().isEmpty()
                ? new ImageAccounts.Resolved(new ContainerSpec.User(0, 0, null), "/root") // root: no file read on the hot path
                : new ImageAccounts(Path.of(in.imageRootfs())).resolve(userSpec, habits.groupAdd());
        ContainerSpec.User user = account.user();
        String cwd = o.workdir() != null ? o.workdir()
                : in.image().workingDir() == null || in.image().workingDir().isEmpty() ? "/" : in.image().workingDir();
        if (!cwd.startsWith("/")) {
            throw new JboxException("working directory " + cwd + " must be an absolute path");
        }

        List<ContainerSpec.Namespace> ns = new ArrayList<>();
        for (String t : List.of("pid", "uts", "ipc", "mount", "cgroup")) {
            ns.add(new ContainerSpec.Namespace(t, null));
        }
        String netPath = networkNamespace(net, in.network());
        if (net.kind() != NetworkMode.Kind.HOST) {
            ns.add(new ContainerSpec.Namespace("network", netPath));
        }
        List<ContainerSpec.IdMapping> uidMap = null;
        List<ContainerSpec.IdMapping> gidMap = null;
        if (in.ids() != null) {
            ns.add(new ContainerSpec.Namespace("user", null));
            uidMap = List.of(new ContainerSpec.IdMapping(0, in.ids().uidBase(), in.ids().size()));
            gidMap = List.of(new ContainerSpec.IdMapping(0, in.ids().gidBase(), in.ids().size()));
            if (user.uid() >= in.ids().size() || user.gid() >= in.ids().size()) {
                throw new JboxException("user " + user.uid() + ":" + user.gid() + " is outside the mapped id range 0-" + (in.ids().size() - 1));
            }
            for (long g : user.additionalGids() == null ? List.<Long>of() : user.additionalGids()) {
                if (g >= in.ids().size()) {
                    throw new JboxException("group " + g + " is outside the mapped id range 0-" + (in.ids().size() - 1));
                }
            }
        }

        Map<String, String> ann = new LinkedHashMap<>();
        ann.put(ContainerSpec.ANNOTATION_LOWER, in.imageRootfs());
        ann.put(ContainerSpec.ANNOTATION_UPPER, in.upperDir());
        ann.put(ContainerSpec.ANNOTATION_WORK, in.workDir());
        if (o.remove()) {
            ann.put(ContainerSpec.ANNOTATION_VOLATILE, "true");
        }
        ann.put("dev.jbox.image", in.image().name());
        ann.put(NetworkMode.ANNOTATION_MODE, net.annotation());
        if (net.userNetwork()) {
            List<String> bs = in.network().networks().bridgeAndSubnet(net.target());
            ann.put(NetworkMode.ANNOTATION_NETWORK, net.target());
            ann.put(NetworkMode.ANNOTATION_BRIDGE, bs.get(0));
            ann.put(NetworkMode.ANNOTATION_SUBNET, bs.get(1));
        } else if (net.kind() == NetworkMode.Kind.BRIDGE) {
            ann.put(NetworkMode.ANNOTATION_BRIDGE, in.network().bridge());
            ann.put(NetworkMode.ANNOTATION_SUBNET, in.network().subnet());
        }
        if (!habits.addHosts().isEmpty()) {
            ann.put(ContainerSpec.ANNOTATION_ADD_HOSTS, String.join(",", habits.addHosts()));
        }
        if (habits.interactive() && o.detach() && !o.tty()) {
            ann.put(ContainerSpec.ANNOTATION_OPEN_STDIN, "true"); // docker's -di: stdin stays open for attach
        }
        if (!habits.dns().isEmpty()) {
            ann.put(ContainerSpec.ANNOTATION_DNS, String.join(",", habits.dns()));
        }
        Long cpuSeconds = cpuTimeSeconds(sb, preset);
        if (cpuSeconds != null) {
            ann.put(ContainerSpec.ANNOTATION_CPU_TIME, Long.toString(cpuSeconds));
        }
        List<PortMapping> ports = PortMapping.parseAll(o.publish() == null ? List.of() : o.publish());
        if (habits.publishAll()) {
            ports = PortMapping.withExposed(ports, in.image().exposedPorts(), in.image().name());
        }
        if (!ports.isEmpty()) {
            // Ports are DNAT to the container's bridge address: other modes have none.
            if (net.kind() != NetworkMode.Kind.BRIDGE) {
                throw new JboxException("cannot publish ports with --net " + net + ": -p needs bridge or a jbox network");
            }
            ann.put(NetworkMode.ANNOTATION_PORTS, PortMapping.format(ports));
        } else if (net.kind() == NetworkMode.Kind.CONTAINER) {
            ann.put(NetworkMode.ANNOTATION_CONTAINER, net.target());
        }
        if (o.init()) {
            ann.put(ContainerSpec.ANNOTATION_INIT, "true");
        }

        boolean privileged = habits.privileged();
        if (privileged && preset != null) {
            throw new JboxException("--privileged and --sandbox contradict each other: choose one");
        }
        List<String> caps = Capabilities.resolve(preset != null ? List.of() : in.security().capabilities(),
                privileged ? List.of("ALL") : sb.capAdd(), sb.capDrop());
        ContainerSpec.CapabilitySets capSets = ContainerSpec.CapabilitySets.forUser(caps, user.uid());
        ContainerSpec.Resources resources = ResourceFlags.resources(sb, preset);
        List<ContainerSpec.Mount> mounts = mounts(net, in.etcDir(), privileged, shmSize(habits.shmSize()));
        mounts.addAll(userMounts(sb, preset, in.ids() != null));
        List<ContainerSpec.DeviceRule> deviceRules = new ArrayList<>();
        List<String> devices = new ArrayList<>(privileged ? HostDevices.allOfHost() : List.of());
        for (String d : habits.devices()) {
            String host = d.split(":", 2)[0];
            devices.removeIf(p -> p.equals(host)); // --device's own form wins (its path, its permissions)
            devices.add(d);
        }
        mounts.addAll(HostDevices.mounts(devices, deviceRules));
        if (!deviceRules.isEmpty()) {
            resources = resources == null ? new ContainerSpec.Resources(null, null, null, deviceRules)
                    : new ContainerSpec.Resources(resources.memory(), resources.pids(), resources.cpu(), deviceRules);
        }

        return new ContainerSpec(ContainerSpec.OCI_VERSION,
                new ContainerSpec.Process(o.tty(), user, args, env(o, in.image(), hostname, account.home()), cwd,
                        capSets, !privileged, rlimits(sb, preset)),
                new ContainerSpec.Root(in.rootMountPoint(), sb.readOnly() || preset != null),
                hostname,
                mounts,
                new ContainerSpec.Linux(ns, uidMap, gidMap, resources,
                        resources != null || o.report() != null || cpuSeconds != null ? "/" + in.cgroupParent() + "/" + in.id() : null,
                        privileged && !explicitSeccomp(sb) ? null : seccomp(sb),
                        privileged ? null : in.security().maskedPaths(), privileged ? null : in.security().readonlyPaths(), null,
                        netPath == null && net.kind() != NetworkMode.Kind.HOST ? ownNetworkSysctls(net, in.ids()) : null),
                ann);
    }

    /**
     * docker's: the entrypoint (the image's, or --entrypoint's: "" for none), then the command
     * given, else the image's CMD — unless --entrypoint was given, which drops the image's CMD too.
     */
    static List<String> command(RunOptions o, ImageMeta image) throws JboxException {
        String flag = o.habits().entrypoint();
        List<String> args = new ArrayList<>(flag == null ? image.entrypoint() : flag.isEmpty() ? List.of() : List.of(flag));
        if (o.command() != null && !o.command().isEmpty()) {
            args.addAll(o.command());
        } else if (flag == null) {
            args.addAll(image.cmd());
        }
        if (args.isEmpty()) {
            throw new JboxException(flag != null
                    ? "no command given: --entrypoint '' clears the image's entrypoint and its default command"
                    : "no command given and image " + image.name() + " has no default command");
        }
        return args;
    }

    /** --security-opt seccomp=... given: --privileged then keeps that filter, as docker does. */
    private static boolean explicitSeccomp(RunOptions.Sandboxing sb) {
        return sb.securityOpts().stream().anyMatch(opt -> opt.startsWith("seccomp=") || opt.startsWith("seccomp:"));
    }

    /** --shm-size in bytes (docker's default: 64m); at least one page. */
    static long shmSize(String flag) throws JboxException {
        if (flag == null) {
            return 64L << 20;
        }
        long bytes;
        try {
            bytes = CgroupResources.parseBytes(flag);
        } catch (JboxException e) {
            throw new JboxException("invalid --shm-size " + flag + ": expected a size such as 64m or 1g", e);
        }
        if (bytes < 4096) {
            throw new JboxException("invalid --shm-size " + flag + ": it must be at least 4k");
        }
        return bytes;
    }

    /**
     * Settings of a network namespace the container has to itself (joined or host ones are not
     * the container's to change). Ping without NET_RAW: ICMP datagram sockets for every group the
     * container has (in a user namespace only mapped gids can be named; docker and podman write
     * "0 2147483647" without one). Bridge mode: no IPv6 on eth0 and no router advertisements
     * taken, since jbox gives containers no IPv6 and a neighbour's RA would otherwise route the
     * container's IPv6 through that neighbour (CVE-2020-13401); lo keeps ::1.
     */
    static Map<String, String> ownNetworkSysctls(NetworkMode net, IdRange ids) {
        Map<String, String> sysctl = new LinkedHashMap<>();
        sysctl.put("net.ipv4.ping_group_range", "0 " + (ids != null ? ids.size() - 1 : 2147483647L));
        if (net.kind() == NetworkMode.Kind.BRIDGE && IPV6) {
            for (String dev : List.of("default", "eth0")) {
                sysctl.put("net.ipv6.conf." + dev + ".accept_ra", "0");
                sysctl.put("net.ipv6.conf." + dev + ".disable_ipv6", "1");
            }
        }
        return sysctl;
    }

    /** Whether the kernel has IPv6 at all (ipv6.disable=1 removes /proc/sys/net/ipv6, and nothing needs turning off). */
    private static final boolean IPV6 = Files.isDirectory(Path.of("/proc/sys/net/ipv6"));

    /** The namespace to join for container: and ns:, null for a new one (or none at all, host). */
    static String networkNamespace(NetworkMode net, NetworkInputs in) throws JboxException {
        if (net.kind() == NetworkMode.Kind.CONTAINER) {
            return in.containers().path(net.target());
        }
        if (net.kind() == NetworkMode.Kind.NS) {
            Path p = Path.of(NETNS_DIR, net.target());
            if (!Files.exists(p)) {
                throw new JboxException("network namespace " + net.target() + " does not exist (no " + p + "; see: ip netns list)");
            }
            return p.toString();
        }
        return null;
    }

    /** --security-opt seccomp=FILE|unconfined; the default profile otherwise. */
    static SeccompProfile seccomp(RunOptions.Sandboxing sb) throws JboxException {
        String choice = null;
        for (String opt : sb.securityOpts()) {
            if (opt.startsWith("seccomp=") || opt.startsWith("seccomp:")) {
                choice = opt.substring("seccomp=".length());
            } else if (!opt.equals("no-new-privileges") && !opt.equals("no-new-privileges:true")) {
                throw new JboxException("unsupported --security-opt " + opt + " (use seccomp=FILE, seccomp=unconfined or no-new-privileges)");
            }
        }
        if (choice == null) {
            return SeccompFilters.defaultProfile();
        }
        if (choice.equals("unconfined")) {
            return null;
        }
        return SeccompProfiles.read(Path.of(choice));
    }

    /**
     * --tmpfs and -v, and the sandbox's /tmp; targets are container paths, sources host paths. In a
     * user namespace a -v is idmapped unless told otherwise (docs/volumes.md says why).
     */
    static List<ContainerSpec.Mount> userMounts(RunOptions.Sandboxing sb, SecurityDefaults.Sandbox preset, boolean userns)
            throws JboxException {
        List<ContainerSpec.Mount> m = new ArrayList<>();
        if (preset != null && sb.tmpfs().stream().noneMatch(t -> t.equals("/tmp") || t.startsWith("/tmp:"))) {
            m.add(new ContainerSpec.Mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777", "size=" + preset.tmpSize())));
        }
        for (String t : sb.tmpfs()) {
            int colon = t.indexOf(':');
            String path = colon < 0 ? t : t.substring(0, colon);
            if (!path.startsWith("/")) {
                throw new JboxException("invalid --tmpfs " + t + ": the path must be absolute");
            }
            List<String> opts = colon < 0 ? List.of("nosuid", "nodev", "noexec")
                    : tmpfsOptions(t, t.substring(colon + 1));
            m.add(new ContainerSpec.Mount(path, "tmpfs", "tmpfs", opts));
        }
        for (String v : sb.volumes()) {
            VolumeFlag f = VolumeFlag.parse(v);
            if (f.named()) {
                throw new JboxException("volume " + f.source() + ": named volumes are resolved by jbox run, not here");
            }
            Path source;
            try {
                // The user named this host path: follow its symlinks on the host, once, here.
                source = Path.of(f.source()).toRealPath();
            } catch (IOException e) {
                throw new JboxException("volume source " + f.source() + " does not exist");
            }
            if (f.ownership() == VolumeFlag.Ownership.IDMAP && !userns) {
                throw new JboxException("invalid volume " + v + ": idmap needs the user namespace (not --userns host)");
            }
            List<String> opts = new ArrayList<>(List.of("rbind"));
            if (f.readOnly()) {
                opts.add("ro");
            }
            opts.addAll(List.of("nosuid", "nodev"));
            boolean idmap = userns && (f.ownership() == VolumeFlag.Ownership.DEFAULT || f.ownership() == VolumeFlag.Ownership.IDMAP);
            if (idmap) {
                opts.add("ridmap");
            }
            m.add(new ContainerSpec.Mount(f.destination(), "bind", source.toString(), opts));
        }
        return m;
    }

    /** Options a tmpfs takes: mount flags, propagation, tmpfs's own keys. bind/rbind/remount are not among them. */
    private static final Set<String> TMPFS_WORDS = Set.of("ro", "rw", "nosuid", "suid", "nodev", "dev",
            "noexec", "exec", "sync", "async", "dirsync", "noatime", "atime", "nodiratime", "diratime", "relatime",
            "norelatime", "strictatime", "nostrictatime", "nosymfollow", "symfollow", "private", "rprivate", "slave",
            "rslave", "shared", "rshared", "unbindable", "runbindable", "inode32", "inode64", "noswap",
            "tmpcopyup", "notmpcopyup");
    private static final Set<String> TMPFS_KEYS = Set.of("size", "mode", "uid", "gid", "nr_inodes",
            "nr_blocks", "huge", "mpol");

    /**
     * --tmpfs PATH:OPTS takes tmpfs options only: "bind" would turn the mount into a bind of a
     * source jbox never named (a tmpfs mount's source, resolved from the caller's cwd).
     */
    static List<String> tmpfsOptions(String flag, String opts) throws JboxException {
        List<String> out = List.of(opts.split(","));
        for (String o : out) {
            int eq = o.indexOf('=');
            if (eq > 0 ? !TMPFS_KEYS.contains(o.substring(0, eq)) : !TMPFS_WORDS.contains(o)) {
                throw new JboxException("--tmpfs " + flag + ": \"" + o + "\" is not a tmpfs option");
            }
        }
        return out;
    }

    /** --cpu-time, else the sandbox's: seconds of CPU for the whole container; null for none. */
    static Long cpuTimeSeconds(RunOptions.Sandboxing sb, SecurityDefaults.Sandbox preset) throws JboxException {
        String cpuTime = sb.cpuTime() != null ? sb.cpuTime() : preset != null ? preset.cpuTime() : null;
        return cpuTime == null ? null : Durations.seconds("--cpu-time", cpuTime);
    }

    /**
     * --ulimit values over the sandbox preset's. --cpu-time is enforced on the container's cgroup
     * (ContainerLauncher); RLIMIT_CPU stays as a per-process backstop (SIGXCPU, then SIGKILL a
     * second later) should the cgroup's reader fall behind.
     */
    static List<ContainerSpec.Rlimit> rlimits(RunOptions.Sandboxing sb, SecurityDefaults.Sandbox preset) throws JboxException {
        Map<String, ContainerSpec.Rlimit> out = new LinkedHashMap<>();
        if (preset != null) {
            long fsize = CgroupResources.parseBytes(preset.fileSize());
            out.put("RLIMIT_FSIZE", new ContainerSpec.Rlimit("RLIMIT_FSIZE", fsize, fsize));
            long nofile = Long.parseLong(preset.openFiles());
            out.put("RLIMIT_NOFILE", new ContainerSpec.Rlimit("RLIMIT_NOFILE", nofile, nofile));
        }
        Long seconds = cpuTimeSeconds(sb, preset);
        if (seconds != null) {
            out.put("RLIMIT_CPU", new ContainerSpec.Rlimit("RLIMIT_CPU", seconds + 1, seconds));
        }
        for (String u : sb.ulimits()) {
            Rlimits.Limit l = Rlimits.parse(u);
            out.put(l.type(), new ContainerSpec.Rlimit(l.type(), l.hard(), l.soft()));
        }
        return new ArrayList<>(out.values());
    }

    /** runc's default mounts, plus the /etc files jbox writes for the container. */
    static List<ContainerSpec.Mount> mounts(NetworkMode net, String etcDir) {
        return mounts(net, etcDir, false, 64L << 20);
    }

    /** {@code privileged}: a writable /sys (its devices come as binds: HostDevices.allOfHost). */
    static List<ContainerSpec.Mount> mounts(NetworkMode net, String etcDir, boolean privileged, long shmBytes) {
        List<ContainerSpec.Mount> m = new ArrayList<>();
        m.add(new ContainerSpec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        m.add(new ContainerSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        m.add(new ContainerSpec.Mount("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        m.add(new ContainerSpec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777",
                shmBytes % 1024 == 0 ? "size=" + shmBytes / 1024 + "k" : "size=" + shmBytes)));
        m.add(new ContainerSpec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        if (!net.ownNamespace()) {
            // sysfs may only be mounted by the owner of the network namespace: borrow the host's,
            // read-only (for a joined namespace its /sys/class/net then shows the host's links).
            m.add(new ContainerSpec.Mount("/sys", "bind", "/sys", privileged ? List.of("rbind", "nosuid", "noexec", "nodev")
                    : List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
        } else {
            m.add(new ContainerSpec.Mount("/sys", "sysfs", "sysfs", privileged ? List.of("nosuid", "noexec", "nodev")
                    : List.of("nosuid", "noexec", "nodev", "ro")));
        }
        for (String f : List.of("hostname", "hosts", "resolv.conf")) {
            m.add(new ContainerSpec.Mount("/etc/" + f, "bind", etcDir + "/" + f, List.of("bind")));
        }
        return m;
    }

    static List<String> env(RunOptions o, ImageMeta image, String hostname) throws JboxException {
        return env(o, image, hostname, "/root");
    }

    /** {@code home}: the user's home from the image's passwd; the image's or -e's HOME wins. */
    static List<String> env(RunOptions o, ImageMeta image, String hostname, String home) throws JboxException {
        Map<String, String> env = new LinkedHashMap<>();
        put(env, DEFAULT_PATH);
        for (String e : image.env() == null ? List.<String>of() : image.env()) {
            if (e.indexOf('=') <= 0) {
                throw new JboxException("image " + image.name() + " has an invalid environment entry \"" + e + "\" (expected KEY=VALUE)");
            }
            put(env, e);
        }
        env.put("HOSTNAME", hostname);
        env.putIfAbsent("HOME", home);
        if (o.tty()) {
            env.putIfAbsent("TERM", "xterm"); // as docker: a terminal without TERM breaks most programs
        }
        for (String e : o.env() == null ? List.<String>of() : o.env()) {
            if (e.isEmpty() || e.startsWith("=")) {
                throw new JboxException("invalid environment variable \"" + e + "\": expected KEY=VALUE or KEY");
            }
            if (e.indexOf('=') < 0) {
                continue; // docker's -e KEY: the CLI took the value from its caller's environment; it had none
            } else {
                put(env, e);
            }
        }
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    private static void put(Map<String, String> env, String kv) {
        int eq = kv.indexOf('=');
        env.put(kv.substring(0, eq), kv.substring(eq + 1));
    }

    /** UID[:GID] (numeric); "root" or empty means 0:0. Names need the image's passwd: not yet. */
    public static ContainerSpec.User parseUser(String spec) throws JboxException {
        if (spec == null || spec.isEmpty() || spec.equals("root")) {
            return new ContainerSpec.User(0, 0, null);
        }
        String[] parts = spec.split(":", -1);
        if (parts.length > 2 || !parts[0].matches("\\d{1,9}") || (parts.length == 2 && !parts[1].matches("\\d{1,9}"))) {
            throw new JboxException("invalid user " + spec + ": expected UID[:GID] with numeric ids");
        }
        long uid = Long.parseLong(parts[0]);
        long gid = parts.length == 2 ? Long.parseLong(parts[1]) : uid;
        return new ContainerSpec.User(uid, gid, null);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}

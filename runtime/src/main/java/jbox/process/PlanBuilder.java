package jbox.process;

import static jbox.process.MountOptions.MS_BIND;
import static jbox.process.MountOptions.MS_NODEV;
import static jbox.process.MountOptions.MS_NOEXEC;
import static jbox.process.MountOptions.MS_NOSUID;
import static jbox.process.MountOptions.MS_RDONLY;
import static jbox.process.MountOptions.MS_PRIVATE;
import static jbox.process.MountOptions.MS_REC;
import static jbox.process.MountOptions.MS_REMOUNT;
import static jbox.process.MountOptions.MS_SHARED;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jbox.JboxException;
import jbox.cgroup.CgroupHost;
import jbox.io.IoReason;
import jbox.rootfs.ContainerPath;
import jbox.rootfs.InRootResolver;
import jbox.rootfs.LayerStack;
import jbox.spec.ContainerSpec;

/**
 * Turns a ContainerSpec into the Plan the container init executes, in the order the kernel
 * needs: identity in the new user namespace, private propagation, the root, the mounts inside
 * it, the default devices, pivot_root, then the workload's directory, ids and execve.
 */
public final class PlanBuilder {
    /** Device nodes every container gets, bind-mounted from the host: mknod is refused in a user namespace. */
    /** mount(2) copies at most one page of options (4096 bytes here, with the terminating NUL). */
    static final int MOUNT_DATA_MAX = 4096;
    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");
    static final Map<String, String> DEV_LINKS = Map.of(
            "ptmx", "pts/ptmx", "fd", "/proc/self/fd", "stdin", "/proc/self/fd/0",
            "stdout", "/proc/self/fd/1", "stderr", "/proc/self/fd/2");

    public static final long CLONE_NEWCGROUP = 0x02000000L;

    private PlanBuilder() {
    }

    /**
     * How the plan is run. {@code monitored}: a jbox shim stays as the monitor (jbox run/exec);
     * false for the OCI CLI, whose caller monitors. {@code waitForStart}: create — the init stops
     * before the command until `jbox start`. {@code hookState}: the state JSON the in-container
     * hooks read (set once the pid is known).
     */
    public record Options(boolean monitored, boolean waitForStart, Plan.Later hookState, CgroupHost cgroups,
            Map<String, Path> ownCgroup) {
        public static final Options RUN = new Options(true, false, null);

        /** cgroups: the host's layout for mounts of type "cgroup"; null = detected when one is asked for. */
        public Options(boolean monitored, boolean waitForStart, Plan.Later hookState) {
            this(monitored, waitForStart, hookState, null, Map.of());
        }

        public Options(boolean monitored, boolean waitForStart, Plan.Later hookState, CgroupHost cgroups) {
            this(monitored, waitForStart, hookState, cgroups, Map.of());
        }

        public Options {
            ownCgroup = Map.copyOf(ownCgroup);
        }

        /**
         * The container's cgroup directory in each v1 hierarchy (ContainerCgroup.v1Dirs): a cgroup
         * mount without a cgroup namespace binds these, as runc does, rather than the host's roots.
         */
        public Options withOwnCgroup(Map<String, Path> dirs) {
            return new Options(monitored, waitForStart, hookState, cgroups, dirs);
        }
    }

    public static Plan build(ContainerSpec spec) throws JboxException {
        return build(spec, Options.RUN);
    }

    public static Plan build(ContainerSpec spec, Options options) throws JboxException {
        Plan plan = new Plan();
        ContainerSpec.Linux linux = spec.linux();
        // A user namespace of its own, or one joined by path (a pod's): either way we are an
        // unmapped id in it until we become its root.
        boolean userns = linux.inUserNamespace();
        if (userns) {
            // Until now we are an unmapped id with full capabilities; become the namespace's root so
            // files we create (mountpoints in the writable layer) get a mapped owner.
            plan.add(Protocol.OP_SETID, "become root of the user namespace", 0L, 0L);
        }
        if (linux.has("cgroup")) {
            // Not a clone flag: the namespace's root is the cgroup we are in when it is made, and
            // jbox moves us into the container's cgroup only after clone, before sending this plan.
            plan.add(Protocol.OP_UNSHARE, "unshare the cgroup namespace", CLONE_NEWCGROUP);
        }
        plan.add(Protocol.OP_SETSID, "start a new session");
        if (linux.has("network")) {
            plan.add(Protocol.OP_LINK_UP, "bring up the loopback interface lo", "lo");
        }
        if (linux.has("uts") && spec.hostname() != null) {
            plan.add(Protocol.OP_SETHOSTNAME, "set hostname " + spec.hostname(), spec.hostname());
        }
        // jbox's default is rprivate (runc's is rslave): nothing of the container leaks to the host or back.
        String propagation = linux.rootfsPropagation() == null ? "rprivate" : linux.rootfsPropagation();
        long rootPropagation = MountOptions.propagation(propagation);
        plan.mount("", "/", "", rootPropagation, "", "make mount propagation "
                + (linux.rootfsPropagation() == null ? "private" : propagation) + " on /");

        Path root = Path.of(spec.root().path());
        Map<String, String> ann = spec.annotations() == null ? Map.of() : spec.annotations();
        String lower = ann.get(ContainerSpec.ANNOTATION_LOWER);
        if (lower != null) {
            String data = "lowerdir=" + lower + ",upperdir=" + ann.get(ContainerSpec.ANNOTATION_UPPER)
                    + ",workdir=" + ann.get(ContainerSpec.ANNOTATION_WORK) + (userns ? ",userxattr" : "")
                    + ("true".equals(ann.get(ContainerSpec.ANNOTATION_VOLATILE)) ? ",volatile" : "");
            if (data.getBytes(StandardCharsets.UTF_8).length >= MOUNT_DATA_MAX) {
                throw new JboxException("the overlay mount of " + lower.split(":").length + " image layers needs "
                        + data.length() + " bytes of mount options, more than the kernel takes (" + (MOUNT_DATA_MAX - 1)
                        + "): use a shorter data.root, or an image with fewer layers");
            }
            plan.mount("overlay", root.toString(), "overlay", 0, data, "mount overlay rootfs on " + root);
        } else {
            plan.mount(root.toString(), root.toString(), "", MS_BIND | MS_REC, "", "bind-mount rootfs " + root + " on itself");
        }
        if ((rootPropagation & MS_SHARED) != 0) {
            // pivot_root refuses a shared new root, or a shared parent of it or of the old root.
            plan.mount("", "/", "", MS_PRIVATE, "", "make / private for pivot_root");
            String parent = MountTable.mountPointOf(root.getParent());
            if (!parent.equals("/")) {
                plan.mount("", parent, "", MS_PRIVATE, "", "make " + parent + " private for pivot_root");
            }
            plan.mount("", root.toString(), "", MS_PRIVATE, "", "make the rootfs private for pivot_root");
        }

        // Symlinks in mount destinations are resolved in the image, never on the host.
        InRootResolver resolver = lower == null ? new InRootResolver(root) : new InRootResolver(new LayerStack(
                Arrays.stream(lower.split(":")).map(Path::of).toList()));
        Map<ContainerPath, ContainerPath> mounted = new LinkedHashMap<>(); // destination -> where it went
        ContainerPath devDir = null;
        boolean devBound = false;
        for (ContainerSpec.Mount m : spec.mounts()) {
            ContainerPath dest = ContainerPath.of(m.destination());
            boolean hidden = mounted.keySet().stream().anyMatch(dest::startsWith);
            ContainerPath resolved = resolveDestination(dest, mounted, resolver);
            MountOptions o = mountOptions(m);
            boolean dir = !o.isBind() || Files.isDirectory(Path.of(m.source()));
            if (o.isBind() && !Files.exists(Path.of(m.source()))) {
                throw new JboxException("bind mount source " + m.source() + " does not exist");
            }
            makeMountpoint(plan, root, resolved, dir);
            String target = resolved.on(root).toString();
            if ("cgroup".equals(m.type())) {
                CgroupMountPlan.add(plan, target, dest.toString(), o, cgroups(options), userns, linux.has("cgroup"),
                        options.ownCgroup());
                mounted.put(dest, resolved);
                continue;
            }
            String what = (o.isBind() ? "bind-mount " + m.source() : "mount " + m.type()) + " on " + dest;
            long flags = o.isBind() ? o.flags() & (MS_BIND | MS_REC) : o.flags();
            if (o.idmap() != MountOptions.Idmap.NONE) {
                if (!userns) {
                    throw new JboxException("mount on " + dest + ": an idmapped mount needs a user namespace"
                            + " (its ids map the files)");
                }
                // idmap alone maps only the tree at the source; ridmap (and rbind) the mounts below it too.
                plan.idmappedBind(m.source(), o.idmap() == MountOptions.Idmap.RIDMAP || (flags & MS_REC) != 0, target,
                        "idmap-mount " + m.source() + " on " + dest);
            } else {
                plan.mount(o.isBind() ? m.source() : nullToEmpty(m.source()), target, o.isBind() ? "" : m.type(),
                        flags, o.data(), what);
            }
            if (o.isBind() && (o.flags() & ~(MS_BIND | MS_REC)) != 0) {
                // A bind mount ignores flags such as ro: they take effect only on a remount.
                plan.mount("", target, "", MS_REMOUNT | MS_BIND | o.flags() & ~MS_REC, "", "remount " + dest + " " + String.join(",", m.options()));
            }
            if ((o.flags() & (MS_BIND | MS_REC | MS_RDONLY)) == (MS_BIND | MS_REC | MS_RDONLY)) {
                // Read-only means the whole tree the recursive bind brought (--net host's /sys
                // carries the host's cgroup hierarchies; a volume may have mounts below it).
                plan.setAttrsRecursively(0, target, MountOptions.mountAttrs(o.flags()), "make " + dest + " read-only recursively");
            }
            if (o.propagation() != 0) {
                plan.mount("", target, "", o.propagation(), "", "set propagation of " + dest);
            }
            if (o.tmpcopyup() && "tmpfs".equals(m.type()) && !hidden) {
                // Below an earlier mount the image's directory is hidden: there is nothing of it to copy.
                long[] rootIds = linux.rootIds();
                TmpCopyUp.add(plan, resolved.on(lower != null ? Path.of(lower) : root), target, dest.toString(),
                        rootIds[0], rootIds[1]);
            }
            mounted.put(dest, resolved);
            if (dest.toString().equals("/dev") && "tmpfs".equals(m.type())) {
                devDir = resolved;
            }
            devBound |= dest.toString().equals("/dev") && o.isBind();
        }
        List<ContainerSpec.Device> devices = linux.devices() == null || devBound ? List.of() : linux.devices();
        if (devDir != null) {
            addDevices(plan, devDir.on(root), ConfigDevices.paths(devices));
        }
        // As runc: after the mounts, unless /dev is bound from the host (it then has the nodes it has).
        ConfigDevices.add(plan, devices, userns, dest -> {
            ContainerPath resolved = resolveDestination(dest, mounted, resolver);
            ContainerPath parent = ContainerPath.ROOT;
            List<String> names = resolved.names();
            for (String name : names.subList(0, names.size() - 1)) {
                parent = parent.child(name);
                plan.mkdir(parent.on(root).toString(), 0755, "create directory " + parent + " for device " + dest);
            }
            return resolved.on(root).toString();
        });

        addHooks(plan, "createContainer", spec.hooks() == null ? null : spec.hooks().createContainer(), options.hookState());
        plan.add(Protocol.OP_PIVOT_ROOT, "pivot_root into " + root, root.toString());
        // From here on paths are the container's own.
        if (spec.process().terminal()) {
            plan.add(Protocol.OP_PTY, "open a terminal on the container's /dev/ptmx");
        }
        String cwd = spec.process().cwd() == null ? "/" : spec.process().cwd();
        makeWorkdir(plan, cwd, spec.process().user(), mounted, resolver);
        if (linux.rootfsPropagation() != null) {
            // As runc: the new root gets the asked-for propagation too (the bind above made it private).
            plan.mount("", "/", "", rootPropagation, "", "make mount propagation " + propagation + " on the new /");
        }
        // Before maskAndProtect, which makes /proc/sys read-only.
        for (Map.Entry<String, String> e : new TreeMap<>(linux.sysctl() == null ? Map.<String, String>of() : linux.sysctl()).entrySet()) {
            plan.add(Protocol.OP_WRITE, "set sysctl " + e.getKey() + "=" + e.getValue(),
                    "/proc/sys/" + e.getKey().replace('.', '/'), e.getValue());
        }
        maskAndProtect(plan, linux);
        if (spec.root().readonly()) {
            plan.mount("", "/", "", MS_REMOUNT | MS_BIND | MS_RDONLY, "", "remount the root read-only");
        }
        plan.add(Protocol.OP_CHDIR, "chdir to working directory " + cwd, cwd);
        ProcessSecurity.addSteps(plan, spec.process(), linux.seccomp(), options.monitored(), () -> {
            if (options.waitForStart()) {
                plan.add(Protocol.OP_WAIT_START, "wait for jbox start (after finding " + spec.process().args().get(0) + ")",
                        spec.process().args().get(0), pathOf(spec.process().env()));
            }
            addHooks(plan, "startContainer", spec.hooks() == null ? null : spec.hooks().startContainer(), options.hookState());
        });
        if ("true".equals(ann.get(ContainerSpec.ANNOTATION_INIT))) {
            plan.add(Protocol.OP_INIT, "start the built-in init as PID 1");
        }
        plan.exec(spec.process().args(), spec.process().env(), "exec " + spec.process().args().get(0));
        return plan;
    }

    /** Options, with type "bind" meaning a bind mount even without a bind option (podman writes both). */
    private static MountOptions mountOptions(ContainerSpec.Mount m) throws JboxException {
        MountOptions o;
        try {
            o = MountOptions.parse(m.options());
        } catch (JboxException e) {
            throw new JboxException("mount on " + m.destination() + ": " + e.getMessage(), e);
        }
        if ("bind".equals(m.type()) && !o.isBind()) {
            o = new MountOptions(o.flags() | MS_BIND, o.propagation(), o.data(), o.tmpcopyup(), o.idmap());
        }
        if (o.idmap() != MountOptions.Idmap.NONE && !o.isBind()) {
            throw new JboxException("mount on " + m.destination() + ": " + o.idmap().name().toLowerCase(Locale.ROOT)
                    + " needs a bind mount, not type " + m.type());
        }
        if (o.tmpcopyup() && !"tmpfs".equals(m.type())) {
            throw new JboxException("mount on " + m.destination() + ": tmpcopyup needs type tmpfs, not " + m.type());
        }
        return o;
    }

    private static CgroupHost cgroups(Options options) throws JboxException {
        return options.cgroups() != null ? options.cgroups() : CgroupHost.detect();
    }

    /** The hooks that run inside the container's namespaces, as plan steps (the others run in jbox). */
    private static void addHooks(Plan plan, String kind, List<ContainerSpec.Hook> hooks, Plan.Later state) {
        if (hooks == null) {
            return;
        }
        for (ContainerSpec.Hook h : hooks) {
            List<String> argv = h.argv();
            List<String> env = h.env() == null ? List.of() : h.env();
            List<Object> args = new ArrayList<>();
            args.add(h.timeout() == null ? 0L : (long) h.timeout());
            args.add((long) argv.size());
            args.add(h.path());
            args.addAll(argv);
            args.addAll(env);
            args.add(state == null ? new Plan.Later() : state);
            plan.add(Protocol.OP_HOOK, "run " + kind + " hook " + h.path(), args.toArray());
        }
    }

    /** What EXEC's execvp searches: the environment's PATH, else glibc's default (confstr _CS_PATH). */
    static final String EXECVP_DEFAULT_PATH = "/bin:/usr/bin";

    private static String pathOf(List<String> env) {
        for (String e : env) {
            if (e.startsWith("PATH=")) {
                return e.substring(5);
            }
        }
        return EXECVP_DEFAULT_PATH;
    }

    /**
     * Masked paths disappear (/dev/null over a file, an empty read-only tmpfs over a directory);
     * read-only paths are bound onto themselves and remounted read-only. Paths this kernel lacks
     * are skipped (optional steps). procfs and sysfs look the same from the host, so their type
     * is read there.
     */
    private static void maskAndProtect(Plan plan, ContainerSpec.Linux linux) {
        int optional = Protocol.OPTIONAL_STEP;
        for (String p : linux.maskedPaths() == null ? List.<String>of() : linux.maskedPaths()) {
            if (Files.isDirectory(Path.of(p))) {
                plan.add(Protocol.OP_MOUNT | optional, "mask " + p, "tmpfs", p, "tmpfs", MS_RDONLY, "size=0");
            } else {
                plan.add(Protocol.OP_MOUNT | optional, "mask " + p, "/dev/null", p, "", MS_BIND, "");
            }
        }
        for (String p : linux.readonlyPaths() == null ? List.<String>of() : linux.readonlyPaths()) {
            plan.add(Protocol.OP_MOUNT | optional, "bind " + p + " onto itself", p, p, "", MS_BIND | MS_REC, "");
            plan.add(Protocol.OP_MOUNT | optional, "remount " + p + " read-only", "", p, "",
                    MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "");
            plan.setAttrsRecursively(optional, p, MountOptions.mountAttrs(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC),
                    "make " + p + " read-only recursively");
        }
    }

    /** The default nodes, but those the config lists itself (runc's rule: the config's replaces the default). */
    private static void addDevices(Plan plan, Path devDir, Set<String> configured) {
        for (String d : DEVICES) {
            if (configured.contains("/dev/" + d)) {
                continue;
            }
            String target = devDir.resolve(d).toString();
            plan.mkfile(target, 0666, "create /dev/" + d);
            plan.mount("/dev/" + d, target, "", MS_BIND, "", "bind-mount /dev/" + d + " on /dev/" + d);
        }
        for (Map.Entry<String, String> l : new TreeMap<>(DEV_LINKS).entrySet()) {
            plan.symlink(l.getValue(), devDir.resolve(l.getKey()).toString(),
                    "symlink /dev/" + l.getKey() + " -> " + l.getValue());
        }
    }

    /**
     * A working directory the image lacks is created, as docker does, after pivot_root (so it is
     * made inside the container's root, below any mount on the way) and before the root may turn
     * read-only; the directories this makes belong to the process's user, so it can write there.
     * Only what is missing is created: a component the image has (a directory, or a link the
     * resolver followed) is left alone. Below a mount the image cannot tell: each is created, EEXIST fine.
     */
    private static void makeWorkdir(Plan plan, String cwd, ContainerSpec.User user,
            Map<ContainerPath, ContainerPath> mounted, InRootResolver resolver) throws JboxException {
        ContainerPath dest = ContainerPath.of(cwd);
        if (dest.names().isEmpty()) {
            return;
        }
        boolean underMount = mounted.keySet().stream().anyMatch(m -> dest.startsWith(m) && !dest.equals(m));
        ContainerPath resolved = resolveDestination(dest, mounted, resolver);
        ContainerPath p = ContainerPath.ROOT;
        boolean missing = false;
        for (String name : resolved.names()) {
            p = p.child(name);
            try {
                missing |= underMount || !Files.isDirectory(resolver.onHost(p));
            } catch (IOException e) {
                throw new JboxException("working directory " + cwd + ": " + IoReason.of(e), e);
            }
            if (missing) {
                long uid = user == null ? 0 : user.uid();
                long gid = user == null ? 0 : user.gid();
                plan.mkdirOwned(p.toString(), 0755, uid, gid, "create working directory " + p);
            }
        }
    }

    /** mkdir each missing directory on the way; EEXIST is fine, so no host-side check is needed. */
    private static void makeMountpoint(Plan plan, Path root, ContainerPath dest, boolean dir) {
        List<String> names = dest.names();
        ContainerPath p = ContainerPath.ROOT;
        for (int i = 0; i < names.size(); i++) {
            p = p.child(names.get(i));
            boolean last = i == names.size() - 1;
            if (last && !dir) {
                plan.mkfile(p.on(root).toString(), 0644, "create mountpoint " + p);
            } else {
                plan.mkdir(p.on(root).toString(), 0755, "create mountpoint " + p);
            }
        }
    }

    /** Below an earlier mount the image is hidden: keep the rest of the path, under where that mount went. */
    static ContainerPath resolveDestination(ContainerPath dest, Map<ContainerPath, ContainerPath> mounted,
            InRootResolver resolver) throws JboxException {
        ContainerPath parent = null;
        for (ContainerPath m : mounted.keySet()) {
            if (dest.startsWith(m) && !dest.equals(m) && (parent == null || m.names().size() > parent.names().size())) {
                parent = m;
            }
        }
        if (parent == null) {
            try {
                return resolver.resolve(dest);
            } catch (IOException e) {
                throw new JboxException("mount destination " + dest + ": " + IoReason.of(e), e);
            }
        }
        ContainerPath p = mounted.get(parent);
        for (String n : dest.names().subList(parent.names().size(), dest.names().size())) {
            p = p.child(n);
        }
        return p;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}

package jbox.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.security.Capabilities;
import jbox.security.Rlimits;
import jbox.security.SeccompAction;
import jbox.security.SeccompProfile;

/**
 * The rules of the OCI runtime spec (and runc's checks) on a config mapped onto ContainerSpec,
 * each failure one line naming the field. Also normalises what the spec leaves optional: absent
 * capability sets are empty, absent namespaces an empty list, root.path absolute.
 */
final class OciValidation {
    /** SemVer 2.0.0 (major, minor, patch, pre-release, build); the spec keeps 1.x compatible. */
    private static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
            + "(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");
    private static final Set<String> NAMESPACES = Set.of("pid", "network", "mount", "ipc", "uts", "user", "cgroup");
    private static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "slave", "rslave", "shared",
            "rshared", "unbindable", "runbindable");
    /** IPC-namespaced sysctls outside fs.mqueue (ipc/ipc_sysctl.c). */
    private static final Set<String> IPC_SYSCTLS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    private OciValidation() {
    }

    static ContainerSpec validate(ContainerSpec s, Path bundle) throws JboxException {
        if (s.ociVersion() == null) {
            throw error("ociVersion", "is required");
        }
        Matcher version = SEMVER.matcher(s.ociVersion());
        if (!version.matches()) {
            throw error("ociVersion", s.ociVersion() + " is not a SemVer 2.0.0 version");
        }
        if (!version.group(1).equals("1")) {
            throw error("ociVersion", s.ociVersion() + " is not supported (jbox reads runtime-spec 1.x)");
        }
        ContainerSpec.Linux linux = linux(s.linux(), s.hostname());
        ContainerSpec spec = new ContainerSpec(s.ociVersion(), process(s.process()), root(s.root(), bundle),
                s.hostname(), s.mounts(), linux, s.annotations(), s.hooks());
        hooks(spec.hooks());
        return new ContainerSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(),
                mounts(spec.mounts(), bundle), spec.linux(), spec.annotations(), spec.hooks());
    }

    static ContainerSpec.Process process(ContainerSpec.Process p) throws JboxException {
        if (p == null) {
            throw error("process", "is required");
        }
        if (p.args() == null || p.args().isEmpty()) {
            throw error("process.args", "must not be empty");
        }
        if (p.cwd() == null || !p.cwd().startsWith("/")) {
            throw error("process.cwd", "must be an absolute path, not " + p.cwd());
        }
        if (p.user() == null) {
            throw error("process.user", "is required");
        }
        Integer umask = p.user().umask();
        if (umask != null && (umask < 0 || umask > 0777)) {
            throw error("process.user.umask", umask + " is outside 0..0777");
        }
        if (p.env() != null) {
            for (int i = 0; i < p.env().size(); i++) {
                String e = p.env().get(i);
                if (e == null || e.indexOf('=') <= 0) {
                    throw error("process.env[" + i + "]", "must be NAME=VALUE, not " + e);
                }
            }
        }
        if (p.oomScoreAdj() != null && (p.oomScoreAdj() < -1000 || p.oomScoreAdj() > 1000)) {
            throw error("process.oomScoreAdj", p.oomScoreAdj() + " is outside -1000..1000");
        }
        rlimits(p.rlimits());
        return new ContainerSpec.Process(p.terminal(), p.user(), p.args(), p.env() == null ? List.of() : p.env(),
                p.cwd(), capabilities(p.capabilities()), p.noNewPrivileges(), p.rlimits(), p.oomScoreAdj());
    }

    private static ContainerSpec.CapabilitySets capabilities(ContainerSpec.CapabilitySets c) throws JboxException {
        if (c == null) {
            return new ContainerSpec.CapabilitySets(List.of(), List.of(), List.of(), List.of(), List.of());
        }
        return new ContainerSpec.CapabilitySets(caps("bounding", c.bounding()), caps("effective", c.effective()),
                caps("inheritable", c.inheritable()), caps("permitted", c.permitted()), caps("ambient", c.ambient()));
    }

    private static List<String> caps(String set, List<String> names) throws JboxException {
        if (names == null) {
            return List.of();
        }
        Set<String> known = new HashSet<>();
        for (int i = 0; i < Capabilities.count(); i++) {
            known.add(Capabilities.name(i));
        }
        for (int i = 0; i < names.size(); i++) {
            if (!known.contains(names.get(i))) {
                throw error("process.capabilities." + set + "[" + i + "]", "unknown capability " + names.get(i)
                        + " (names are CAP_*, see capabilities(7))");
            }
        }
        return names;
    }

    private static void rlimits(List<ContainerSpec.Rlimit> rlimits) throws JboxException {
        Set<String> seen = new HashSet<>();
        for (int i = 0; rlimits != null && i < rlimits.size(); i++) {
            ContainerSpec.Rlimit r = rlimits.get(i);
            String at = "process.rlimits[" + i + "]";
            if (r.type() == null || !r.type().startsWith("RLIMIT_")) {
                throw error(at + ".type", "must be RLIMIT_*, not " + r.type());
            }
            try {
                Rlimits.number(r.type());
            } catch (JboxException e) {
                throw error(at + ".type", e.getMessage());
            }
            if (!seen.add(r.type())) {
                throw error(at + ".type", r.type() + " is given twice");
            }
            if (Long.compareUnsigned(r.soft(), r.hard()) > 0) {
                throw error(at, "soft limit " + Long.toUnsignedString(r.soft()) + " is above the hard limit "
                        + Long.toUnsignedString(r.hard()));
            }
        }
    }

    private static ContainerSpec.Root root(ContainerSpec.Root r, Path bundle) throws JboxException {
        if (r == null || r.path() == null || r.path().isEmpty()) {
            throw error("root.path", "is required");
        }
        Path path = bundle.resolve(r.path()).toAbsolutePath().normalize();
        if (!Files.isDirectory(path)) {
            throw error("root.path", path + (Files.exists(path) ? " is not a directory" : " does not exist"));
        }
        return new ContainerSpec.Root(path.toString(), r.readonly());
    }

    private static ContainerSpec.Linux linux(ContainerSpec.Linux l, String hostname) throws JboxException {
        if (l == null) {
            throw error("linux", "is required (jbox runs linux containers)");
        }
        List<ContainerSpec.Namespace> namespaces = l.namespaces() == null ? List.of() : l.namespaces();
        Set<String> types = new HashSet<>();
        for (int i = 0; i < namespaces.size(); i++) {
            ContainerSpec.Namespace n = namespaces.get(i);
            String at = "linux.namespaces[" + i + "]";
            if (!NAMESPACES.contains(n.type())) {
                throw error(at + ".type", n.type() + " is not one of " + new TreeSet<>(NAMESPACES)
                        + ("time".equals(n.type()) ? " (no time namespace support)" : ""));
            }
            if (!types.add(n.type())) {
                throw error(at + ".type", n.type() + " is listed twice");
            }
            if (n.path() != null && !n.path().startsWith("/")) {
                throw error(at + ".path", "must be an absolute path, not " + n.path());
            }
        }
        boolean userns = types.contains("user");
        if (!userns && (notEmpty(l.uidMappings()) || notEmpty(l.gidMappings()))) {
            throw error(notEmpty(l.uidMappings()) ? "linux.uidMappings" : "linux.gidMappings",
                    "needs a user namespace (linux.namespaces has no \"user\")");
        }
        boolean newUserns = namespaces.stream().anyMatch(n -> n.type().equals("user") && n.path() == null);
        if (newUserns && (!notEmpty(l.uidMappings()) || !notEmpty(l.gidMappings()))) {
            throw error(notEmpty(l.uidMappings()) ? "linux.gidMappings" : "linux.uidMappings",
                    "must not be empty with a new user namespace");
        }
        if (hostname != null && !hostname.isEmpty() && !types.contains("uts")) {
            throw error("hostname", "needs a uts namespace of its own (linux.namespaces has no \"uts\")");
        }
        if (l.cgroupsPath() != null && l.cgroupsPath().contains(":")) {
            throw error("linux.cgroupsPath", l.cgroupsPath() + " is in systemd's slice:prefix:name form; jbox has no"
                    + " systemd cgroup driver (use cgroup_manager = \"cgroupfs\" in podman)");
        }
        if (l.rootfsPropagation() != null && !PROPAGATIONS.contains(l.rootfsPropagation())) {
            throw error("linux.rootfsPropagation", l.rootfsPropagation() + " is not one of " + new TreeSet<>(PROPAGATIONS));
        }
        absolute("linux.maskedPaths", l.maskedPaths());
        absolute("linux.readonlyPaths", l.readonlyPaths());
        resources(l.resources());
        sysctl(l.sysctl(), types, namespaces);
        notifyless(l.seccomp());
        OciResourceValidation.devices(l.devices());
        return new ContainerSpec.Linux(namespaces, l.uidMappings(), l.gidMappings(), l.resources(), l.cgroupsPath(),
                l.seccomp(), l.maskedPaths(), l.readonlyPaths(), l.rootfsPropagation(), l.sysctl(), l.devices());
    }

    /** SCMP_ACT_NOTIFY needs a listener (seccomp.listenerPath), which jbox does not offer to configs. */
    private static void notifyless(SeccompProfile p) throws JboxException {
        if (p == null) {
            return;
        }
        boolean notify = p.defaultAction().kind() == SeccompAction.Kind.NOTIFY
                || p.rules().stream().anyMatch(r -> r.action().kind() == SeccompAction.Kind.NOTIFY);
        if (notify) {
            throw error("linux.seccomp", "SCMP_ACT_NOTIFY needs a seccomp listener (listenerPath), which jbox does not support");
        }
    }

    private static void resources(ContainerSpec.Resources r) throws JboxException {
        if (r == null) {
            return;
        }
        if (r.memory() != null) {
            positiveOrUnlimited("linux.resources.memory.limit", r.memory().limit());
            positiveOrUnlimited("linux.resources.memory.swap", r.memory().swap());
            positiveOrUnlimited("linux.resources.memory.reservation", r.memory().reservation());
            Long limit = r.memory().limit();
            Long swap = r.memory().swap();
            if (limit != null && swap != null && limit > 0 && swap > 0 && swap < limit) {
                throw error("linux.resources.memory.swap", swap + " is below memory.limit " + limit
                        + " (swap counts memory plus swap)");
            }
        }
        if (r.memory() != null && r.memory().swappiness() != null
                && (r.memory().swappiness() < 0 || r.memory().swappiness() > 100)) {
            // runc: "invalid memory swappiness value: 200 (valid range is 0-100)"
            throw error("linux.resources.memory.swappiness", r.memory().swappiness() + " is outside 0..100");
        }
        OciResourceValidation.resources(r);
        if (r.cpu() != null) {
            positiveOrUnlimited("linux.resources.cpu.shares", r.cpu().shares());
            positiveOrUnlimited("linux.resources.cpu.quota", r.cpu().quota());
            positiveOrUnlimited("linux.resources.cpu.period", r.cpu().period());
        }
        if (r.pids() != null && r.pids().limit() < -1) {
            throw error("linux.resources.pids.limit", r.pids().limit() + " must be positive (or -1 or 0: unlimited)");
        }
        List<ContainerSpec.DeviceRule> devices = r.devices() == null ? List.of() : r.devices();
        for (int i = 0; i < devices.size(); i++) {
            ContainerSpec.DeviceRule d = devices.get(i);
            String at = "linux.resources.devices[" + i + "]";
            if (d.type() != null && !Set.of("a", "c", "b").contains(d.type())) {
                throw error(at + ".type", d.type() + " is not one of a, c, b");
            }
            if (d.access() != null && !d.access().matches("[rwm]{0,3}")) {
                throw error(at + ".access", d.access() + " is not a combination of r, w and m");
            }
        }
    }

    private static void positiveOrUnlimited(String field, Long v) throws JboxException {
        if (v != null && v < -1) {
            throw error(field, v + " must not be negative (-1: unlimited)");
        }
    }

    /**
     * Only sysctls the container's own namespaces scope, as runc allows. A namespace joined by
     * path counts only if it is not jbox's own (nor init's): /proc/1/ns/net as the "container's"
     * network namespace would put net.* on the host.
     */
    private static void sysctl(Map<String, String> sysctl, Set<String> namespaces, List<ContainerSpec.Namespace> listed)
            throws JboxException {
        for (String key : sysctl == null ? Set.<String>of() : sysctl.keySet()) {
            String at = "linux.sysctl." + key;
            if (!key.matches("[a-z0-9_]+(\\.[a-z0-9_-]+)+") || key.contains("..")) {
                throw error(at, "is not a sysctl name");
            }
            String needs;
            if (IPC_SYSCTLS.contains(key) || key.startsWith("fs.mqueue.")) {
                needs = "ipc";
            } else if (key.startsWith("net.")) {
                needs = "network";
            } else if (key.equals("kernel.hostname") || key.equals("kernel.domainname")) {
                needs = "uts";
            } else {
                throw error(at, "is not namespaced: it would change the host (only kernel.msg*, kernel.sem, kernel.shm*,"
                        + " fs.mqueue.*, net.* and kernel.hostname/domainname are allowed)");
            }
            if (!namespaces.contains(needs)) {
                throw error(at, "needs a " + needs + " namespace of the container's (linux.namespaces has no \"" + needs + "\")");
            }
            String kind = NS_FILES.get(needs);
            for (ContainerSpec.Namespace n : listed) {
                if (n.type().equals(needs) && n.path() != null && isHostNamespace(Path.of(n.path()), kind)) {
                    throw error(at, "is not allowed: the " + needs + " namespace " + n.path() + " is the host's");
                }
            }
        }
    }

    /** linux.namespaces types → their /proc/PID/ns names. */
    private static final Map<String, String> NS_FILES = Map.of("network", "net", "ipc", "ipc", "uts", "uts");

    /** True if {@code path} is the namespace jbox runs in or the one of init (same nsfs device and inode). */
    private static boolean isHostNamespace(Path path, String kind) throws JboxException {
        Object joined;
        try {
            joined = namespaceId(path);
        } catch (NoSuchFileException e) {
            return false; // joining it fails, naming the path, before any sysctl is written
        } catch (IOException e) {
            throw error("linux.namespaces", "cannot open " + path + " to tell whether it is the host's: " + IoReason.of(e));
        }
        for (String pid : List.of("self", "1")) {
            try {
                if (joined.equals(namespaceId(Path.of("/proc", pid, "ns", kind)))) {
                    return true;
                }
            } catch (IOException e) {
                // no /proc/1 (hidepid): jbox's own namespace still counts
            }
        }
        return false;
    }

    private static Object namespaceId(Path p) throws IOException {
        return List.of(Files.getAttribute(p, "unix:dev"), Files.getAttribute(p, "unix:ino"));
    }

    /** Destinations must be absolute; a bind mount's relative source is relative to the bundle (as runc). */
    private static List<ContainerSpec.Mount> mounts(List<ContainerSpec.Mount> mounts, Path bundle) throws JboxException {
        if (mounts == null) {
            return List.of(); // config.md: mounts is OPTIONAL
        }
        List<ContainerSpec.Mount> out = new ArrayList<>();
        for (int i = 0; i < mounts.size(); i++) {
            ContainerSpec.Mount m = mounts.get(i);
            if (m.destination() == null || !m.destination().startsWith("/")) {
                throw error("mounts[" + i + "].destination", "must be an absolute path, not " + m.destination());
            }
            List<String> options = m.options() == null ? List.of() : m.options();
            boolean bind = "bind".equals(m.type()) || options.contains("bind") || options.contains("rbind");
            if (bind && (m.source() == null || m.source().isEmpty())) {
                throw error("mounts[" + i + "].source", "is required for a bind mount");
            }
            if (bind && !m.source().startsWith("/")) {
                m = new ContainerSpec.Mount(m.destination(), m.type(), bundle.resolve(m.source()).normalize().toString(),
                        m.options());
            }
            if (m.type() == null && !bind) {
                throw error("mounts[" + i + "].type", "is required unless the options say bind or rbind");
            }
            out.add(m);
        }
        return out;
    }

    private static void hooks(ContainerSpec.Hooks h) throws JboxException {
        if (h == null) {
            return;
        }
        hooks("prestart", h.prestart());
        hooks("createRuntime", h.createRuntime());
        hooks("createContainer", h.createContainer());
        hooks("startContainer", h.startContainer());
        hooks("poststart", h.poststart());
        hooks("poststop", h.poststop());
    }

    private static void hooks(String kind, List<ContainerSpec.Hook> hooks) throws JboxException {
        for (int i = 0; hooks != null && i < hooks.size(); i++) {
            ContainerSpec.Hook hook = hooks.get(i);
            String at = "hooks." + kind + "[" + i + "]";
            if (hook.path() == null || !hook.path().startsWith("/")) {
                throw error(at + ".path", "must be an absolute path, not " + hook.path());
            }
            if (hook.timeout() != null && hook.timeout() <= 0) {
                throw error(at + ".timeout", "must be positive, not " + hook.timeout());
            }
        }
    }

    private static void absolute(String field, List<String> paths) throws JboxException {
        for (int i = 0; paths != null && i < paths.size(); i++) {
            if (paths.get(i) == null || !paths.get(i).startsWith("/")) {
                throw error(field + "[" + i + "]", "must be an absolute path, not " + paths.get(i));
            }
        }
    }

    private static boolean notEmpty(List<?> l) {
        return l != null && !l.isEmpty();
    }

    static JboxException error(String field, String why) {
        return new JboxException(OciConfig.FILE + ": " + field + ": " + why);
    }
}

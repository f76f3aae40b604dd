package jbox.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.cgroup.CgroupHost;
import jbox.cgroup.ContainerCgroup;
import jbox.config.Config;
import jbox.process.Plan;
import jbox.process.ProcessSecurity;
import jbox.process.Protocol;
import jbox.security.SeccompProfiles;
import jbox.spec.ContainerSpec;
import jbox.state.ContainerState;

/**
 * `jbox exec`: a command inside a running container, as confined as its init: the same
 * namespaces (the shim enters them), cgroup, bounding set, no_new_privs, and the default seccomp
 * filter when the init has one. The init's own settings are read from /proc/PID/status, so
 * nothing beyond state.json has to be kept for this.
 */
public final class ContainerExec {
    private final Config config;

    public ContainerExec(Config config) {
        this.config = config;
    }

    public int exec(ContainerState s, List<String> command, List<String> env, String workdir, String user,
            boolean tty, ContainerRunner runner) throws JboxException {
        Map<String, String> status = status(s.pid());
        List<String> envList = withEnv(environ(s.pid()), env);

        ContainerSpec.User u = jbox.spec.SpecBuilder.parseUser(user);
        List<String> bounding = capNames(Long.parseUnsignedLong(status.get("CapBnd"), 16));
        ContainerSpec.CapabilitySets caps = u.uid() == 0
                ? new ContainerSpec.CapabilitySets(bounding, bounding, List.of(), bounding, List.of())
                : new ContainerSpec.CapabilitySets(bounding, List.of(), List.of(), List.of(), List.of());
        ContainerSpec.Process process = new ContainerSpec.Process(tty, u, command, envList,
                workdir == null ? "/" : workdir, caps, "1".equals(status.get("NoNewPrivs")), null);
        Plan plan = plan(process, "2".equals(status.get("Seccomp")) ? SeccompProfiles.readDefault() : null, true);

        Path socket = config.stateRoot().resolve(s.id()).resolve("exec-" + ProcessHandle.current().pid() + ".sock");
        ContainerCgroup cgroup = openCgroup(s.id());
        ContainerRunner.Outcome o = runner.enter(s.pid(), plan, socket, tty, false, null, (pid, shimPid) -> {
            if (cgroup != null) {
                cgroup.add(pid);
            }
        });
        return o.exitCode();
    }

    /**
     * {@code base} with the -e K=V flags set over it, key by key (a second PATH= would be ignored:
     * getenv finds the first).
     */
    public static List<String> withEnv(List<String> base, List<String> flags) throws JboxException {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String kv : base) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                environment.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        for (String kv : flags) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new JboxException("invalid environment variable \"" + kv + "\": expected KEY=VALUE");
            }
            environment.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        List<String> out = new ArrayList<>();
        environment.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /**
     * What an entered process runs after the shim joined the container's namespaces: a session,
     * its terminal, its directory, its identity and confinement, its command. {@code monitored}:
     * a jbox shim answers the filter's notifications (see ProcessSecurity).
     */
    public static Plan plan(ContainerSpec.Process process, jbox.security.SeccompProfile seccomp, boolean monitored)
            throws JboxException {
        Plan plan = new Plan();
        plan.add(Protocol.OP_SETSID, "start a new session");
        if (process.terminal()) {
            plan.add(Protocol.OP_PTY, "open a terminal on the container's /dev/ptmx");
        }
        String cwd = process.cwd() == null ? "/" : process.cwd();
        plan.add(Protocol.OP_CHDIR, "chdir to working directory " + cwd, cwd);
        ProcessSecurity.addSteps(plan, process, seccomp, monitored, null);
        plan.exec(process.args(), process.env() == null ? List.of() : process.env(), "exec " + process.args().get(0));
        return plan;
    }

    private ContainerCgroup openCgroup(String id) throws JboxException {
        try {
            return ContainerCgroup.open(CgroupHost.detect(), config.get("cgroup.parent"), id).orElse(null);
        } catch (JboxException noCgroups) {
            return null;
        }
    }

    private static List<String> capNames(long mask) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((mask & (1L << i)) != 0 && i < jbox.security.Capabilities.count()) {
                names.add(jbox.security.Capabilities.name(i));
            }
        }
        return names;
    }

    private static Map<String, String> status(long pid) throws JboxException {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : ProcFile.read(Path.of("/proc/" + pid + "/status")).split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    m.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new JboxException("the container's init (pid " + pid + ") is gone: " + jbox.io.IoReason.of(e), e);
        }
        return m;
    }

    private static List<String> environ(long pid) throws JboxException {
        try {
            List<String> out = new ArrayList<>();
            for (String kv : ProcFile.read(Path.of("/proc/" + pid + "/environ")).split("\0")) {
                if (!kv.isEmpty()) {
                    out.add(kv);
                }
            }
            return out;
        } catch (IOException e) {
            throw new JboxException("cannot read the environment of pid " + pid + ": " + jbox.io.IoReason.of(e), e);
        }
    }
}

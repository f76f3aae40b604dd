package jbox.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import jbox.JboxException;
import jbox.config.Config;
import jbox.process.Plan;
import jbox.process.ProcessSecurity;
import jbox.process.Protocol;
import jbox.security.SeccompProfile;
import jbox.spec.ContainerSpec;
import jbox.spec.SpecBuilder;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;

/**
 * `jbox exec` and the OCI CLI's exec: a command inside a running container, built from the
 * container's recorded spec (config.json in its state directory, written before its process ran):
 * its capabilities, rlimits, seccomp profile, no_new_privs, user, env and cwd, with exec's flags
 * over them ({@link #process}, the one place for both). The shim enters the init's namespaces;
 * this puts the process in the container's cgroup.
 */
public final class ContainerExec {
    private static final AtomicLong EXEC_SEQ = new AtomicLong();

    private final Config config;

    /** What exec's command line asks for: the command, and -e, -u, -w, -t over the container's. */
    public record Flags(List<String> command, List<String> env, String user, String workdir, boolean tty) {
        public Flags {
            command = List.copyOf(command);
            env = env == null ? List.of() : List.copyOf(env);
        }
    }

    public ContainerExec(Config config) {
        this.config = config;
    }

    public int exec(StateStore states, ContainerRecord s, Flags flags, ContainerRunner runner) throws JboxException {
        ContainerSpec recorded = SpecFile.read(states.dir(s.id()));
        Plan plan = plan(process(recorded.process(), flags, OtherUserCaps.BY_RUNS_RULE), recorded.linux() == null ? null : recorded.linux().seccomp(), true);

        // pid and a count: one JVM (the engine) may run several execs into one container at once
        Path socket = states.dir(s.id())
                .resolve("exec-" + ProcessHandle.current().pid() + "-" + EXEC_SEQ.incrementAndGet() + ".sock");
        ContainerCgroups cgroups = new ContainerCgroups(config);
        ContainerRunner.Outcome o = runner.enter(s.pid(), plan, socket, flags.tty(), false, null,
                (pid, shimPid) -> cgroups.join(s, pid));
        return o.exitCode();
    }

    /** How the capabilities of an exec with -u naming another uid are chosen. */
    public enum OtherUserCaps {
        /** jbox exec (docker's door): run's rule, CapabilitySets.forUser: root the bounding set, others none. */
        BY_RUNS_RULE,
        /** the OCI CLI: the config's sets as they are, the kernel deciding what a non-root uid keeps (runc). */
        AS_RECORDED
    }

    /**
     * The exec'd process: the container's recorded one with exec's command, its -e over the
     * environment, -w over the working directory and -u over the user. Capabilities, rlimits and
     * no_new_privs stay the container's; for another uid, {@code otherUser} says how capabilities go.
     */
    public static ContainerSpec.Process process(ContainerSpec.Process recorded, Flags flags, OtherUserCaps otherUser)
            throws JboxException {
        if (flags.command().isEmpty()) {
            throw new JboxException("exec: no command given");
        }
        List<String> env = withEnv(recorded.env() == null ? List.of() : recorded.env(), flags.env());
        ContainerSpec.User user = recorded.user();
        ContainerSpec.CapabilitySets caps = recorded.capabilities();
        if (flags.user() != null) {
            ContainerSpec.User asked = SpecBuilder.parseUser(flags.user());
            if (caps != null && asked.uid() != user.uid() && otherUser == OtherUserCaps.BY_RUNS_RULE) {
                caps = ContainerSpec.CapabilitySets.forUser(caps.bounding(), asked.uid());
            }
            user = new ContainerSpec.User(asked.uid(), asked.gid(), null, user.umask());
        }
        String cwd = flags.workdir() != null ? flags.workdir() : recorded.cwd() == null ? "/" : recorded.cwd();
        return new ContainerSpec.Process(flags.tty(), user, flags.command(), env, cwd, caps, recorded.noNewPrivileges(),
                recorded.rlimits(), null);
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
    public static Plan plan(ContainerSpec.Process process, SeccompProfile seccomp, boolean monitored)
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
}

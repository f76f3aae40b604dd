package jbox.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerLauncher;
import jbox.runtime.ContainerRunner;
import jbox.runtime.RestartPolicy;
import jbox.runtime.ShimLocator;
import jbox.runtime.Timings;
import jbox.security.SeccompFilters;
import jbox.spec.MountFlag;
import jbox.spec.OciConfig;
import jbox.spec.RunOptions;
import picocli.CommandLine;

/** `jbox run [OPTIONS] IMAGE [CMD [ARG...]]`: options as docker's (RunFlags), translated by SpecBuilder. */
final class RunCommand {
    private RunCommand() {
    }

    static int execute(Request r, List<String> args, Timings t) throws JboxException {
        RunFlags.Parsed p = RunFlags.parse(args);
        if (p.has("--help")) {
            new CommandLine(RunFlags.helpSpec()).usage(r.out());
            return 0;
        }
        t.enable(p.has("--timings"));
        if (p.all("--security-opt").stream().noneMatch(o -> o.startsWith("seccomp"))) {
            SeccompFilters.prepareDefault(); // on the second core, while we go on
        }
        t.mark("parse_args");
        Config config = r.config();
        RunOptions.Sandboxing sandboxing = new RunOptions.Sandboxing(p.all("--cap-add"), p.all("--cap-drop"),
                securityOpts(r, p.all("--security-opt")), p.has("--read-only"), tmpfs(r, p), volumes(r, p), p.all("--ulimit"),
                p.value("--memory"), p.value("--memory-swap"), p.value("--pids-limit"), p.value("--cpus"),
                p.value("--cpu-shares"), p.value("--cpu-time"), p.value("--timeout"), p.has("--sandbox"));
        if (p.has("--tty") && p.has("--interactive") && !p.has("--detach") && !r.terminals().stdin()) {
            // docker's words; without the check the container's shell waits on a terminal nobody types into
            throw new JboxException("the input device is not a TTY: -it needs a terminal on stdin (drop -t to pipe input)");
        }
        List<String> env = new ArrayList<>();
        for (String file : p.all("--env-file")) {
            env.addAll(EnvFile.read(r.cwd().resolve(file), r.env()));
        }
        env.addAll(env(p.all("--env"), r.env())); // -e wins over --env-file, as docker's
        RunOptions.Habits habits = new RunOptions.Habits(p.value("--entrypoint"), p.all("--group-add"),
                EnvFile.labels(p.all("--label")), p.all("--add-host"), p.all("--dns"), p.value("--shm-size"),
                p.all("--device"), p.has("--privileged"), p.has("--publish-all"), p.has("--interactive"));
        RunOptions o = new RunOptions(p.image(), p.command(), p.value("--name"), p.value("--hostname"),
                env, p.value("--workdir"), p.value("--user"), p.value("--network"),
                p.value("--userns"), p.has("--rm"), sandboxing, path(r, p.value("--report")), p.has("--init"), p.has("--detach"), p.has("--tty"),
                p.all("--publish"), habits);
        RegistryCommands.beforeRun(r, config, p.image(), p.value("--pull"));
        ContainerLauncher launcher = new ContainerLauncher(config, t);
        if (p.has("--restart")) {
            launcher.withRestart(RestartPolicy.parse(p.value("--restart")));
        }
        String format = p.value("--format");
        if (format != null && (!format.equals("json") || !p.has("--dry-run"))) {
            throw new JboxException(p.has("--dry-run") ? "unknown --format " + format + " (json is the only one)"
                    : "--format goes with --dry-run");
        }
        if (p.has("--dry-run")) {
            r.out().println(OciConfig.json(launcher.specOnly(o)));
            return 0;
        }
        ContainerRunner runner = new ContainerRunner(ShimLocator.find(config), t, r.caller());
        r.signals().forward(runner::forwardSignal);
        try {
            return launcher.run(o, runner);
        } finally {
            t.print();
        }
    }

    /** docker's -e KEY takes KEY's value from the caller's environment (and is left out if it has none). */
    static List<String> env(List<String> flags, Map<String, String> callerEnv) {
        List<String> out = new ArrayList<>();
        for (String e : flags) {
            if (e.isEmpty() || e.indexOf('=') >= 0) {
                out.add(e); // KEY=VALUE, or a mistake SpecBuilder names
            } else if (callerEnv.get(e) != null) {
                out.add(e + "=" + callerEnv.get(e));
            }
        }
        return out;
    }

    /** --security-opt seccomp=FILE: FILE is the caller's, relative to its working directory. */
    static List<String> securityOpts(Request r, List<String> opts) {
        List<String> out = new ArrayList<>();
        for (String o : opts) {
            boolean file = (o.startsWith("seccomp=") || o.startsWith("seccomp:")) && !o.substring(8).equals("unconfined");
            out.add(file ? o.substring(0, 8) + path(r, o.substring(8)) : o);
        }
        return out;
    }

    /**
     * -v ./dir:/x and ../dir:/x as podman: relative to the caller's directory (a source without a
     * leading "/" or "." is a volume name).
     */
    static List<String> volumes(Request r, List<String> flags) {
        List<String> out = new ArrayList<>();
        for (String v : flags) {
            int colon = v.indexOf(':');
            boolean relative = v.startsWith(".") && (colon == 1 || v.startsWith("./") || v.startsWith(".."));
            out.add(relative && colon > 0 ? r.cwd().resolve(v.substring(0, colon)).normalize() + v.substring(colon) : v);
        }
        return out;
    }

    /** --tmpfs, then each --mount type=tmpfs as the --tmpfs it means. */
    static List<String> tmpfs(Request r, RunFlags.Parsed p) throws JboxException {
        List<String> out = new ArrayList<>(p.all("--tmpfs"));
        for (String m : p.all("--mount")) {
            MountFlag f = MountFlag.parse(m, r.cwd());
            if (f.type() == MountFlag.Type.TMPFS) {
                out.add(f.asTmpfs());
            }
        }
        return out;
    }

    /** -v, then each --mount type=bind or type=volume as the -v it means (one model: VolumeFlag). */
    static List<String> volumes(Request r, RunFlags.Parsed p) throws JboxException {
        List<String> out = volumes(r, p.all("--volume"));
        for (String m : p.all("--mount")) {
            MountFlag f = MountFlag.parse(m, r.cwd());
            if (f.type() != MountFlag.Type.TMPFS) {
                out.add(f.asVolume());
            }
        }
        return out;
    }

    private static String path(Request r, String p) {
        return p == null || p.isEmpty() ? p : r.cwd().resolve(p).toString();
    }
}

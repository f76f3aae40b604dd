package jbox.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerLauncher;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ShimLocator;
import jbox.runtime.Timings;
import jbox.security.SeccompFilters;
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
                securityOpts(r, p.all("--security-opt")), p.has("--read-only"), p.all("--tmpfs"), p.all("--volume"), p.all("--ulimit"),
                p.value("--memory"), p.value("--memory-swap"), p.value("--pids-limit"), p.value("--cpus"),
                p.value("--cpu-shares"), p.value("--cpu-time"), p.value("--timeout"), p.has("--sandbox"));
        RunOptions o = new RunOptions(p.image(), p.command(), p.value("--name"), p.value("--hostname"),
                env(p.all("--env"), r.env()), p.value("--workdir"), p.value("--user"), p.value("--network"),
                p.value("--userns"), p.has("--rm"), sandboxing, path(r, p.value("--report")), p.has("--init"), p.has("--detach"), p.has("--tty"),
                p.all("--publish"));
        RegistryCommands.beforeRun(r, config, p.image(), p.value("--pull"));
        ContainerLauncher launcher = new ContainerLauncher(config, t);
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

    private static String path(Request r, String p) {
        return p == null || p.isEmpty() ? p : r.cwd().resolve(p).toString();
    }
}

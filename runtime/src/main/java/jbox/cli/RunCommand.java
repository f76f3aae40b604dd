package jbox.cli;

import java.util.List;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerLauncher;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ShimLocator;
import jbox.runtime.Timings;
import jbox.spec.RunOptions;
import picocli.CommandLine;

/** `jbox run [OPTIONS] IMAGE [CMD [ARG...]]`: options as docker's (RunFlags), translated by SpecBuilder. */
final class RunCommand {
    private RunCommand() {
    }

    static int execute(List<String> args, Timings t) throws JboxException {
        RunFlags.Parsed p = RunFlags.parse(args);
        if (p.has("--help")) {
            new CommandLine(RunFlags.helpSpec()).usage(System.out);
            return 0;
        }
        t.enable(p.has("--timings"));
        if (p.all("--security-opt").stream().noneMatch(o -> o.startsWith("seccomp"))) {
            jbox.security.SeccompFilters.prepareDefault(); // on the second core, while we go on
        }
        t.mark("parse_args");
        Config config = Config.load();
        RunOptions.Sandboxing sandboxing = new RunOptions.Sandboxing(p.all("--cap-add"), p.all("--cap-drop"),
                p.all("--security-opt"), p.has("--read-only"), p.all("--tmpfs"), p.all("--volume"), p.all("--ulimit"),
                p.value("--memory"), p.value("--memory-swap"), p.value("--pids-limit"), p.value("--cpus"),
                p.value("--cpu-shares"), p.value("--cpu-time"), p.value("--timeout"), p.has("--sandbox"));
        RunOptions o = new RunOptions(p.image(), p.command(), p.value("--name"), p.value("--hostname"),
                p.all("--env"), p.value("--workdir"), p.value("--user"), p.value("--network"),
                p.value("--userns"), p.has("--rm"), sandboxing, p.value("--report"), p.has("--init"), p.has("--detach"), p.has("--tty"),
                p.all("--publish"));
        RegistryCommands.beforeRun(config, p.image(), p.value("--pull"));
        ContainerLauncher launcher = new ContainerLauncher(config, t);
        String format = p.value("--format");
        if (format != null && (!format.equals("json") || !p.has("--dry-run"))) {
            throw new JboxException(p.has("--dry-run") ? "unknown --format " + format + " (json is the only one)"
                    : "--format goes with --dry-run");
        }
        if (p.has("--dry-run")) {
            System.out.println(jbox.spec.OciConfig.json(launcher.specOnly(o)));
            return 0;
        }
        ContainerRunner runner = new ContainerRunner(ShimLocator.find(config), t);
        SignalForwarding.install(runner);
        try {
            return launcher.run(o, runner);
        } finally {
            t.print();
        }
    }
}

package jbox.cli;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jbox.JboxException;
import jbox.runtime.Timings;
import jbox.spec.ContainerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * jbox's entry point. `jbox run` goes straight to RunCommand (the hot path; see RunFlags); every
 * other command goes through picocli. Every failure ends here as one line on stderr with docker's
 * exit statuses (125 for jbox's own errors).
 */
@Command(name = "jbox", mixinStandardHelpOptions = true, version = {"jbox version 0.1.0", "spec: " + ContainerSpec.OCI_VERSION},
        description = "A minimal Linux container runtime.")
public final class Main implements Runnable {
    /**
     * jbox's commands. Only the one a call names is modelled (picocli's model of all of them cost
     * the engine ~10 ms per call, more than the command's own work); help, completion, man pages
     * and an unknown name get them all.
     */
    static final List<Class<?>> COMMANDS = List.of(ImageCommand.class, CommitCommand.class, BuildCommand.class, PsCommand.class, RmCommand.class, InspectCommand.class, NsCommand.class,
            SignalCommands.Kill.class, SignalCommands.Stop.class, LogsCommand.class, ExecCommand.class, WaitCommand.class, AttachCommand.class, SystemCommand.class, DoctorCommand.class, NetworkCommand.class, VolumeCommand.class,
            FinishCommand.class, SpecCommand.class, FeaturesCommand.class, OciCommands.Create.class, OciCommands.Start.class,
            OciCommands.State.class, OciCommands.Delete.class, OciCommands.ListCommand.class, OciVerbCommands.Pause.class,
            OciVerbCommands.Resume.class, OciVerbCommands.Update.class, OciVerbCommands.Events.class,
            OciVerbCommands.Checkpoint.class, OciVerbCommands.Restore.class, EngineCommand.class,
            RegistryCommands.Pull.class, RegistryCommands.Push.class, RegistryCommands.Login.class, RegistryCommands.Logout.class,
            LifeCommands.Restart.class, LifeCommands.Cp.class, LifeCommands.Top.class, LifeCommands.Stats.class,
            LifeCommands.Rename.class, LifeCommands.Port.class, LifeCommands.Diff.class, LifeCommands.Export.class,
            LifeCommands.Unpause.class,
            ShellDocs.Version.class, ShellDocs.Completion.class, ShellDocs.Man.class, CommandLine.HelpCommand.class);
    /** Each command's name and aliases, from its annotation (cheap: no model is built). */
    private static final Map<String, Class<?>> BY_NAME = byName();
    /** Commands that read the whole tree: they get every command. */
    private static final Set<String> WHOLE_TREE = Set.of("help", "completion", "internal-man");

    private final Request request;

    Main(Request request) {
        this.request = request;
    }

    public static void main(String[] args) {
        if (!onlyHelp(args) && effectiveUid() != 0) {
            // Every command reads or writes root-only state; failing on the first EACCES would be
            // a worse message, and some (ps) would wrongly report an empty host.
            System.err.println("jbox: must be run as root (uid 0)");
            System.exit(JboxException.FAILED);
        }
        System.exit(execute(Request.ofProcess(args)));
    }

    /** `jbox --help` and `--version` touch no state: any user may ask. */
    private static boolean onlyHelp(String[] args) {
        return args.length == 1 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("--version")
                || args[0].equals("-V"));
    }

    /**
     * The effective uid: the second number of "Uid:" in /proc/self/status (real, effective, saved,
     * fs). Parsed as bytes: ~0.13 ms here, where String decoding and a regex split cost ~35 ms of
     * class loading on a cold JVM (user.name would only be the real uid's login name).
     */
    static long effectiveUid() {
        try (FileInputStream in = new FileInputStream("/proc/self/status")) {
            byte[] b = in.readAllBytes();
            int i = 0;
            while (i + 5 < b.length && !(b[i] == '\n' && b[i + 1] == 'U' && b[i + 2] == 'i' && b[i + 3] == 'd' && b[i + 4] == ':')) {
                i++;
            }
            i += 5;
            long[] ids = new long[2];
            for (int n = 0; n < 2; n++) {
                while (i < b.length && (b[i] == '\t' || b[i] == ' ')) {
                    i++;
                }
                if (i >= b.length || b[i] < '0' || b[i] > '9') {
                    return -1;
                }
                while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                    ids[n] = ids[n] * 10 + (b[i++] - '0');
                }
            }
            return ids[1];
        } catch (IOException | RuntimeException e) {
            return -1; // unknown: refused, as any non-root caller
        }
    }

    /**
     * Runs one command for {@code r}, the only entry: everything the command learns of its caller
     * (streams, environment, cwd, flags, signals) comes from there. Returns the exit status.
     */
    public static int execute(Request r) {
        String[] args;
        try {
            args = r.flags().strip(r.args(), r.cwd()).toArray(new String[0]);
        } catch (JboxException e) {
            return fail(r, e.getMessage(), e.exitCode());
        }
        if (args.length > 0 && args[0].equals("run") && !r.flags().given && !hasBundle(args)) {
            // jbox run IMAGE: the start-up hot path, first and alone
            Timings t = timings(r);
            try {
                return RunCommand.execute(r, Arrays.asList(args).subList(1, args.length), t);
            } catch (JboxException e) {
                return fail(r, e.getMessage(), e.exitCode());
            } catch (RuntimeException e) {
                return internalError(r, e);
            }
        }
        if (args.length > 0 && args[0].equals("run")) {
            OciCommands.Run run = new OciCommands.Run();
            run.request = r;
            return picocli(r, new CommandLine(run, new Factory(r)), Arrays.copyOfRange(args, 1, args.length));
        }
        try {
            Integer fast = OciFastPath.tryRun(r, args);
            if (fast != null) {
                return fast;
            }
        } catch (JboxException e) {
            return fail(r, e.getMessage(), e.exitCode());
        } catch (Exception e) {
            return internalError(r, e);
        }
        CommandLine cli = commandLine(r, args.length > 0 ? args[0] : null);
        CommandLine exec = cli.getSubcommands().get("exec");
        if (exec != null) {
            exec.setStopAtPositional(true); // as for run: everything after the container belongs to the command
        }
        HelpLayout.apply(cli);
        String unknown = HelpLayout.unknownCommand(cli, args);
        if (unknown != null) {
            return fail(r, unknown, JboxException.FAILED); // also with --help: not the top-level help instead
        }
        return picocli(r, cli, args);
    }

    /**
     * jbox's picocli tree for a call whose first word is {@code first}: that command alone when it
     * is one (and does not read the tree), else every command and run's help.
     */
    static CommandLine commandLine(Request r, String first) {
        CommandLine cli = new CommandLine(new Main(r), new Factory(r));
        if ("--version".equals(first) || "-V".equals(first)) {
            return cli; // the version alone
        }
        Class<?> only = first == null || WHOLE_TREE.contains(first) ? null : BY_NAME.get(first);
        if (only != null) {
            cli.addSubcommand(only);
            return cli;
        }
        for (Class<?> c : COMMANDS) {
            cli.addSubcommand(c);
        }
        CommandLine runHelp = new CommandLine(RunFlags.helpSpec());
        runHelp.getCommandSpec().name("run"); // its own help says "jbox run": here it is a subcommand of jbox
        cli.addSubcommand("run", runHelp);
        return cli;
    }

    private static Map<String, Class<?>> byName() {
        Map<String, Class<?>> out = new HashMap<>();
        for (Class<?> c : COMMANDS) {
            Command a = c.getAnnotation(Command.class);
            out.put(a.name(), c);
            for (String alias : a.aliases()) {
                out.put(alias, c);
            }
        }
        return Map.copyOf(out);
    }

    /** JBOX_TIMINGS=1 in the caller's environment: per-phase times on its stderr. */
    static Timings timings(Request r) {
        return new Timings("1".equals(r.env("JBOX_TIMINGS")), r.env("JBOX_T0"), r.err());
    }

    private static int picocli(Request r, CommandLine cli, String[] args) {
        cli.setOut(new PrintWriter(r.out(), true));
        cli.setErr(new PrintWriter(r.err(), true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof JboxException) {
                return fail(r, e.getMessage(), ((JboxException) e).exitCode());
            }
            return internalError(r, e);
        });
        cli.setParameterExceptionHandler((e, a) -> fail(r, e.getMessage() + suggestions(e) + " (see: "
                + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)", JboxException.FAILED));
        try {
            return cli.execute(args);
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
    }

    /**
     * Makes picocli's command objects and hands each the request: the commands are instantiated
     * per call, so nothing of one caller stays for the next.
     */
    private static final class Factory implements CommandLine.IFactory {
        private final Request request;
        private final CommandLine.IFactory plain = CommandLine.defaultFactory();

        Factory(Request request) {
            this.request = request;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K k = plain.create(cls);
            if (k instanceof RequestCommand c) {
                c.request = request;
            }
            return k;
        }
    }

    /** picocli's nearest options or commands for an unknown one: " (did you mean --all?)". */
    private static String suggestions(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            List<String> s = u.getSuggestions();
            return " (did you mean " + String.join(" or ", s.subList(0, Math.min(3, s.size()))) + "?)";
        }
        return "";
    }

    /** runc's `run` takes a bundle; `jbox run IMAGE` never has -b/--bundle before the image. */
    private static boolean hasBundle(String[] args) {
        for (int i = 1; i < args.length && args[i].startsWith("-"); i++) {
            if (args[i].equals("-b") || args[i].equals("--bundle") || args[i].startsWith("--bundle=")) {
                return true;
            }
        }
        return false;
    }

    private static int fail(Request r, String message, int code) {
        r.err().println("jbox: " + message);
        r.flags().logError(message);
        return code;
    }

    private static int internalError(Request r, Exception e) {
        r.flags().logError("internal error: " + e);
        r.err().println("jbox: internal error: " + e);
        if (r.env("JBOX_DEBUG") != null || r.flags().debug) {
            e.printStackTrace(r.err());
        }
        return JboxException.FAILED;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Bare `jbox`: the same help as `jbox --help`. */
    @Override
    public void run() {
        spec.commandLine().usage(request.out());
    }
}

package jbox.cli;

import java.util.Arrays;
import jbox.JboxException;
import jbox.runtime.Timings;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * jbox's entry point. `jbox run` goes straight to RunCommand (the hot path; see RunFlags); every
 * other command goes through picocli. Every failure ends here as one line on stderr with docker's
 * exit statuses (125 for jbox's own errors).
 */
@Command(name = "jbox", mixinStandardHelpOptions = true, version = {"jbox version 0.1.0", "spec: " + jbox.spec.ContainerSpec.OCI_VERSION},
        description = "A minimal Linux container runtime.",
        subcommands = {ImageCommand.class, PsCommand.class, RmCommand.class, InspectCommand.class, NsCommand.class,
            SignalCommands.Kill.class, SignalCommands.Stop.class, LogsCommand.class, ExecCommand.class, WaitCommand.class, SystemCommand.class, DoctorCommand.class, NetworkCommand.class,
            FinishCommand.class, SpecCommand.class, FeaturesCommand.class, OciCommands.Create.class, OciCommands.Start.class,
            OciCommands.State.class, OciCommands.Delete.class, OciCommands.ListCommand.class, OciVerbCommands.Pause.class,
            OciVerbCommands.Resume.class, OciVerbCommands.Update.class, OciVerbCommands.Events.class,
            OciVerbCommands.Checkpoint.class, OciVerbCommands.Restore.class,
            RegistryCommands.Pull.class, RegistryCommands.Push.class, RegistryCommands.Login.class, RegistryCommands.Logout.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        if (!onlyHelp(args) && effectiveUid() != 0) {
            // Every command reads or writes root-only state; failing on the first EACCES would be
            // a worse message, and some (ps) would wrongly report an empty host.
            System.err.println("jbox: must be run as root (uid 0)");
            System.exit(JboxException.FAILED);
        }
        System.exit(execute(args));
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
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/status")) {
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
        } catch (java.io.IOException | RuntimeException e) {
            return -1; // unknown: refused, as any non-root caller
        }
    }

    public static int execute(String... argv) {
        String[] args;
        try {
            args = GlobalFlags.strip(argv).toArray(new String[0]);
        } catch (JboxException e) {
            return fail(e.getMessage(), e.exitCode());
        }
        if (args.length > 0 && args[0].equals("run") && !GlobalFlags.given && !hasBundle(args)) {
            // jbox run IMAGE: the start-up hot path, first and alone
            Timings t = new Timings("1".equals(System.getenv("JBOX_TIMINGS")));
            try {
                return RunCommand.execute(Arrays.asList(args).subList(1, args.length), t);
            } catch (JboxException e) {
                return fail(e.getMessage(), e.exitCode());
            } catch (RuntimeException e) {
                return internalError(e);
            }
        }
        if (args.length > 0 && args[0].equals("run")) {
            return picocli(new CommandLine(new OciCommands.Run()), Arrays.copyOfRange(args, 1, args.length));
        }
        try {
            Integer fast = OciFastPath.tryRun(args);
            if (fast != null) {
                return fast;
            }
        } catch (JboxException e) {
            return fail(e.getMessage(), e.exitCode());
        } catch (Exception e) {
            return internalError(e);
        }
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand("run", new CommandLine(RunFlags.helpSpec()));
        // As for run: everything after the container belongs to the command.
        cli.getSubcommands().get("exec").setStopAtPositional(true);
        return picocli(cli, args);
    }

    private static int picocli(CommandLine cli, String[] args) {
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof JboxException) {
                return fail(e.getMessage(), ((JboxException) e).exitCode());
            }
            return internalError(e);
        });
        cli.setParameterExceptionHandler((e, a) -> fail(e.getMessage() + " (see: "
                + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)", JboxException.FAILED));
        return cli.execute(args);
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

    private static int fail(String message, int code) {
        System.err.println("jbox: " + message);
        GlobalFlags.logError(message);
        return code;
    }

    private static int internalError(Exception e) {
        GlobalFlags.logError("internal error: " + e);
        System.err.println("jbox: internal error: " + e);
        if (System.getenv("JBOX_DEBUG") != null || GlobalFlags.debug) {
            e.printStackTrace();
        }
        return JboxException.FAILED;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}

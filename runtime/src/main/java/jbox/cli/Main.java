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
@Command(name = "jbox", mixinStandardHelpOptions = true, version = "jbox 0.1.0",
        description = "A minimal Linux container runtime.",
        subcommands = {ImageCommand.class, PsCommand.class, RmCommand.class, InspectCommand.class, NsCommand.class,
            SignalCommands.Kill.class, SignalCommands.Stop.class, LogsCommand.class, ExecCommand.class, WaitCommand.class, SystemCommand.class, DoctorCommand.class, NetworkCommand.class,
            FinishCommand.class, SpecCommand.class, FeaturesCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        if (args.length > 0 && args[0].equals("run")) {
            Timings t = new Timings("1".equals(System.getenv("JBOX_TIMINGS")));
            try {
                return RunCommand.execute(Arrays.asList(args).subList(1, args.length), t);
            } catch (JboxException e) {
                System.err.println("jbox: " + e.getMessage());
                return e.exitCode();
            } catch (RuntimeException e) {
                return internalError(e);
            }
        }
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand("run", new CommandLine(RunFlags.helpSpec()));
        // As for run: everything after the container belongs to the command.
        cli.getSubcommands().get("exec").setStopAtPositional(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof JboxException) {
                System.err.println("jbox: " + e.getMessage());
                return ((JboxException) e).exitCode();
            }
            return internalError(e);
        });
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("jbox: " + e.getMessage() + " (see: " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return JboxException.FAILED;
        });
        return cli.execute(args);
    }

    private static int internalError(Exception e) {
        System.err.println("jbox: internal error: " + e);
        if (System.getenv("JBOX_DEBUG") != null) {
            e.printStackTrace();
        }
        return JboxException.FAILED;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}

package jbox.cli;

import jbox.JboxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * jbox's entry point: picocli parses, the subcommands call into the runtime, and every failure
 * ends here as one line on stderr with docker's exit statuses (125 for jbox's own errors).
 */
@Command(name = "jbox", mixinStandardHelpOptions = true, version = "jbox 0.1.0",
        description = "A minimal Linux container runtime.",
        subcommands = {RunCommand.class, ImageCommand.class, PsCommand.class, RmCommand.class,
            SystemCommand.class, DoctorCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // Everything after IMAGE belongs to the container's command, dashes included.
        cli.getSubcommands().get("run").setStopAtPositional(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof JboxException) {
                System.err.println("jbox: " + e.getMessage());
                return ((JboxException) e).exitCode();
            }
            System.err.println("jbox: internal error: " + e);
            if (System.getenv("JBOX_DEBUG") != null) {
                e.printStackTrace();
            }
            return JboxException.FAILED;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("jbox: " + e.getMessage() + " (see: " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return JboxException.FAILED;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}

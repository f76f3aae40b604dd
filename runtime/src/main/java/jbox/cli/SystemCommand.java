package jbox.cli;

import java.util.ArrayList;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.Cleanup;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** `jbox system prune`: removes what dead or stopped containers left behind. */
@Command(name = "system", description = "System-wide housekeeping.", mixinStandardHelpOptions = true,
        subcommands = SystemCommand.Prune.class)
public final class SystemCommand extends RequestCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(out());
    }

    @Command(name = "prune", description = "Remove stopped containers and leftovers of killed jbox processes.",
            mixinStandardHelpOptions = true)
    static final class Prune extends RequestCommand implements Callable<Integer> {
        @Override
        public Integer call() throws JboxException {
            Config config = config();
            var removed = new ArrayList<>(new Cleanup(config).prune());
            removed.addAll(OciCommands.lifecycle(request).pruneInterrupted());
            for (String r : removed) {
                out().println("removed " + r);
            }
            if (removed.isEmpty()) {
                out().println("nothing to remove");
            }
            return 0;
        }
    }
}

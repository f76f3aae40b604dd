package jbox.cli;

import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.state.ContainerState;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `jbox ps [-a]`: containers from the state directory. */
@Command(name = "ps", description = "List containers.", mixinStandardHelpOptions = true)
public final class PsCommand implements Callable<Integer> {
    @Option(names = {"-a", "--all"}, description = "Show stopped containers too.")
    boolean all;

    @Override
    public Integer call() throws JboxException {
        StateStore states = new StateStore(Config.load().stateRoot());
        System.out.printf("%-12s  %-12s  %-10s  %-9s  %s%n", "CONTAINER ID", "IMAGE", "STATUS", "PID", "NAME");
        for (ContainerState s : states.list()) {
            boolean live = states.isOwned(s.id());
            String status = live ? s.status() : ContainerState.RUNNING.equals(s.status()) || ContainerState.CREATED.equals(s.status())
                    ? "dead" : "exited(" + s.exitCode() + ")";
            if (!all && !live) {
                continue;
            }
            System.out.printf("%-12s  %-12s  %-10s  %-9s  %s%n", s.shortId(), s.image(), status,
                    s.pid() == 0 ? "-" : Long.toString(s.pid()), s.name() == null ? "" : s.name());
        }
        return 0;
    }
}

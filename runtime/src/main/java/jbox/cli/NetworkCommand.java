package jbox.cli;

import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.config.HostRoots;
import jbox.network.BridgeSettings;
import jbox.network.UserNetworks;
import jbox.runtime.Cleanup;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `jbox network create|ls|rm`: user-defined networks, each a bridge of its own (see UserNetworks). */
@Command(name = "network", description = "Manage user-defined networks (run --net NAME).", mixinStandardHelpOptions = true,
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Rm.class})
public final class NetworkCommand extends RequestCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(out());
    }

    static UserNetworks networks(Config config) throws JboxException {
        return new UserNetworks(HostRoots.dataRoot(config), BridgeSettings.from(config));
    }

    @Command(name = "create", description = "Create a network with its own subnet.", mixinStandardHelpOptions = true)
    static final class Create extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--subnet", required = true, paramLabel = "CIDR", description = "e.g. 10.89.0.0/24; must not overlap another jbox network or a route of the host.")
        String subnet;

        @Option(names = "--force", description = "Create it even if the subnet overlaps a route of the host.")
        boolean force;

        @Override
        public Integer call() throws JboxException {
            UserNetworks.Definition d = networks(config()).create(name, subnet, force);
            out().println(d.name());
            return 0;
        }
    }

    @Command(name = "ls", description = "List networks: the default bridge and user-defined ones.", mixinStandardHelpOptions = true)
    static final class Ls extends RequestCommand implements Callable<Integer> {
        @Override
        public Integer call() throws JboxException {
            Config config = config();
            BridgeSettings b = BridgeSettings.from(config);
            String format = "%-12s %-16s %-18s%n";
            out().printf(format, "NAME", "BRIDGE", "SUBNET");
            out().printf(format, "bridge", b.name(), b.subnet());
            for (UserNetworks.Definition d : networks(config).list()) {
                out().printf(format, d.name(), d.bridge(), d.subnet());
            }
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove a network no running container uses.", mixinStandardHelpOptions = true)
    static final class Rm extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws JboxException {
            Config config = config();
            StateStore states = StateStore.ofRun(config.stateRoot());
            for (String r : networks(config).remove(name, id -> Cleanup.live(states, id))) {
                out().println("removed " + r);
            }
            return 0;
        }
    }
}

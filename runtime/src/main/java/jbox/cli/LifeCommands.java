package jbox.cli;

import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ContainerStart;
import jbox.runtime.ContainerStop;
import jbox.runtime.ShimLocator;
import jbox.runtime.Timings;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A container's life after `run`, as docker users know it: start (OciCommands.Start serves both
 * CLIs, by which store holds the id) and restart.
 */
final class LifeCommands {
    private LifeCommands() {
    }

    /** The container of `jbox run` that {@code ref} names (id, prefix or name), or null when there is none. */
    static ContainerRecord findRun(Request r, String ref) throws JboxException {
        try {
            return StateStore.ofRun(r.config().stateRoot()).find(ref);
        } catch (JboxException e) {
            if (e.getMessage().startsWith("no such container")) {
                return null;
            }
            throw e;
        }
    }

    /** `jbox start [-a]` of a container of `jbox run`: detached prints its reference, as docker does. */
    static int start(Request r, ContainerRecord s, boolean attach) throws JboxException {
        Config config = r.config();
        Timings t = Main.timings(r);
        ContainerRunner runner = new ContainerRunner(ShimLocator.find(config), t, r.caller());
        if (attach) {
            r.signals().forward(runner::forwardSignal);
        }
        int code = new ContainerStart(config, t).start(s, attach, runner);
        if (!attach) {
            r.out().println(s.name() != null ? s.name() : s.id());
        }
        return code;
    }

    @Command(name = "restart", description = "Stop a container of jbox run (SIGTERM, then SIGKILL after a timeout) and start it again.",
            mixinStandardHelpOptions = true)
    static final class Restart extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before SIGKILL (default 10).")
        int seconds = 10;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> refs;

        @Override
        public Integer call() throws JboxException {
            Config config = config();
            StateStore states = StateStore.ofRun(config.stateRoot());
            int status = 0;
            for (String ref : refs) {
                try {
                    ContainerRecord s = states.find(ref);
                    if (states.isOwned(s.id())) {
                        new ContainerStop(states, new ContainerCgroups(config)).stopByUser(s.id(), seconds);
                    }
                    Timings t = Main.timings(request);
                    new ContainerStart(config, t).start(states.find(s.id()), false,
                            new ContainerRunner(ShimLocator.find(config), t, request.caller()));
                    out().println(ref);
                } catch (JboxException e) {
                    request.err().println("jbox: " + e.getMessage());
                    status = e.exitCode();
                }
            }
            return status;
        }
    }
}

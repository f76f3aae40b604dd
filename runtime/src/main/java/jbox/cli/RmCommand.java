package jbox.cli;

import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.Cleanup;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerFiles;
import jbox.runtime.ContainerStop;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `jbox rm [-f] ID|NAME...`: removes stopped containers; -f kills a running one first. Goes on past one that fails. */
@Command(name = "rm", description = "Remove containers.", mixinStandardHelpOptions = true)
public final class RmCommand extends RequestCommand implements Callable<Integer> {
    @Option(names = {"-f", "--force"}, description = "Kill a running container, then remove it.")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> refs;

    @Override
    public Integer call() throws JboxException {
        Config config = config();
        StateStore states = StateStore.ofRun(config.stateRoot());
        return EachRef.run(request, refs, ref -> {
            ContainerRecord s = states.find(ref);
            if (states.isOwned(s.id())) {
                if (!force) {
                    throw new JboxException("container " + ref + " is running: stop it first or use rm -f");
                }
                // Its jbox (or, detached, its monitor and internal-finish) releases network and
                // cgroup; then what a container without --rm keeps goes.
                ContainerCgroups cgroups = new ContainerCgroups(config);
                if (!new ContainerStop(states, cgroups).killForRemoval(s)) {
                    // Its owner did not release in time: the cgroup goes here, or nobody finds it once the record is gone.
                    ContainerRecord now = states.read(s.id());
                    cgroups.remove(now != null ? now : s);
                    Cleanup.removeOrphanCgroup(config, s.id());
                }
            } else if (s.exitCode() == null) {
                // Nobody owns it and its exit was never recorded: its monitor was killed before its
                // internal-finish ran, so its cgroup and network pieces are still there.
                Cleanup.releaseOrphan(config, s.id());
            }
            new ContainerFiles(config.containersDir().resolve(s.id()), states.dir(s.id())).remove();
            out().println(ref);
        });
    }
}

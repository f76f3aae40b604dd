package jbox.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerExec;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ShimLocator;
import jbox.runtime.Timings;
import jbox.state.ContainerState;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `jbox exec [-e K=V] [-w DIR] [-u UID[:GID]] ID CMD...`: nsenter/setns, made a command. */
@Command(name = "exec", description = "Run a command in a running container.", mixinStandardHelpOptions = true)
public final class ExecCommand implements Callable<Integer> {
    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Set an environment variable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory (default /).")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "UID[:GID]", description = "User and group ids (default root).")
    String user;

    @Option(names = {"-t", "--tty"}, description = "Give the command a terminal.")
    boolean tty;

    @Option(names = {"-i", "--interactive"}, description = "Keep stdin open (it always is; accepted as docker's).")
    boolean interactive;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String ref;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD")
    List<String> command;

    @Override
    public Integer call() throws JboxException {
        Config config = Config.load();
        ContainerState s = new StateStore(config.stateRoot()).findRunning(ref);
        ContainerRunner runner = new ContainerRunner(ShimLocator.find(config), new Timings(false));
        SignalForwarding.install(runner);
        return new ContainerExec(config).exec(s, command, env, workdir, user, tty, runner);
    }
}

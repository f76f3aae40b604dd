package jbox.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.oci.OciLifecycle;
import jbox.runtime.ContainerExec;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ShimLocator;
import jbox.runtime.Timings;
import jbox.spec.ContainerSpec;
import jbox.spec.OciConfig;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `jbox exec [-e K=V] [-w DIR] [-u UID[:GID]] ID CMD...`: nsenter/setns, made a command. */
@Command(name = "exec", description = "Run a command in a running container.", mixinStandardHelpOptions = true)
public final class ExecCommand extends RequestCommand implements Callable<Integer> {
    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Set an environment variable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir", "--cwd"}, paramLabel = "DIR", description = "Working directory (default: the container's).")
    String workdir;

    @Option(names = {"-p", "--process"}, paramLabel = "FILE", description = "OCI CLI: the process as JSON (runtime-spec's process object).")
    Path processFile;

    @Option(names = {"-d", "--detach"}, description = "OCI CLI: return once the command runs; the caller reaps it.")
    boolean detach;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "OCI CLI: write the command's pid there.")
    Path pidFile;

    @Option(names = "--console-socket", paramLabel = "SOCKET", description = "OCI CLI: send the terminal's master there.")
    String consoleSocket;

    @Option(names = {"-u", "--user"}, paramLabel = "UID[:GID]", description = "User and group ids (default: the container's user).")
    String user;

    @Option(names = {"-t", "--tty"}, description = "Give the command a terminal.")
    boolean tty;

    @Option(names = {"-i", "--interactive"}, description = "Keep stdin open (it always is; accepted as docker's).")
    boolean interactive;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String ref;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "CMD")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws JboxException {
        Config config = config();
        if (OciCommands.isOci(request, ref)) {
            return ociExec();
        }
        if (processFile != null || detach || pidFile != null || consoleSocket != null) {
            throw new JboxException("--process, --detach, --pid-file and --console-socket are for containers of the OCI CLI; "
                    + ref + " is not one (under " + globalFlags().ociRoot(config) + ")");
        }
        ContainerExec.Flags flags = flags();
        StateStore states = StateStore.ofRun(config.stateRoot());
        ContainerRecord s = states.findRunning(ref);
        ContainerRunner runner = new ContainerRunner(ShimLocator.find(config), Timings.off(), request.caller());
        request.signals().forward(runner::forwardSignal);
        return new ContainerExec(config).exec(states, s, flags, runner);
    }

    private ContainerExec.Flags flags() throws JboxException {
        if (command.isEmpty()) {
            throw new JboxException("exec: no command given");
        }
        return new ContainerExec.Flags(command, env, user, workdir, tty);
    }

    /** runc's exec: the process from --process, or the container's own with these args and flags. */
    private int ociExec() throws JboxException {
        OciLifecycle l = OciCommands.lifecycle(request);
        ContainerSpec container = OciConfig.read(l.store().dir(ref));
        ContainerSpec.Process p;
        if (processFile != null) {
            p = OciConfig.readProcess(request.resolve(processFile), container.process(),
                    path -> OciCommands.ignoredProperty(request, path));
        } else {
            if (command.isEmpty()) {
                throw new JboxException("exec: give a command or --process FILE");
            }
            p = ContainerExec.process(container.process(), flags(), ContainerExec.OtherUserCaps.AS_RECORDED);
        }
        if (!detach) {
            request.signals().forward(l.runner()::forwardSignal);
        }
        return l.exec(ref, p, container.linux().seccomp(), detach, request.resolve(pidFile), consoleSocket);
    }
}

package jbox.cli;

import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerStop;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `jbox kill` and `jbox stop`: signals to a running container's PID 1, as docker sends them. The
 * jbox that owns the container notices the exit and cleans up.
 */
final class SignalCommands {
    private SignalCommands() {
    }

    @Command(name = "kill", description = "Send a signal to a container's PID 1 (default KILL; TERM for the OCI CLI's, as runc).",
            mixinStandardHelpOptions = true)
    static final class Kill extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "Signal name or number.")
        String signal;

        @Option(names = {"-a", "--all"}, description = "OCI CLI: signal every process of the container's cgroup.")
        boolean all;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String ref;

        @Parameters(index = "1", arity = "0..1", paramLabel = "SIGNAL", description = "runc's form: the signal after the id.")
        String positionalSignal;

        @Override
        public Integer call() throws JboxException {
            Config config = config();
            String sig = signal != null ? signal : positionalSignal;
            if (OciCommands.isOci(request, ref)) {
                OciCommands.lifecycle(request).kill(ref, sig == null ? "TERM" : sig, all);
                return 0;
            }
            StateStore states = StateStore.ofRun(config.stateRoot());
            jbox.state.ContainerRecord s = states.findRunning(ref);
            if (sig == null || sig.equalsIgnoreCase("KILL") || sig.equalsIgnoreCase("SIGKILL") || sig.equals("9")) {
                jbox.runtime.RestartPolicy.markStopped(states.dir(s.id()), true); // docker: killed by a user stays down
            }
            new ContainerStop(states, new ContainerCgroups(config)).kill(s, sig == null ? "KILL" : sig, false);
            out().println(ref);
            return 0;
        }
    }

    @Command(name = "stop", description = "SIGTERM to PID 1, then SIGKILL after a timeout.", mixinStandardHelpOptions = true)
    static final class Stop extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before SIGKILL (default 10).")
        int seconds = 10;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String ref;

        @Override
        public Integer call() throws JboxException {
            Config config = config();
            StateStore states = StateStore.ofRun(config.stateRoot());
            new ContainerStop(states, new ContainerCgroups(config)).stopByUser(ref, seconds);
            out().println(ref);
            return 0;
        }
    }
}

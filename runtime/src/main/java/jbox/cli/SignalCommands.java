package jbox.cli;

import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerStop;
import jbox.runtime.RestartPolicy;
import jbox.state.ContainerRecord;
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

        @Parameters(arity = "1..*", paramLabel = "CONTAINER",
                description = "Containers (docker's form); the OCI CLI's is runc's: ID [SIGNAL].")
        List<String> refs;

        @Override
        public Integer call() throws JboxException {
            Config config = config();
            String ref = refs.get(0);
            if (OciCommands.isOci(request, ref)) {
                if (refs.size() > 2) {
                    throw new JboxException("the OCI CLI's kill takes one container and one signal (runc's form: kill ID [SIGNAL])");
                }
                String sig = signal != null ? signal : refs.size() == 2 ? refs.get(1) : null;
                OciCommands.lifecycle(request).kill(ref, sig == null ? "TERM" : sig, all);
                return 0;
            }
            StateStore states = StateStore.ofRun(config.stateRoot());
            List<String> containers = refs;
            String sig = signal;
            if (sig == null && refs.size() == 2 && isSignal(refs.get(1)) && !names(states, refs.get(1))) {
                sig = refs.get(1); // runc's `kill ID SIGNAL`, used on a container of jbox run
                containers = refs.subList(0, 1);
            }
            String chosen = sig == null ? "KILL" : sig;
            boolean forGood = chosen.equalsIgnoreCase("KILL") || chosen.equalsIgnoreCase("SIGKILL") || chosen.equals("9");
            ContainerStop stop = new ContainerStop(states, new ContainerCgroups(config));
            return EachRef.run(request, containers, r -> {
                ContainerRecord s = states.findRunning(r);
                if (forGood) {
                    RestartPolicy.markStopped(states.dir(s.id()), true); // docker: killed by a user stays down
                }
                stop.kill(s, chosen, false);
                out().println(r);
            });
        }

        private static boolean isSignal(String s) {
            return s.matches("[0-9]{1,2}") || s.matches("(SIG)?[A-Z][A-Z0-9+-]*");
        }

        private static boolean names(StateStore states, String ref) {
            try {
                states.find(ref);
                return true;
            } catch (JboxException none) {
                return false;
            }
        }
    }

    @Command(name = "stop", description = "SIGTERM to PID 1, then SIGKILL after a timeout.", mixinStandardHelpOptions = true)
    static final class Stop extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before SIGKILL (default 10).")
        int seconds = 10;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> refs;

        @Override
        public Integer call() throws JboxException {
            Config config = config();
            StateStore states = StateStore.ofRun(config.stateRoot());
            ContainerStop stop = new ContainerStop(states, new ContainerCgroups(config));
            return EachRef.run(request, refs, r -> {
                stop.stopByUser(r, seconds);
                out().println(r);
            });
        }
    }
}

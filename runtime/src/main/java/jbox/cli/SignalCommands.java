package jbox.cli;

import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ProcessStart;
import jbox.state.ContainerState;
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

    /** kill(1) takes names and numbers; only while the recorded init is still that process. */
    static void signal(ContainerState s, String signal) throws JboxException {
        jbox.oci.Signals.sendRecorded(s.pid(), s.pidStartTime(), signal);
    }

    @Command(name = "kill", description = "Send a signal to a container's PID 1 (default KILL; TERM for the OCI CLI's, as runc).",
            mixinStandardHelpOptions = true)
    static final class Kill implements Callable<Integer> {
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
            Config config = Config.load();
            String sig = signal != null ? signal : positionalSignal;
            if (OciCommands.isOci(config, ref)) {
                OciCommands.lifecycle(config).kill(ref, sig == null ? "TERM" : sig, all);
                return 0;
            }
            ContainerState s = new StateStore(config.stateRoot()).findRunning(ref);
            signal(s, sig == null ? "KILL" : sig);
            System.out.println(ref);
            return 0;
        }
    }

    @Command(name = "stop", description = "SIGTERM to PID 1, then SIGKILL after a timeout.", mixinStandardHelpOptions = true)
    static final class Stop implements Callable<Integer> {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before SIGKILL (default 10).")
        int seconds = 10;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String ref;

        @Override
        public Integer call() throws JboxException {
            StateStore states = new StateStore(Config.load().stateRoot());
            ContainerState s = states.findRunning(ref);
            signal(s, "TERM");
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (ProcessStart.alive(s.pid(), s.pidStartTime()) && System.nanoTime() < deadline) {
                sleep();
            }
            if (ProcessStart.alive(s.pid(), s.pidStartTime())) {
                // PID 1 without a SIGTERM handler ignores it: the kernel's rule, shown, not hidden.
                signal(s, "KILL");
            }
            while (states.isOwned(s.id())) { // its jbox is cleaning up
                sleep();
            }
            System.out.println(ref);
            return 0;
        }

        private static void sleep() throws JboxException {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JboxException("interrupted", e);
            }
        }
    }
}

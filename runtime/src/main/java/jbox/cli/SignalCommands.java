package jbox.cli;

import java.io.IOException;
import java.util.Locale;
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

    /** kill(1) takes names and numbers; the JVM itself can only send TERM and KILL. */
    static void signal(long pid, String signal) throws JboxException {
        String sig = signal.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        if (!sig.matches("[A-Z0-9+-]{1,12}")) {
            throw new JboxException("invalid signal " + signal);
        }
        try {
            Process p = new ProcessBuilder("kill", "-s", sig, Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0) {
                throw new JboxException("cannot send " + signal + " to pid " + pid + ": " + out);
            }
        } catch (IOException e) {
            throw new JboxException("cannot run kill: " + jbox.io.IoReason.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JboxException("interrupted while signalling " + pid, e);
        }
    }

    @Command(name = "kill", description = "Send a signal (default KILL) to a container's PID 1.", mixinStandardHelpOptions = true)
    static final class Kill implements Callable<Integer> {
        @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "Signal name or number (default KILL).")
        String signal = "KILL";

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String ref;

        @Override
        public Integer call() throws JboxException {
            ContainerState s = new StateStore(Config.load().stateRoot()).findRunning(ref);
            signal(s.pid(), signal);
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
            long start = ProcessStart.of(s.pid());
            signal(s.pid(), "TERM");
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (ProcessStart.alive(s.pid(), start) && System.nanoTime() < deadline) {
                sleep();
            }
            if (ProcessStart.alive(s.pid(), start)) {
                // PID 1 without a SIGTERM handler ignores it: the kernel's rule, shown, not hidden.
                signal(s.pid(), "KILL");
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

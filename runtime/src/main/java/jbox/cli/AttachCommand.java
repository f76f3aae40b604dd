package jbox.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.IoReason;
import jbox.process.ShimStarter;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ShimLocator;
import jbox.runtime.SpecFile;
import jbox.spec.ContainerSpec;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `jbox attach [--detach-keys KEYS] [--no-stdin] CONTAINER` (docker's): the caller's terminal on a
 * detached container's output and, with a terminal, its input. The relay is `jbox-shim attach`,
 * started like a shim by whoever runs this command (the front end for the engine, the JVM on the
 * cold path) with the caller's stdio, so the container's bytes go between the terminal and the
 * container's monitor only (docs/engine.md: the engine never touches the caller's terminal).
 * Its exit status is attach's: 0 on the detach keys, the container's when it exits.
 */
@Command(name = "attach", description = {"Attach this terminal to a detached container (jbox run -d, jbox start): its output, "
        + "and with -t its terminal's input. The detach keys (default Ctrl-P Ctrl-Q) leave it running; when it exits, "
        + "attach exits with its status."}, mixinStandardHelpOptions = true)
public final class AttachCommand extends RequestCommand implements Callable<Integer> {
    @Option(names = "--detach-keys", paramLabel = "KEYS", description = "Keys that detach, docker's format (default ctrl-p,ctrl-q; e.g. ctrl-a or ctrl-x,x).")
    String detachKeys;

    @Option(names = "--no-stdin", description = "Do not send this terminal's keys to the container (detach with a signal, e.g. Ctrl-C).")
    boolean noStdin;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String ref;

    @Override
    public Integer call() throws JboxException {
        Config config = config();
        byte[] keys = DetachKeys.parse(detachKeys == null || detachKeys.isEmpty() ? DetachKeys.DEFAULT : detachKeys);
        StateStore states = StateStore.ofRun(config.stateRoot());
        ContainerRecord s = states.findRunning(ref);
        Path dir = states.dir(s.id());
        Path socket = ContainerRunner.attachSocket(dir);
        if (socket == null || !Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new JboxException("cannot attach to container " + ref + ": it does not run detached"
                    + " (only a container of jbox run -d or jbox start has a monitor to attach to)");
        }
        // Keys go to its terminal, or to its stdin if the monitor holds it (run -di); a container of
        // plain run -d has /dev/null there, nothing to feed (README).
        ContainerSpec spec = SpecFile.read(dir);
        boolean takesKeys = spec.process().terminal() || ContainerRunner.openStdin(spec);
        boolean input = takesKeys && !noStdin;
        if (!takesKeys && !noStdin && request.terminals().stdin()) {
            request.err().println("jbox: container " + ref + " has no terminal and no open stdin (run without -t or -i):"
                    + " attached to its output only; Ctrl-C leaves it running");
        }
        List<String> argv = new ArrayList<>(List.of(ShimLocator.find(config).toString(), "attach"));
        if (!input) {
            argv.add("--no-stdin");
        }
        argv.addAll(List.of("--detach-keys", DetachKeys.hex(keys), socket.toString(), ref));
        ShimStarter.Child client;
        try {
            client = ShimStarter.await(request.caller().shims().start(argv, null));
        } catch (IOException e) {
            throw new JboxException("cannot start the attach client " + argv.get(0) + ": " + IoReason.of(e), e);
        }
        try {
            return client.waitFor();
        } catch (InterruptedException e) {
            // Not killed from here: SIGKILL would leave the caller's terminal raw. Its parent's
            // death (PR_SET_PDEATHSIG) ends it, after it restored the terminal.
            Thread.currentThread().interrupt();
            throw new JboxException("interrupted while attached to container " + ref);
        }
    }
}

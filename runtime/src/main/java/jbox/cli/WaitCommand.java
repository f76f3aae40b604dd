package jbox.cli;

import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `jbox wait ID...`: blocks until each container has exited, then prints its exit code (one line each, in order). */
@Command(name = "wait", description = "Wait for a container to exit and print its exit code.", mixinStandardHelpOptions = true)
public final class WaitCommand extends RequestCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> refs;

    @Override
    public Integer call() throws JboxException {
        StateStore states = StateStore.ofRun(config().stateRoot());
        return EachRef.run(request, refs, ref -> waitFor(states, ref));
    }

    /** Prints one container's exit code once it has exited. */
    private void waitFor(StateStore states, String ref) throws JboxException {
        ContainerRecord s = states.find(ref);
        while (states.isOwned(s.id())) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JboxException("interrupted while waiting for container " + ref);
            }
        }
        ContainerRecord last = states.read(s.id());
        if (last == null) {
            throw new JboxException("container " + ref + " was removed when it exited (--rm): its exit code is gone");
        }
        if (last.exitCode() == null) {
            throw new JboxException("container " + ref + " died without an exit code (its jbox or monitor was killed)");
        }
        out().println(last.exitCode());
    }
}

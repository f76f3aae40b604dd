package jbox.cli;

import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ContainerStart;
import jbox.runtime.ShimLocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Run by the shim when a detached container has exited: jbox's part of the ending, and the
 * --restart policy's start (ContainerStart.finish). Not for users.
 */
@Command(name = "internal-finish", hidden = true)
public final class FinishCommand extends RequestCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws JboxException {
        if (!id.matches("[0-9a-f]{64}")) {
            throw new JboxException("internal-finish needs a full container id");
        }
        Config config = config();
        new ContainerStart(config, Main.timings(request)).finish(id,
                new ContainerRunner(ShimLocator.find(config), Main.timings(request), request.caller()));
        return 0;
    }
}

package jbox.cli;

import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.Cleanup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Run by the shim when a detached container has exited: jbox's part of the ending. Not for users. */
@Command(name = "internal-finish", hidden = true)
public final class FinishCommand extends RequestCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws JboxException {
        if (!id.matches("[0-9a-f]{64}")) {
            throw new JboxException("internal-finish needs a full container id");
        }
        new Cleanup(config()).finish(id);
        return 0;
    }
}

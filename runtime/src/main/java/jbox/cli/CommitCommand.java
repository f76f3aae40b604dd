package jbox.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.image.ImageCommit;
import jbox.image.ImageMeta;
import jbox.image.ImageStore;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import jbox.state.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * `jbox commit CONTAINER IMAGE`: the container's writable layer (overlayfs upper directory) as a
 * new layer on top of its image's layers. A running container is refused: its files may be half
 * written (stop it, or pause it with the OCI CLI's pause, first).
 */
@Command(name = "commit", description = "Create an image from a container's changes.", mixinStandardHelpOptions = true)
public final class CommitCommand extends RequestCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONTAINER")
    String container;

    @Parameters(index = "1", paramLabel = "IMAGE")
    String image;

    @Override
    public Integer call() throws JboxException {
        Config c = config();
        StateStore states = StateStore.ofRun(c.stateRoot());
        ContainerRecord record = states.find(container);
        if (states.status(record) == Status.RUNNING) {
            throw new JboxException("cannot commit container " + container + ": it is running (stop it first)");
        }
        if (record.image() == null || record.layerDir() == null) {
            throw new JboxException("cannot commit container " + container + ": it was not run from an image");
        }
        Path upper = Path.of(record.layerDir()).resolve("upper");
        if (!Files.isDirectory(upper)) {
            throw new JboxException("cannot commit container " + container + ": its writable layer " + upper
                    + " is gone");
        }
        ImageStore store = ImageCommand.store(c);
        ImageMeta base = store.get(record.image());
        ImageMeta made = new ImageCommit().commit(store, base, upper, image, "jbox commit " + record.shortId(),
                ImageCommit.Defaults.KEEP);
        out().println(made.configDigest());
        return 0;
    }
}

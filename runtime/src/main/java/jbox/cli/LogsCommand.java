package jbox.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.IoReason;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `jbox logs [-f] ID`: a detached container's output, streamed (never held in memory whole). */
@Command(name = "logs", description = "Print a detached container's output.", mixinStandardHelpOptions = true)
public final class LogsCommand extends RequestCommand implements Callable<Integer> {
    @Option(names = {"-f", "--follow"}, description = "Keep printing until the container exits.")
    boolean follow;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String ref;

    @Override
    public Integer call() throws JboxException {
        Config config = config();
        StateStore states = StateStore.ofRun(config.stateRoot());
        ContainerRecord s = states.find(ref);
        Path log = Path.of(s.layerDir()).resolve("container.log");
        if (!Files.exists(log)) {
            throw new JboxException("container " + ref + " has no log (only detached containers keep one)");
        }
        byte[] buf = new byte[64 * 1024];
        OutputStream out = out();
        try (InputStream in = Files.newInputStream(log)) {
            for (;;) {
                int n = in.read(buf);
                if (n > 0) {
                    out.write(buf, 0, n);
                    continue;
                }
                out.flush();
                if (!follow || !states.isOwned(s.id())) {
                    // one more read after the owner is gone: the last lines may have landed meanwhile
                    if (follow) {
                        in.transferTo(out);
                        out.flush();
                    }
                    return 0;
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            throw new JboxException("cannot read " + log + ": " + IoReason.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}

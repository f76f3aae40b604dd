package jbox.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.spec.OciConfig;
import jbox.spec.OciDefaults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `jbox spec [--bundle DIR] [--rootless]`: writes a default config.json to start an OCI bundle from. */
@Command(name = "spec", description = "Write a default OCI config.json into the bundle directory.", mixinStandardHelpOptions = true)
public final class SpecCommand extends RequestCommand implements Callable<Integer> {
    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "Bundle directory (default: the current directory).")
    Path bundle = Path.of("");

    @Option(names = "--rootless", description = "Add a user namespace mapping container ids onto jbox's configured host range.")
    boolean rootless;

    @Override
    public Integer call() throws JboxException {
        OciDefaults.IdRange range = null;
        if (rootless) {
            Config c = config();
            range = new OciDefaults.IdRange(c.getLong("userns.uid.base"), c.getLong("userns.gid.base"), c.getLong("userns.size"));
        }
        Path file = request.resolve(bundle).resolve(OciConfig.FILE);
        try {
            // CREATE_NEW: an existing config is somebody's work, never overwritten.
            FileModes.createFile(file, 0644); // as runc's under the usual umask, whatever the umask
            Files.writeString(file, OciConfig.json(OciDefaults.spec(range)) + "\n", StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new JboxException("cannot write " + file.toAbsolutePath() + ": it already exists");
        } catch (IOException e) {
            throw new JboxException("cannot write " + file.toAbsolutePath() + ": " + IoReason.of(e), e);
        }
        return 0;
    }
}

package jbox.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.image.Containerfile;
import jbox.image.ImageMeta;
import jbox.io.IoReason;
import jbox.runtime.ImageBuild;
import jbox.runtime.Timings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `jbox build -t NAME[:TAG] [-f FILE] CONTEXT`: a Containerfile subset (FROM, RUN, COPY, ENV,
 * WORKDIR, USER, ENTRYPOINT, CMD), each step on `jbox run` and `jbox commit` (ImageBuild). The
 * file is parsed whole first, so a mistake in it stops the build before anything runs.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build an image from a Containerfile: FROM, RUN, COPY, ENV, WORKDIR, USER, ENTRYPOINT, CMD.",
        footer = "%nRUN runs in a container of the image so far (network none) and its changes become a layer; COPY"
                + " takes files from CONTEXT (never from outside it); the rest set the image's run defaults."
                + " Intermediate containers and images are removed, also when a step fails.")
public final class BuildCommand extends RequestCommand implements Callable<Integer> {
    @Option(names = {"-t", "--tag"}, required = true, paramLabel = "NAME[:TAG]", description = "The image to store.")
    String tag;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "The Containerfile (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile).")
    String file;

    @Parameters(index = "0", paramLabel = "CONTEXT", description = "The directory COPY reads from.")
    String context;

    @Override
    public Integer call() throws JboxException {
        Path dir = request.cwd().resolve(context).normalize();
        if (!Files.isDirectory(dir)) {
            throw new JboxException("build context " + dir + " is not a directory");
        }
        Path path = file != null ? request.cwd().resolve(file) : dir.resolve("Containerfile");
        if (file == null && !Files.exists(path)) {
            path = dir.resolve("Dockerfile");
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JboxException("cannot read " + path + ": " + IoReason.of(e), e);
        }
        Containerfile parsed = Containerfile.parse(text);
        ImageBuild build = new ImageBuild(config(), request.caller(), Timings.off());
        request.signals().forward(build::forwardSignal);
        ImageMeta made = build.build(parsed, dir, tag);
        out().println(made.configDigest());
        return 0;
    }
}

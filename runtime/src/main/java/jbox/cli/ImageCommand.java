package jbox.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.cgroup.CgroupResources;
import jbox.config.Config;
import jbox.config.HostRoots;
import jbox.image.DefaultImageBuilder;
import jbox.image.IdShift;
import jbox.image.ImageExporter;
import jbox.image.ImageImporter;
import jbox.image.ImageMeta;
import jbox.image.ImageStore;
import jbox.image.ImportLimits;
import jbox.image.TerminalProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `jbox image build-default | import | export | ls | rm`: the image store under data.root/images. */
@Command(name = "image", description = "Manage images.", mixinStandardHelpOptions = true,
        subcommands = {ImageCommand.BuildDefault.class, ImageCommand.Import.class, ImageCommand.Export.class,
                ImageCommand.Ls.class, ImageCommand.Rm.class})
public final class ImageCommand extends RequestCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(out());
    }

    static ImageStore store(Config c) throws JboxException {
        return new ImageStore(HostRoots.images(c));
    }

    /** What one import may unpack: an archive from elsewhere may be a decompression bomb. */
    static ImportLimits limits(Config c) throws JboxException {
        long bytes = CgroupResources.parseBytes(c.get("image.max_bytes"));
        long entries = c.getLong("image.max_entries");
        if (bytes <= 0 || entries <= 0) {
            throw new JboxException("config keys image.max_bytes and image.max_entries must be positive");
        }
        return new ImportLimits(bytes, entries);
    }

    /** Image files are owned by the host ids that container root maps to, so root inside owns them. */
    static IdShift shift(Config c) throws JboxException {
        if (!c.getBoolean("userns.enabled")) {
            return IdShift.NONE;
        }
        return new IdShift(c.getLong("userns.uid.base"), c.getLong("userns.gid.base"), c.getLong("userns.size"));
    }

    @Command(name = "build-default", description = "Build the default busybox image from the host's busybox-static.",
            mixinStandardHelpOptions = true)
    static final class BuildDefault extends RequestCommand implements Callable<Integer> {
        @Option(names = "--name", description = "Image name (default: from the config, busybox).")
        String name;

        @Option(names = "--replace", description = "Replace the image if it exists.")
        boolean replace;

        @Override
        public Integer call() throws JboxException {
            Config c = config();
            String n = name != null ? name : c.get("image.default");
            Path busybox = Path.of(c.get("image.default.busybox"));
            if (!Files.isExecutable(busybox)) {
                throw new JboxException("busybox not found at " + busybox + " (install it: apt-get install busybox-static)");
            }
            ImageStore store = store(c);
            if (store.exists(n)) {
                if (!replace) {
                    out().println(n + " already exists");
                    return 0;
                }
                store.remove(n);
            }
            ImageMeta m = new DefaultImageBuilder().build(store, n, busybox, shift(c));
            out().println("built " + m.name() + " from " + busybox);
            return 0;
        }
    }

    @Command(name = "import", description = {"Import an image: a root filesystem tarball (.tar, .tar.gz, .tar.xz),",
            "an OCI image layout (directory or tar) or a docker-archive (docker/podman save); recognised by content."},
            mixinStandardHelpOptions = true)
    static final class Import extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "SOURCE")
        Path file;

        @Option(names = "--ref", paramLabel = "REF",
                description = "Which image of an archive holding several: its ref name (OCI) or tag (docker-archive).")
        String ref;

        @Override
        public Integer call() throws JboxException {
            Config c = config();
            Path source = request.resolve(file); // the caller's path: relative to its working directory
            if (!Files.isRegularFile(source) && !Files.isDirectory(source)) {
                throw new JboxException("cannot import " + file + ": no such file or directory");
            }
            ImageMeta m = new ImageImporter(limits(c)).importImage(store(c), name, source, ref, shift(c),
                    new TerminalProgress("importing " + name, request.err(), request.terminals().console()));
            out().println("imported " + m.name() + " from " + file);
            return 0;
        }
    }

    @Command(name = "export", description = {"Write an image as an OCI image layout: a directory, or an oci-archive tar",
            "(with --format oci-archive or a DEST ending in .tar). skopeo and podman read both."},
            mixinStandardHelpOptions = true)
    static final class Export extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "DEST")
        Path dest;

        @Option(names = "--format", paramLabel = "FORMAT", description = "oci (a directory) or oci-archive (a tar file).")
        String format;

        @Option(names = "--ref", paramLabel = "REF",
                description = "The ref name recorded in index.json (default: NAME:TAG, e.g. busybox:latest).")
        String ref;

        @Override
        public Integer call() throws JboxException {
            boolean archive;
            if (format == null) {
                archive = dest.getFileName() != null && dest.getFileName().toString().endsWith(".tar");
            } else if (format.equals("oci") || format.equals("oci-archive")) {
                archive = format.equals("oci-archive");
            } else {
                throw new JboxException("invalid --format " + format + ": expected oci or oci-archive");
            }
            ImageExporter.Exported e = new ImageExporter().export(store(config()), name, request.resolve(dest), ref, archive);
            out().println("exported " + name + " to " + dest + " as " + e.ref() + " (" + e.manifestDigest() + ")");
            return 0;
        }
    }

    @Command(name = "ls", description = "List images.", mixinStandardHelpOptions = true)
    static final class Ls extends RequestCommand implements Callable<Integer> {
        @Override
        public Integer call() throws JboxException {
            out().printf("%-24s %-28s %s%n", "NAME", "CREATED", "COMMAND");
            for (ImageMeta m : store(config()).list()) {
                out().printf("%-24s %-28s %s%n", m.name(), m.created(), String.join(" ", m.cmd()));
            }
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove images.", mixinStandardHelpOptions = true)
    static final class Rm extends RequestCommand implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Override
        public Integer call() throws JboxException {
            ImageStore store = store(config());
            for (String n : names) {
                store.remove(n);
                out().println(n);
            }
            return 0;
        }
    }
}

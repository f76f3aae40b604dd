package jbox.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.image.ImageStore;
import jbox.runtime.Cleanup;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** `jbox system prune`: removes what dead or stopped containers left behind; `jbox system df`: disk use. */
@Command(name = "system", description = "System-wide housekeeping.", mixinStandardHelpOptions = true,
        subcommands = {SystemCommand.Prune.class, SystemCommand.Df.class})
public final class SystemCommand extends RequestCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(out()); // as --help shows it (HelpLayout)
    }

    /**
     * Like `docker system df -v`: per image its size, what of it is shared with other images and
     * what is its own; per layer its size and users; per container its writable layer.
     */
    @Command(name = "df", description = "Show disk use of images, layers and containers.", mixinStandardHelpOptions = true)
    static final class Df extends RequestCommand implements Callable<Integer> {
        @Override
        public Integer call() throws JboxException {
            Config config = config();
            ImageStore.Usage usage = ImageCommand.store(config).usage();
            var out = out();
            out.printf("%-32s %7s %12s %12s %12s%n", "IMAGE", "LAYERS", "SIZE", "SHARED", "UNIQUE");
            long total = 0;
            for (var i : usage.images()) {
                out.printf("%-32s %7d %12s %12s %12s%n", i.name(), i.layers(), size(i.size()), size(i.shared()),
                        size(i.unique()));
            }
            out.printf("%n%-20s %12s  %s%n", "LAYER", "SIZE", "IMAGES");
            for (var l : usage.layers()) {
                total += l.size();
                out.printf("%-20s %12s  %s%n", l.diffId().substring(7, 19), size(l.size()),
                        l.images().isEmpty() ? "(unused)" : String.join(", ", l.images()));
            }
            out.printf("%n%-20s %12s  %s%n", "CONTAINER", "SIZE", "IMAGE");
            StateStore states = StateStore.ofRun(config.stateRoot());
            for (var c : states.list()) {
                if (c.layerDir() == null) {
                    continue;
                }
                long size = ImageStore.treeSize(Path.of(c.layerDir()).resolve("upper"));
                out.printf("%-20s %12s  %s%n", c.shortId(), size(size), c.image());
            }
            out.printf("%nlayers in the store: %s%n", size(total));
            return 0;
        }

        private static String size(long bytes) {
            if (bytes < 1024) {
                return bytes + "B";
            }
            double v = bytes;
            String[] units = {"kB", "MB", "GB", "TB"};
            int u = -1;
            while (v >= 1000 && u < units.length - 1) {
                v /= 1000;
                u++;
            }
            return String.format(Locale.ROOT, "%.1f%s", v, units[Math.max(u, 0)]);
        }
    }

    @Command(name = "prune", description = "Remove stopped containers and leftovers of killed jbox processes.",
            mixinStandardHelpOptions = true)
    static final class Prune extends RequestCommand implements Callable<Integer> {
        @Override
        public Integer call() throws JboxException {
            Config config = config();
            var removed = new ArrayList<>(new Cleanup(config).prune());
            removed.addAll(OciCommands.lifecycle(request).pruneInterrupted());
            for (String r : removed) {
                out().println("removed " + r);
            }
            if (removed.isEmpty()) {
                out().println("nothing to remove");
            }
            return 0;
        }
    }
}

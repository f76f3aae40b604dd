package jbox.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.IoReason;
import jbox.network.PortLeases;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerCopy;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ContainerStart;
import jbox.runtime.ContainerStats;
import jbox.runtime.ContainerStop;
import jbox.runtime.LayerChanges;
import jbox.runtime.NameRegistry;
import jbox.runtime.ShimLocator;
import jbox.runtime.SpecFile;
import jbox.runtime.Timings;
import jbox.spec.ContainerSpec;
import jbox.spec.PortMapping;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import jbox.state.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A container's life after `run`, as docker users know it: start (OciCommands.Start serves both
 * CLIs, by which store holds the id), restart, cp, top, stats, rename, port, diff, export, pause
 * (OciVerbCommands.Pause serves both) and unpause.
 */
final class LifeCommands {
    private LifeCommands() {
    }

    /** The container of `jbox run` that {@code ref} names (id, prefix or name), or null when there is none. */
    static ContainerRecord findRun(Request r, String ref) throws JboxException {
        try {
            return StateStore.ofRun(r.config().stateRoot()).find(ref);
        } catch (JboxException e) {
            if (e.getMessage().startsWith("no such container")) {
                return null;
            }
            throw e;
        }
    }

    /** `jbox start [-a]` of a container of `jbox run`: detached prints its reference, as docker does. */
    static int start(Request r, ContainerRecord s, boolean attach) throws JboxException {
        Config config = r.config();
        Timings t = Main.timings(r);
        ContainerRunner runner = new ContainerRunner(ShimLocator.find(config), t, r.caller());
        if (attach) {
            r.signals().forward(runner::forwardSignal);
        }
        int code = new ContainerStart(config, t).start(s, attach, runner);
        if (!attach) {
            r.out().println(s.name() != null ? s.name() : s.id());
        }
        return code;
    }

    @Command(name = "restart", description = "Stop a container of jbox run (SIGTERM, then SIGKILL after a timeout) and start it again.",
            mixinStandardHelpOptions = true)
    static final class Restart extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before SIGKILL (default 10).")
        int seconds = 10;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> refs;

        @Override
        public Integer call() throws JboxException {
            Config config = config();
            StateStore states = StateStore.ofRun(config.stateRoot());
            return EachRef.run(request, refs, ref -> {
                ContainerRecord s = states.find(ref);
                if (states.isOwned(s.id())) {
                    new ContainerStop(states, new ContainerCgroups(config)).stopByUser(s.id(), seconds);
                }
                Timings t = Main.timings(request);
                new ContainerStart(config, t).start(states.find(s.id()), false,
                        new ContainerRunner(ShimLocator.find(config), t, request.caller()));
                out().println(ref);
            });
        }
    }

    /** A container of `jbox run` that runs now (its init the recorded process). */
    static ContainerRecord running(Request r, String ref) throws JboxException {
        return StateStore.ofRun(r.config().stateRoot()).findRunning(ref);
    }

    @Command(name = "cp", description = "Copy files between a running container and the host: CONTAINER:PATH HOSTPATH or HOSTPATH CONTAINER:PATH.",
            mixinStandardHelpOptions = true)
    static final class Cp extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SRC")
        String src;

        @Parameters(index = "1", paramLabel = "DEST")
        String dest;

        @Override
        public Integer call() throws JboxException {
            boolean out = containerSide(src);
            boolean in = containerSide(dest);
            if (out == in) {
                throw new JboxException("cp needs exactly one CONTAINER:PATH (got " + src + " and " + dest + ")");
            }
            String ref = (out ? src : dest).substring(0, (out ? src : dest).indexOf(':'));
            String path = (out ? src : dest).substring(ref.length() + 1);
            StateStore states = StateStore.ofRun(config().stateRoot());
            ContainerRecord s = states.find(ref);
            if (!states.isOwned(s.id()) || states.status(s) != Status.RUNNING) {
                throw new JboxException("container " + ref + " is not running: cp reaches a running container's files only (start it first)");
            }
            ContainerSpec spec = SpecFile.read(states.dir(s.id()));
            long[] ids = spec.linux() == null ? new long[] {0, 0} : spec.linux().rootIds();
            ContainerCopy copy = new ContainerCopy(ids[0], ids[1]);
            if (out) {
                copy.out(s.pid(), s.pidStartTime(), path, request.resolve(Path.of(dest)));
            } else {
                copy.in(s.pid(), s.pidStartTime(), request.resolve(Path.of(src)), path);
            }
            for (String skipped : copy.skipped()) {
                request.caller().warn("not copied (neither file, directory nor link): " + skipped);
            }
            return 0;
        }

        /** CONTAINER:PATH; a host path with a colon is written ./a:b, as with docker. */
        private static boolean containerSide(String arg) {
            int colon = arg.indexOf(':');
            return colon > 0 && !arg.substring(0, colon).contains("/");
        }
    }

    @Command(name = "top", description = "List a running container's processes.", mixinStandardHelpOptions = true)
    static final class Top extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String ref;

        @Override
        public Integer call() throws JboxException {
            ContainerRecord s = running(request, ref);
            List<ContainerStats.Proc> procs = new ContainerStats(new ContainerCgroups(config()))
                    .processes(s);
            out().printf("%-8s %-8s %-8s %-9s %s%n", "PID", "PPID", "UID", "TIME", "CMD");
            for (ContainerStats.Proc p : procs) {
                out().printf("%-8d %-8d %-8d %-9s %s%n", p.pid(), p.ppid(), p.uid(),
                        String.format("%02d:%02d:%02d", p.cpuSeconds() / 3600, p.cpuSeconds() / 60 % 60, p.cpuSeconds() % 60),
                        p.command());
            }
            return 0;
        }
    }

    @Command(name = "stats", description = "Show running containers' cgroup figures: CPU %, memory, pids.", mixinStandardHelpOptions = true)
    static final class Stats extends RequestCommand implements Callable<Integer> {
        @Option(names = "--no-stream", description = "Print one reading and exit.")
        boolean noStream;

        @Option(names = "--interval", paramLabel = "MS", hidden = true, description = "Milliseconds between readings (default 1000).")
        long interval = 1000;

        @Parameters(arity = "0..*", paramLabel = "CONTAINER", description = "Default: every running container of jbox run.")
        List<String> refs;

        @Override
        public Integer call() throws JboxException {
            StateStore states = StateStore.ofRun(config().stateRoot());
            List<ContainerRecord> list = new ArrayList<>();
            if (refs == null || refs.isEmpty()) {
                for (ContainerRecord s : states.list()) {
                    if (s.image() != null && s.cgroup() != null && states.isOwned(s.id())
                            && states.status(s) == Status.RUNNING) {
                        list.add(s);
                    }
                }
            } else {
                for (String ref : refs) {
                    list.add(states.findRunning(ref));
                }
            }
            ContainerStats stats = new ContainerStats(new ContainerCgroups(config()));
            Map<String, ContainerStats.Sample> last = new HashMap<>();
            for (ContainerRecord s : list) {
                last.put(s.id(), stats.sample(s));
            }
            for (;;) {
                try {
                    Thread.sleep(noStream ? Math.min(interval, 500) : interval); // CPU % needs two readings
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
                out().printf("%-14s %-20s %-8s %-22s %-8s %s%n", "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS");
                for (ContainerRecord s : list) {
                    ContainerStats.Sample now;
                    try {
                        now = stats.sample(s);
                    } catch (JboxException gone) {
                        continue; // it exited meanwhile
                    }
                    ContainerStats.Sample before = last.put(s.id(), now);
                    out().printf("%-14s %-20s %-8s %-22s %-8s %d%n", s.shortId(), s.name() == null ? "" : s.name(),
                            String.format("%.2f%%", ContainerStats.cpuPercent(before, now)),
                            bytes(now.memoryBytes()) + " / " + bytes(now.memoryLimit()),
                            String.format("%.2f%%", 100.0 * now.memoryBytes() / Math.max(1, now.memoryLimit())), now.pids());
                }
                out().flush();
                if (noStream) {
                    return 0;
                }
            }
        }

        static String bytes(long b) {
            String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
            double v = b;
            int u = 0;
            while (v >= 1024 && u < units.length - 1) {
                v /= 1024;
                u++;
            }
            return u == 0 ? b + "B" : String.format("%.2f%s", v, units[u]);
        }
    }

    @Command(name = "rename", description = "Rename a container of jbox run.", mixinStandardHelpOptions = true)
    static final class Rename extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String ref;

        @Parameters(index = "1", paramLabel = "NEW_NAME")
        String name;

        @Override
        public Integer call() throws JboxException {
            NameRegistry.rename(StateStore.ofRun(config().stateRoot()), ref, name);
            return 0;
        }
    }

    @Command(name = "port", description = "List a running container's published ports.", mixinStandardHelpOptions = true)
    static final class Port extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String ref;

        @Parameters(index = "1", arity = "0..1", paramLabel = "PORT[/PROTO]", description = "Only this container port.")
        String only;

        @Override
        public Integer call() throws JboxException {
            StateStore states = StateStore.ofRun(config().stateRoot());
            ContainerRecord s = states.find(ref);
            for (PortMapping p : PortLeases.of(config().stateRoot()).of(s.id())) {
                String key = p.containerPort() + "/" + p.protocol();
                if (only == null || only.equals(key) || only.equals(Integer.toString(p.containerPort())) && p.protocol().equals("tcp")) {
                    out().println((only == null ? key + " -> " : "") + (p.hostIp() == null ? "0.0.0.0" : p.hostIp()) + ":" + p.hostPort());
                }
            }
            return 0;
        }
    }

    @Command(name = "diff", description = "List the changes in a container's filesystem: A added, C changed, D deleted.",
            mixinStandardHelpOptions = true)
    static final class Diff extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String ref;

        @Override
        public Integer call() throws JboxException {
            StateStore states = StateStore.ofRun(config().stateRoot());
            ContainerRecord s = states.find(ref);
            new LayerChanges(SpecFile.read(states.dir(s.id()))).diff(out()::println);
            return 0;
        }
    }

    @Command(name = "export", description = "Write a container's filesystem as a tar archive (without its mounts).",
            mixinStandardHelpOptions = true)
    static final class Export extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
        Path output;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String ref;

        @Override
        public Integer call() throws JboxException {
            StateStore states = StateStore.ofRun(config().stateRoot());
            ContainerRecord s = states.find(ref);
            LayerChanges layers = new LayerChanges(SpecFile.read(states.dir(s.id())));
            if (output == null) {
                layers.export(out());
                out().flush();
                return 0;
            }
            Path file = request.resolve(output);
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                layers.export(o);
            } catch (IOException e) {
                throw new JboxException("cannot write " + file + ": " + IoReason.of(e), e);
            }
            return 0;
        }
    }

    /** `jbox pause`/`unpause` of a container of `jbox run`: its cgroup's freezer. */
    static void freeze(Request r, ContainerRecord s, boolean frozen) throws JboxException {
        Config config = r.config();
        StateStore states = StateStore.ofRun(config.stateRoot());
        ContainerCgroups cgroups = new ContainerCgroups(config);
        Status status = new ContainerStop(states, cgroups).status(s);
        if (frozen && status != Status.RUNNING) {
            throw new JboxException("cannot pause container " + s.shortId() + ": it is " + status.word() + ", not running");
        }
        if (!frozen && status != Status.PAUSED) {
            throw new JboxException("cannot unpause container " + s.shortId() + ": it is " + status.word() + ", not paused");
        }
        if (s.cgroup() == null) {
            throw new JboxException("container " + s.shortId() + " has no cgroup to freeze (a foreground run gets one only with a limit)");
        }
        cgroups.freeze(s, frozen);
    }

    @Command(name = "unpause", description = "Thaw a paused container.", mixinStandardHelpOptions = true)
    static final class Unpause extends RequestCommand implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> refs;

        @Override
        public Integer call() throws JboxException {
            for (String ref : refs) {
                if (OciCommands.isOci(request, ref)) {
                    OciCommands.lifecycle(request).resume(ref);
                } else {
                    freeze(request, StateStore.ofRun(config().stateRoot()).find(ref), false);
                }
                out().println(ref);
            }
            return 0;
        }
    }
}

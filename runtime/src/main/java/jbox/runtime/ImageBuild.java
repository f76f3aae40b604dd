// `jbox build`: a Containerfile's steps as `jbox run` + `jbox commit`, in this process.
package jbox.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.config.Config;
import jbox.config.HostRoots;
import jbox.image.BuildLayer;
import jbox.image.Containerfile;
import jbox.image.Containerfile.Instruction;
import jbox.image.ImageCommit;
import jbox.image.ImageMeta;
import jbox.image.ImageName;
import jbox.image.ImageStore;
import jbox.rootfs.ContainerPath;
import jbox.spec.RunOptions;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;

/**
 * Builds an image the way docker's builder does, on jbox's own pieces: RUN is a `jbox run` of the
 * image so far (the build's ENV, WORKDIR and USER, no entrypoint, network none) whose writable
 * layer is committed ({@link ImageCommit}); COPY and a missing WORKDIR are a layer written from the
 * host ({@link BuildLayer}); ENV, USER, ENTRYPOINT and CMD change the run defaults only. Each
 * layer is an intermediate image named {@code jbox-build-HEX-STEP}; the last one's layers, with
 * the final run defaults, become the result ({@link ImageCommit#configure}). Every container and
 * intermediate image goes when the build ends, failed or not: what stays is the result only.
 */
public final class ImageBuild {
    private final Config config;
    private final Caller caller;
    private final Timings timings;
    private volatile ContainerRunner current;
    /** The SIGINT, SIGTERM or SIGHUP that cancelled the build; 0 while none came. */
    private volatile int cancelled;

    public ImageBuild(Config config, Caller caller, Timings timings) {
        this.config = config;
        this.caller = caller;
        this.timings = timings;
    }

    /**
     * A signal of the caller's. SIGINT, SIGTERM and SIGHUP cancel the build as they cancel
     * docker's: a RUN step's container is killed (its shell, PID 1, would ignore them) and the
     * build stops after that step, cleaning up as for a failure. Others go to the RUN's container.
     */
    public void forwardSignal(int signal) {
        boolean cancel = signal == 1 || signal == 2 || signal == 15;
        if (cancel) {
            cancelled = signal;
        }
        ContainerRunner r = current;
        if (r != null) {
            r.forwardSignal(cancel ? 9 : signal);
        }
    }

    private void checkCancelled(String step) throws JboxException {
        int signal = cancelled;
        if (signal != 0) {
            throw new JboxException("build cancelled by signal " + signal + " at step " + step, 128 + signal, null);
        }
    }

    /** The run defaults as they stand after each step. */
    private static final class Defaults {
        final List<String> env;
        String workdir;
        String user;
        List<String> entrypoint;
        List<String> cmd;
        boolean cmdSet;

        Defaults(ImageMeta base) {
            env = new ArrayList<>(base.env());
            workdir = base.workingDir();
            user = base.user();
            entrypoint = base.entrypoint();
            cmd = base.cmd();
        }

        ImageCommit.Defaults toImage() {
            return new ImageCommit.Defaults(cmd, entrypoint, List.copyOf(env), workdir, user);
        }

        /** ENV's variables as the next instruction sees them. */
        Map<String, String> vars() {
            Map<String, String> out = new HashMap<>();
            for (String e : env) {
                int eq = e.indexOf('=');
                out.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
            }
            return out;
        }

        void setEnv(String entry) {
            String key = entry.substring(0, entry.indexOf('=') + 1);
            env.removeIf(e -> e.startsWith(key) || e.equals(key.substring(0, key.length() - 1)));
            env.add(entry);
        }

        /** A path as the container would take it here: relative ones start at WORKDIR. */
        String absolute(String path) {
            if (path.startsWith("/")) {
                return path;
            }
            return (workdir.isEmpty() ? "" : workdir.endsWith("/") ? workdir.substring(0, workdir.length() - 1) : workdir)
                    + "/" + path;
        }
    }

    /** Builds {@code file} with {@code context} as COPY's root; returns the image stored as {@code name}. */
    public ImageMeta build(Containerfile file, Path context, String name) throws JboxException {
        ImageName.parse(name); // a bad name fails before anything runs
        ImageStore store = new ImageStore(HostRoots.images(config));
        List<Instruction> steps = file.instructions();
        int count = steps.size();
        Instruction from = steps.get(0);
        caller.out().println("STEP 1/" + count + ": " + from.text());
        ImageMeta image = store.get(from.args().get(0));
        Defaults d = new Defaults(image);
        String prefix = "jbox-build-" + ContainerLauncher.newId().substring(0, 12);
        List<String> made = new ArrayList<>();
        JboxException failed = null;
        try {
            for (int i = 1; i < count; i++) {
                Instruction in = steps.get(i);
                String step = (i + 1) + "/" + count;
                checkCancelled(step);
                caller.out().println("STEP " + step + ": " + in.text());
                String layer = prefix + "-" + (i + 1);
                switch (in.kind()) {
                    case ENV -> in.expanded(d.vars()).forEach(d::setEnv);
                    case USER -> d.user = in.expanded(d.vars()).get(0);
                    case ENTRYPOINT -> {
                        d.entrypoint = in.args();
                        if (!d.cmdSet) {
                            d.cmd = List.of(); // docker: the base image's CMD does not outlive a new ENTRYPOINT
                        }
                    }
                    case CMD -> {
                        d.cmd = in.args();
                        d.cmdSet = true;
                    }
                    case WORKDIR -> {
                        d.workdir = ContainerPath.of(d.absolute(in.expanded(d.vars()).get(0))).toString();
                        try (BuildLayer l = BuildLayer.on(store, image)) {
                            l.mkdirs(d.workdir);
                            if (l.changed()) {
                                made.add(layer);
                                image = l.commit(layer, in.text(), d.toImage());
                            }
                        }
                    }
                    case COPY -> {
                        List<String> args = in.expanded(d.vars());
                        String dest = d.absolute(args.get(args.size() - 1));
                        try (BuildLayer l = BuildLayer.on(store, image)) {
                            l.copy(context, args.subList(0, args.size() - 1), dest);
                            made.add(layer);
                            image = l.commit(layer, in.text(), d.toImage());
                        }
                    }
                    case RUN -> {
                        made.add(layer);
                        image = run(store, image, d, in, step, layer);
                    }
                    case FROM -> throw new JboxException("build step " + step + ": a second FROM"); // the parser refuses it
                }
            }
            checkCancelled(count + "/" + count);
            caller.out().println("COMMIT " + name);
            return new ImageCommit().configure(store, image, name, "jbox build", d.toImage());
        } catch (JboxException e) {
            failed = e;
            throw e;
        } finally {
            for (String m : made) {
                try {
                    if (store.exists(m)) {
                        store.remove(m);
                    }
                } catch (JboxException e) {
                    if (failed != null) {
                        failed.addSuppressed(e);
                    } else {
                        caller.warn("cannot remove intermediate image " + m + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /** RUN: the command in a container of {@code image}; its writable layer becomes image {@code layer}. */
    private ImageMeta run(ImageStore store, ImageMeta image, Defaults d, Instruction in, String step, String layer)
            throws JboxException {
        RunOptions.Habits habits = new RunOptions.Habits("", List.of(), List.of(), List.of(), List.of(), null,
                List.of(), false, false);
        RunOptions o = new RunOptions(image.name(), in.args(), layer, null, List.copyOf(d.env),
                d.workdir.isEmpty() ? null : d.workdir, d.user.isEmpty() ? null : d.user, "none", null, false,
                RunOptions.Sandboxing.NONE, null, false, false, false, List.of(), habits);
        StateStore states = StateStore.ofRun(HostRoots.stateRoot(config));
        ContainerRunner runner = new ContainerRunner(ShimLocator.find(config), timings, caller);
        current = runner;
        if (cancelled != 0) {
            runner.forwardSignal(9); // came before the runner was there to take it: delivered once the container is
        }
        ImageMeta committed;
        try {
            String where = "build step " + step + " (line " + in.line() + "): ";
            int code;
            try {
                code = new ContainerLauncher(config, timings).run(o, runner);
            } catch (JboxException e) { // jbox run's own status (125, or 126/127 for the command's exec)
                throw new JboxException(where + e.getMessage(), e.exitCode(), e);
            }
            checkCancelled(step); // its container was killed for it
            if (code != 0) { // docker's words, and its status: the build failed
                throw new JboxException(where + "the command '" + String.join(" ", in.args())
                        + "' returned a non-zero code: " + code, 1, null);
            }
            ContainerRecord ran = states.find(layer);
            Path upper = Path.of(ran.layerDir()).resolve("upper");
            committed = new ImageCommit().commit(store, image, upper, layer, in.text(), d.toImage());
        } catch (JboxException e) {
            current = null;
            try {
                removeContainer(states, layer);
            } catch (JboxException also) {
                e.addSuppressed(also);
            }
            throw e;
        }
        current = null;
        removeContainer(states, layer);
        return committed;
    }

    /** The RUN step's container, stopped by now: its state and writable layer, as `jbox rm` removes them. */
    private void removeContainer(StateStore states, String name) throws JboxException {
        for (ContainerRecord r : states.list()) {
            if (name.equals(r.name())) {
                new ContainerFiles(config.containersDir().resolve(r.id()), states.dir(r.id())).remove();
            }
        }
    }
}

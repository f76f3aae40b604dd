package jbox.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.cgroup.CgroupUsage;
import jbox.cgroup.ContainerCgroup;
import jbox.config.Config;
import jbox.config.HostRoots;
import jbox.image.ImageMeta;
import jbox.image.ImageStore;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.network.BridgeSettings;
import jbox.network.ContainerNetwork;
import jbox.network.UserNetworks;
import jbox.process.Plan;
import jbox.process.PlanBuilder;
import jbox.spec.ContainerSpec;
import jbox.spec.Durations;
import jbox.spec.NetworkMode;
import jbox.spec.RunOptions;
import jbox.spec.SecurityDefaults;
import jbox.spec.SpecBuilder;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import jbox.state.Status;

/**
 * `jbox run` from options to exit code: resolve the image, give the container an id, its state
 * directory (locked) and its writable layer, build the spec and the plan, run it, and remove
 * what it leaves when it goes (all of it with --rm; the layer stays for a stopped container
 * otherwise, until `jbox rm` or `jbox system prune`).
 */
public final class ContainerLauncher {
    private final Config config;
    private final Timings timings;
    private RestartPolicy restart;

    public ContainerLauncher(Config config, Timings timings) {
        this.config = config;
        this.timings = timings;
    }

    /** Builds the spec only (for --dry-run): nothing is created on disk. */
    public ContainerSpec specOnly(RunOptions o) throws JboxException {
        String id = newId();
        ContainerFiles files = files(id);
        ImageStore images = new ImageStore(config.imagesDir());
        ImageMeta image = images.get(imageName(o));
        RunOptions resolved = new Volumes(config).resolve(o, idRange(o), images.layers(image), true);
        return SpecBuilder.build(resolved, inputs(o, id, files, images, image, idRange(o)));
    }

    public int run(RunOptions o, ContainerRunner runner) throws JboxException {
        if (o.report() != null) {
            RunReport.checkWritable(Path.of(o.report())); // before the run, not after it
        }
        ImageStore images = new ImageStore(HostRoots.images(config));
        ImageMeta image = images.get(imageName(o));
        timings.mark("image_resolve");

        StateStore states = StateStore.ofRun(HostRoots.stateRoot(config));
        HostRoots.containers(config);
        String id = newId();
        NameRegistry.Claim claim = NameRegistry.claim(states, o.name(), id);
        LockFile lock = claim.lock();
        String name = claim.name(); // --name, or a generated one
        timings.mark("new_id_and_state_dir");
        ContainerFiles files = files(id);
        SpecFile.Pending recording = null;
        boolean keep = false;
        boolean exited = false; // it ran and ended: its layer may go after the reply
        try {
            if (!o.detach()) {
                // The shim's start (on another CPU) overlaps everything up to its connection in
                // launch. (A detached one's log goes into the layer, made next: it starts in launch.)
                runner.startShimEarly(states.dir(id), null, o.tty());
            }
            SpecBuilder.IdRange ids = idRange(o);
            files.createLayer(ids == null ? 0 : ids.uidBase(), ids == null ? 0 : ids.gidBase());
            timings.mark("writable_layer");
            // Named volumes and :U: made, filled or chowned on the host before the spec names their paths.
            RunOptions resolved = new Volumes(config).resolve(o, ids, images.layers(image), false);
            ContainerSpec spec = SpecBuilder.build(resolved, inputs(o, id, files, images, image, ids));
            timings.mark("spec_build");
            // What exec builds its process from: written meanwhile, there before the container runs.
            SpecFile.Pending recorded = SpecFile.writeAsync(states.dir(id), spec);
            recording = recorded;
            ContainerRecord state = ContainerRecord.ofImage(id, name, image.name(), Instant.now().toString(), o.remove(),
                    files.layerDir().toString());
            if (!o.habits().labels().isEmpty()) {
                state = state.withSpecParts(labels(o.habits().labels()), null); // a jbox run record's annotations are its labels
            }
            RunReport report = o.report() == null ? null : new RunReport(Path.of(o.report()), id, name, image.name());
            if (o.detach() && (o.report() != null || timeoutMillis(o) > 0)) {
                throw new JboxException("--report and --timeout need jbox to wait: they do not work with --detach yet");
            }
            if (restart != null) {
                restart.check(o.detach(), o.remove());
                restart.write(states.dir(id));
            }
            Integer code = launch(states, id, spec, state, Arrays.asList(name, id.substring(0, 12)), o.detach(), report,
                    timeoutMillis(o), recorded, timeoutFlag(o), runner);
            keep = code == null || !o.remove();
            exited = code != null;
            if (code == null) {
                runner.caller().out().println(id);
            }
            return code == null ? 0 : code;
        } finally {
            SpecFile.Pending pending = recording;
            boolean remove = !keep;
            boolean later = exited;
            runner.dropEarlyShim(); // the start failed before launch: the shim started for it goes
            uninterrupted(() -> {
                try {
                    if (pending != null) {
                        pending.awaitQuietly(); // nothing may write into the directory once it goes
                    }
                    if (remove && later) {
                        files.removeAfterReply(runner.caller());
                    } else if (remove) {
                        files.remove(); // a failed start: nothing is left when the caller hears of it
                    }
                } finally {
                    lock.close();
                    timings.mark("cleanup");
                }
            });
        }
    }

    private interface CleanUp {
        void run() throws JboxException;
    }

    /**
     * Runs clean-up with the thread's interrupt cleared, and sets it again after for whoever looks
     * next. The engine interrupts a call whose front end was killed (to wake it from its waits), and
     * the call then cleans up: interrupted, that failed at its first FileChannel (the address
     * lease's lock file: the JDK closes an interruptible channel used on an interrupted thread) and
     * left the lease and the namespace name for `system prune` (EngineIT).
     */
    private static void uninterrupted(CleanUp cleanUp) throws JboxException {
        boolean interrupted = Thread.interrupted();
        try {
            cleanUp.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** --restart for the next {@link #run} (null: none, docker's "no"). */
    public ContainerLauncher withRestart(RestartPolicy policy) {
        this.restart = policy;
        return this;
    }

    /**
     * `jbox start`: the same container (id, name, layer, recorded spec) runs its command again,
     * detached (its shim the monitor, output appended to its log) or, with {@code attach}, in the
     * foreground of this jbox. The caller holds the owner lock and has checked that nothing runs
     * it now. Its network (a fresh lease, the same published ports), its cgroup and its /etc files
     * are made anew as for `run`; a failure leaves the container stopped, never removed.
     */
    public int start(ContainerRecord s, boolean attach, ContainerRunner runner) throws JboxException {
        StateStore states = StateStore.ofRun(HostRoots.stateRoot(config));
        ContainerSpec spec = SpecFile.read(states.dir(s.id()));
        NetworkMode mode = NetworkMode.of(spec);
        if (mode.kind() == NetworkMode.Kind.CONTAINER) {
            spec = withNetns(spec, containerNetns(mode.target())); // that container's init may be another now
        }
        try {
            Files.deleteIfExists(states.dir(s.id()).resolve(ContainerRunner.EXIT_RECORD)); // the last run's
        } catch (IOException e) {
            throw new JboxException("cannot remove the last exit record of " + s.shortId() + ": " + IoReason.of(e), e);
        }
        ContainerRecord state = s.withCgroup(null, 0, Map.of()); // the last one went with the last run
        Integer code = launch(states, s.id(), spec, state, Arrays.asList(s.name(), s.shortId()), !attach, null, 0, null,
                null, runner);
        if (code != null && s.autoRemove()) {
            files(s.id()).remove();
        }
        return code == null ? 0 : code;
    }

    /**
     * The part of `run` that `start` repeats: network, /etc files, plan, cgroup, the shim; then,
     * unless detached, the exit recorded (or nothing for --rm: the caller removes the files) and
     * network and cgroup released. Returns the exit code, or null once a detached container runs.
     * {@code timeoutFlag}: --timeout as typed, for the line that says why a run was stopped (run only).
     */
    private Integer launch(StateStore states, String id, ContainerSpec spec, ContainerRecord state, List<String> names,
            boolean detached, RunReport report, long timeoutMillis, SpecFile.Pending recorded, String timeoutFlag,
            ContainerRunner runner) throws JboxException {
        ContainerFiles files = files(id);
        ContainerCgroup[] cgroup = new ContainerCgroup[1]; // made while the kernel clones (planned, below)
        ContainerNetwork network = null;
        boolean running = false;
        try {
            // First (unless run started it before): the shim's start overlaps everything below until
            // the runner connects to it.
            runner.startShimEarly(states.dir(id), detached ? files.log() : null, spec.process().terminal() && !detached);
            NetworkMode mode = NetworkMode.of(spec);
            boolean bridged = mode.kind() == NetworkMode.Kind.BRIDGE;
            network = ContainerNetwork.of(spec, id, bridged ? bridge(mode) : null,
                    bridged ? other -> other.equals(id) || Cleanup.live(states, other) : null);
            network.prepare(); // the bridge and an address: /etc/hosts needs it
            timings.mark("network_prepare");
            EtcFiles.write(states.dir(id), spec.hostname(), mode.annotation(), network.address(),
                    names, list(config.get("dns.servers")), list(config.get("dns.fallback")),
                    annotationList(spec, ContainerSpec.ANNOTATION_ADD_HOSTS), annotationList(spec, ContainerSpec.ANNOTATION_DNS));
            network.joinHosts(); // a jbox network: the others' names here, this one's name there
            timings.mark("etc_files");
            ContainerRunner.PlanSource planned = () -> { // while the kernel clones the init
                Plan plan = PlanBuilder.build(spec);
                timings.mark("plan_build");
                // A detached container always gets a cgroup: pause, stats and top work from it.
                cgroup[0] = new ContainerCgroups(config).create(id, spec, detached, runner.caller().shims().callerPid());
                timings.mark("cgroup");
                return plan;
            };
            ContainerNetwork net = network;
            ContainerRunner.Outcome outcome;
            ContainerRunner.Detach detach = detached ? new ContainerRunner.Detach(files.log(),
                    List.of(launcher(), "internal-finish", id)) : null;
            String cpuTime = spec.annotations() == null ? null : spec.annotations().get(ContainerSpec.ANNOTATION_CPU_TIME);
            if (detach != null && cpuTime != null) {
                // Only a waiting jbox reads the cgroup; RLIMIT_CPU alone would be per process.
                throw new JboxException("--cpu-time needs jbox to wait: it does not work with --detach yet");
            }
            long cpuPoll = cpuTime == null ? 0 : Durations.millis("cpu_time.poll", config.get("cpu_time.poll"));
            CpuTimeWatch[] cpuWatch = new CpuTimeWatch[1];
            try {
                outcome = runner.run(spec, planned, states.dir(id), timeoutMillis, graceMillis(), detach,
                        new ContainerRunner.StartListener() {
                    @Override
                    public void started(long pid, long shimPid) throws JboxException {
                        if (recorded != null) {
                            recorded.await();
                        }
                        timings.mark("config_json_wait");
                        // Recorded before the plan runs, so clean-up can always find this container.
                        // The init waits for its plan here, so it is alive and its start time is its own.
                        states.write(ContainerCgroups.recorded(state.withRunning(pid, ProcessStart.of(pid), shimPid,
                                ProcessStart.of(shimPid)), cgroup[0]));
                        if (cgroup[0] != null) {
                            cgroup[0].add(pid); // before the plan, whose first steps unshare the cgroup namespace
                        }
                        timings.mark("state_and_cgroup");
                        net.attach(pid); // eth0 is configured before the workload starts
                        timings.mark("network_attach");
                    }

                    @Override
                    public void running() throws JboxException {
                        if (cpuTime != null) {
                            cpuWatch[0] = CpuTimeWatch.start(cgroup[0], Long.parseLong(cpuTime), cpuPoll, runner);
                        }
                    }
                }, files.stdioLog()); // foreground or detached, `jbox logs` reads it
            } catch (JboxException e) {
                if (report != null) {
                    report.failed(e, runner.setupFailure());
                }
                throw e;
            } finally {
                if (cpuWatch[0] != null) {
                    cpuWatch[0].stop();
                }
            }
            if (outcome == null) { // detached: the shim runs `jbox internal-finish` when it is over
                running = true;
                return null;
            }
            int code = outcome.exitCode();
            timings.mark("container_exited"); // the workload ran, exited, and the shim reported it
            boolean cpuLimit = cpuWatch[0] != null && cpuWatch[0].reached();
            CgroupUsage usage = cgroup[0] == null ? null : cgroup[0].usage();
            if (report != null) {
                report.ended(outcome, spec, usage, cpuLimit);
            }
            String why = RunReport.stopNote(outcome, spec, usage, cpuLimit, timeoutFlag, cpuTime);
            if (why != null) {
                runner.caller().err().println("jbox: " + why); // without --report too: a killed run must not look like a crash
            }
            if (!state.autoRemove()) {
                ContainerRecord last = states.read(id); // as recorded when it started: this run's pids
                states.write((last != null ? last : state).withExited(code, Instant.now().toString()));
            }
            return code;
        } finally {
            runner.dropEarlyShim(); // started early and not used: the start failed before the shim's turn
            if (!running) { // a detached container lives on: `internal-finish` releases all this later
                ContainerNetwork net = network;
                ContainerCgroup group = cgroup[0];
                uninterrupted(() -> {
                    // The veth's removal runs while the cgroup goes; its lease is released once it is gone.
                    ContainerNetwork.Teardown teardown = net == null ? null : net.startTeardown();
                    try {
                        if (recorded != null) {
                            recorded.awaitQuietly(); // nothing may write into the directory once it goes
                        }
                        if (group != null) {
                            group.remove();
                        }
                    } finally {
                        if (teardown != null) {
                            teardown.await();
                        }
                    }
                });
            }
        }
    }

    /** A comma-separated annotation of the recorded spec (--add-host, --dns) as a list; empty when absent. */
    private static List<String> annotationList(ContainerSpec spec, String key) {
        String v = spec.annotations() == null ? null : spec.annotations().get(key);
        return v == null || v.isEmpty() ? List.of() : List.of(v.split(","));
    }

    /** The spec with its network namespace joined at {@code path} (--net container: on a new start). */
    private static ContainerSpec withNetns(ContainerSpec spec, String path) {
        List<ContainerSpec.Namespace> ns = new ArrayList<>();
        for (ContainerSpec.Namespace n : spec.linux().namespaces()) {
            ns.add(n.type().equals("network") ? new ContainerSpec.Namespace("network", path) : n);
        }
        ContainerSpec.Linux l = spec.linux();
        return new ContainerSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), spec.mounts(),
                new ContainerSpec.Linux(ns, l.uidMappings(), l.gidMappings(), l.resources(), l.cgroupsPath(), l.seccomp(),
                        l.maskedPaths(), l.readonlyPaths(), l.rootfsPropagation(), l.sysctl(), l.devices()),
                spec.annotations(), spec.hooks());
    }

    /**
     * The cold path beside the jar (jbox-jvm), for the shim to run when a detached container ends:
     * `internal-finish` runs in the process that holds the monitor's lock (the shim execs it), so it
     * must not go through the native front end to an engine, which would see that lock held by another.
     */
    private static String launcher() throws JboxException {
        String home = System.getProperty("jbox.home");
        if (home == null) {
            throw new JboxException("--detach needs jbox started by its launcher (jbox.home is not set)");
        }
        return Path.of(home, "jbox-jvm").toString();
    }

    private long timeoutMillis(RunOptions o) throws JboxException {
        String t = timeoutFlag(o);
        return t == null ? 0 : Durations.millis("--timeout", t);
    }

    /** --timeout as given, or the sandbox's; null for none. */
    private String timeoutFlag(RunOptions o) throws JboxException {
        RunOptions.Sandboxing sb = o.sandboxing();
        return sb.timeout() != null ? sb.timeout() : sb.sandbox() ? config.get("sandbox.timeout") : null;
    }

    /** -l KEY=VALUE flags as a map, in their order (a later KEY wins). */
    static Map<String, String> labels(List<String> flags) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : flags) {
            int eq = l.indexOf('=');
            out.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        return out;
    }

    private long graceMillis() throws JboxException {
        return Durations.millis("timeout.grace", config.get("timeout.grace"));
    }

    private String imageName(RunOptions o) throws JboxException {
        return o.image() != null ? o.image() : config.get("image.default");
    }

    private SpecBuilder.Inputs inputs(RunOptions o, String id, ContainerFiles files, ImageStore images, ImageMeta image,
            SpecBuilder.IdRange ids) throws JboxException {
        if (ids != null && (image.uidBase() != ids.uidBase() || image.gidBase() != ids.gidBase())) {
            throw new JboxException("image " + image.name() + " is owned by host ids " + image.uidBase() + ":" + image.gidBase()
                    + " but the user namespace maps root to " + ids.uidBase() + ":" + ids.gidBase() + "; re-import the image");
        }
        // overlayfs's lowerdir: the image's layers, top first (one directory for an image of the older format).
        StringBuilder lower = new StringBuilder();
        for (Path dir : images.lowerDirs(image)) {
            lower.append(lower.length() == 0 ? "" : ":").append(dir);
        }
        return new SpecBuilder.Inputs(id, image, lower.toString(),
                files.upper().toString(), files.work().toString(), files.layerDir().toString(),
                StateStore.ofRun(config.stateRoot()).dir(id).toString(), ids,
                new SpecBuilder.NetworkInputs(config.get("net.default"), config.get("net.bridge.name"),
                        config.get("net.bridge.subnet"), ref -> containerNetns(ref), name -> {
                            BridgeSettings b = bridge(NetworkMode.parse(name));
                            return List.of(b.name(), b.subnet().toString());
                        }),
                securityDefaults(), config.get("cgroup.parent"));
    }

    /** The bridge of bridge mode: the default one, or a user network's (read only when one is asked for). */
    private BridgeSettings bridge(NetworkMode mode) throws JboxException {
        BridgeSettings defaults = BridgeSettings.from(config);
        if (!mode.userNetwork()) {
            return defaults;
        }
        UserNetworks networks = new UserNetworks(config.dataRoot(), defaults);
        return networks.settings(networks.get(mode.target()));
    }

    /**
     * For --net container:REF: the network namespace of a running container. Its init is the
     * child of its live shim; a pid reused after the init died would have another parent.
     */
    private String containerNetns(String ref) throws JboxException {
        StateStore states = StateStore.ofRun(config.stateRoot());
        ContainerRecord s = states.find(ref);
        if (states.status(s) != Status.RUNNING || !states.isOwned(s.id())
                || !ProcessStart.alive(s.shimPid(), s.shimStartTime()) || ProcessStart.parent(s.pid()) != s.shimPid()) {
            throw new JboxException("cannot join the network of container " + ref + ": it is not running");
        }
        return "/proc/" + s.pid() + "/ns/net";
    }

    private SecurityDefaults securityDefaults() throws JboxException {
        return new SecurityDefaults(list(config.get("security.capabilities")), list(config.get("security.masked_paths")),
                list(config.get("security.readonly_paths")),
                new SecurityDefaults.Sandbox(config.get("sandbox.memory"), config.get("sandbox.pids_limit"),
                        config.get("sandbox.cpus"), config.get("sandbox.file_size"), config.get("sandbox.open_files"),
                        config.get("sandbox.cpu_time"), config.get("sandbox.tmp_size")));
    }

    private SpecBuilder.IdRange idRange(RunOptions o) throws JboxException {
        boolean userns = config.getBoolean("userns.enabled");
        if (o.userns() != null) {
            if (!o.userns().equals("host") && !o.userns().equals("private")) {
                throw new JboxException("invalid --userns " + o.userns() + " (use host or private)");
            }
            userns = o.userns().equals("private");
        }
        if (!userns) {
            return null;
        }
        return new SpecBuilder.IdRange(config.getLong("userns.uid.base"), config.getLong("userns.gid.base"),
                config.getLong("userns.size"));
    }

    private ContainerFiles files(String id) throws JboxException {
        return new ContainerFiles(config.containersDir().resolve(id), config.stateRoot().resolve(id));
    }

    /** 256 random bits as 64 hex digits, like docker's ids. Read straight from the kernel's CSPRNG:
     * SecureRandom's provider set-up costs ~5 ms on the start path. */
    static String newId() throws JboxException {
        byte[] b = new byte[32];
        try (InputStream in = Files.newInputStream(Path.of("/dev/urandom"))) {
            if (in.readNBytes(b, 0, b.length) != b.length) {
                throw new JboxException("short read from /dev/urandom");
            }
        } catch (IOException e) {
            throw new JboxException("cannot read /dev/urandom for a container id: " + IoReason.of(e), e);
        }
        return HexFormat.of().formatHex(b);
    }

    private static List<String> list(String csv) {
        return csv.isEmpty() ? List.of() : Arrays.asList(csv.split("\\s*,\\s*"));
    }
}

package jbox.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import jbox.JboxException;
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

    public ContainerLauncher(Config config, Timings timings) {
        this.config = config;
        this.timings = timings;
    }

    /** Builds the spec only (for --dry-run): nothing is created on disk. */
    public ContainerSpec specOnly(RunOptions o) throws JboxException {
        String id = newId();
        ContainerFiles files = files(id);
        ImageStore images = new ImageStore(config.imagesDir());
        return SpecBuilder.build(o, inputs(o, id, files, images, images.get(imageName(o)), idRange(o)));
    }

    public int run(RunOptions o, ContainerRunner runner) throws JboxException {
        ImageStore images = new ImageStore(HostRoots.images(config));
        ImageMeta image = images.get(imageName(o));
        timings.mark("image_resolve");

        StateStore states = StateStore.ofRun(HostRoots.stateRoot(config));
        HostRoots.containers(config);
        String id = newId();
        LockFile lock = NameRegistry.claim(states, o.name(), id);
        timings.mark("new_id_and_state_dir");
        ContainerFiles files = files(id);
        ContainerCgroup cgroup = null;
        ContainerNetwork network = null;
        SpecFile.Pending recording = null;
        boolean keep = false;
        boolean detached = false;
        try {
            SpecBuilder.IdRange ids = idRange(o);
            files.createLayer(ids == null ? 0 : ids.uidBase(), ids == null ? 0 : ids.gidBase());
            timings.mark("writable_layer");
            ContainerSpec spec = SpecBuilder.build(o, inputs(o, id, files, images, image, ids));
            timings.mark("spec_build");
            // What exec builds its process from: written meanwhile, there before the container runs.
            SpecFile.Pending recorded = SpecFile.writeAsync(states.dir(id), spec);
            recording = recorded;
            NetworkMode mode = NetworkMode.of(spec);
            boolean bridged = mode.kind() == NetworkMode.Kind.BRIDGE;
            network = ContainerNetwork.of(spec, id, bridged ? bridge(mode) : null,
                    bridged ? other -> other.equals(id) || Cleanup.live(states, other) : null);
            network.prepare(); // the bridge and an address: /etc/hosts needs it
            timings.mark("network_prepare");
            EtcFiles.write(states.dir(id), spec.hostname(), mode.annotation(), network.address(),
                    Arrays.asList(o.name(), id.substring(0, 12)), list(config.get("dns.servers")), list(config.get("dns.fallback")));
            timings.mark("etc_files");
            Plan plan = PlanBuilder.build(spec);
            timings.mark("plan_build");

            ContainerRecord state = ContainerRecord.ofImage(id, o.name(), image.name(), Instant.now().toString(), o.remove(),
                    files.layerDir().toString());
            RunReport report = o.report() == null ? null : new RunReport(Path.of(o.report()), id, o.name(), image.name());
            cgroup = new ContainerCgroups(config).create(id, spec, false, runner.caller().shims().callerPid());
            timings.mark("cgroup");
            ContainerCgroup joined = cgroup;
            ContainerNetwork net = network;
            ContainerRunner.Outcome outcome;
            ContainerRunner.Detach detach = o.detach() ? new ContainerRunner.Detach(files.log(),
                    List.of(launcher(), "internal-finish", id)) : null;
            if (detach != null && (o.report() != null || timeoutMillis(o) > 0)) {
                throw new JboxException("--report and --timeout need jbox to wait: they do not work with --detach yet");
            }
            String cpuTime = spec.annotations().get(ContainerSpec.ANNOTATION_CPU_TIME);
            if (detach != null && cpuTime != null) {
                // Only a waiting jbox reads the cgroup; RLIMIT_CPU alone would be per process.
                throw new JboxException("--cpu-time needs jbox to wait: it does not work with --detach yet");
            }
            long cpuPoll = cpuTime == null ? 0 : Durations.millis("cpu_time.poll", config.get("cpu_time.poll"));
            CpuTimeWatch[] cpuWatch = new CpuTimeWatch[1];
            try {
                outcome = runner.run(spec, plan, states.dir(id), timeoutMillis(o), graceMillis(), detach,
                        new ContainerRunner.StartListener() {
                    @Override
                    public void started(long pid, long shimPid) throws JboxException {
                        recorded.await();
                        timings.mark("config_json_wait");
                        // Recorded before the plan runs, so clean-up can always find this container.
                        // The init waits for its plan here, so it is alive and its start time is its own.
                        states.write(ContainerCgroups.recorded(state.withRunning(pid, ProcessStart.of(pid), shimPid,
                                ProcessStart.of(shimPid)), joined));
                        if (joined != null) {
                            joined.add(pid); // before the plan, whose first steps unshare the cgroup namespace
                        }
                        timings.mark("state_and_cgroup");
                        net.attach(pid); // eth0 is configured before the workload starts
                        timings.mark("network_attach");
                    }

                    @Override
                    public void running() throws JboxException {
                        if (cpuTime != null) {
                            cpuWatch[0] = CpuTimeWatch.start(joined, Long.parseLong(cpuTime), cpuPoll, runner);
                        }
                    }
                });
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
                keep = true;
                detached = true;
                runner.caller().out().println(id);
                return 0;
            }
            int code = outcome.exitCode();
            timings.mark("container_exited"); // the workload ran, exited, and the shim reported it
            if (report != null) {
                report.ended(outcome, spec, cgroup == null ? null : cgroup.usage(), cpuWatch[0] != null && cpuWatch[0].reached());
            }
            if (!o.remove()) {
                states.write(state.withExited(code, Instant.now().toString()));
                keep = true;
            }
            return code;
        } finally {
            if (detached) {
                network = null; // the container lives on: `internal-finish` releases all this later
                cgroup = null;
            }
            // The veth's removal runs while the files go; its lease is released once it is gone.
            ContainerNetwork.Teardown teardown = network == null ? null : network.startTeardown();
            try {
                if (recording != null) {
                    recording.awaitQuietly(); // nothing may write into the directory once it goes
                }
                if (cgroup != null) {
                    cgroup.remove();
                }
                if (!keep) {
                    files.remove();
                }
            } finally {
                try {
                    if (teardown != null) {
                        teardown.await();
                    }
                } finally {
                    lock.close();
                    timings.mark("cleanup");
                }
            }
        }
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
        RunOptions.Sandboxing sb = o.sandboxing();
        String t = sb.timeout() != null ? sb.timeout() : sb.sandbox() ? config.get("sandbox.timeout") : null;
        return t == null ? 0 : Durations.millis("--timeout", t);
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
        Path rootfs = images.rootfs(image);
        return new SpecBuilder.Inputs(id, image, rootfs.toString(),
                files.upper().toString(), files.work().toString(), files.merged().toString(),
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

package jbox.oci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import jbox.JboxException;
import jbox.cgroup.ContainerCgroup;
import jbox.config.HostRoots;
import jbox.io.AtomicFile;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.process.Plan;
import jbox.process.PlanBuilder;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerExec;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ContainerStop;
import jbox.runtime.ProcessSignals;
import jbox.runtime.ProcessStart;
import jbox.runtime.SpecFile;
import jbox.security.SeccompProfile;
import jbox.spec.ContainerSpec;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import jbox.state.Status;

/**
 * The OCI runtime CLI's lifecycle (runc's conventions) on the one model: create runs the spec's
 * plan up to OP_WAIT_START and hands the init over to the caller (no jbox monitor: conmon or
 * containerd's shim is the subreaper that reaps it), start releases it through the FIFO, kill
 * signals it, delete removes what is left. The records, the status (read off the kernel, never
 * stored), the cgroup rule and the signalling are the ones `jbox run`'s containers have too
 * (StateStore, ContainerCgroups, ContainerStop), with runc's --root as the store's root.
 */
public final class OciLifecycle {
    public static final String OCI_VERSION = ContainerSpec.OCI_VERSION;
    private static final JsonFactory STATE_JSON = new JsonFactory();

    private static final AtomicLong SOCKETS = new AtomicLong();

    private final StateStore store;
    private final ContainerRunner runner;
    private final ContainerCgroups cgroups;
    private final ContainerStop stop;
    private final Path socketDir;

    /**
     * {@code socketDir}: where the shim's control socket goes (jbox's state root, root's alone). Not
     * under ROOT/ID: a unix socket path has 107 bytes, and containerd's roots and 64-hex ids
     * leave too few.
     */
    public OciLifecycle(StateStore store, ContainerRunner runner, ContainerCgroups cgroups, Path socketDir) {
        this.store = store;
        this.runner = runner;
        this.cgroups = cgroups;
        this.stop = new ContainerStop(store, cgroups);
        this.socketDir = socketDir;
    }

    /** A control socket path of this jbox process, short whatever the state root and id. */
    private Path socket(String what) throws JboxException {
        try {
            FileModes.ensureDirectory(socketDir, HostRoots.ROOT_MODE, 0, 0); // jbox's state root
        } catch (IOException e) {
            throw new JboxException("cannot create " + socketDir + ": " + IoReason.of(e), e);
        }
        // pid and a count: one JVM (the engine) may run several of these at once
        return socketDir.resolve("oci-" + what + "-" + ProcessHandle.current().pid() + "-" + SOCKETS.incrementAndGet() + ".sock");
    }

    public StateStore store() {
        return store;
    }

    public ContainerCgroups cgroups() {
        return cgroups;
    }

    /** The runner of exec and attached runs, for signal forwarding. */
    public ContainerRunner runner() {
        return runner;
    }

    private void mark(String phase) {
        runner.timings().mark(phase);
    }

    /** `create`: returns once the init waits for `start`; writes pidFile then. */
    public void create(String id, Path bundle, ContainerSpec spec, Path pidFile, String consoleSocket) throws JboxException {
        checkConsole(spec.process(), consoleSocket);
        LockFile creating = store.create(id); // held until create ends: prune knows a live one
        Path dir = store.dir(id);
        long[] pid = {0};
        long[] initStart = {0};
        ContainerRecord[] recorded = {null};
        ContainerCgroup cgroup = null;
        boolean ok = false;
        try {
            SpecFile.write(dir, spec); // exec reads the process defaults and the filter from it
            mark("state_dir_and_config");
            cgroup = cgroups.create(id, spec, true, runner.caller().shims().callerPid());
            ContainerCgroup joined = cgroup;
            if (cgroup != null) { // recorded at once: a jbox killed from here on leaves prune a way to it
                store.write(ContainerCgroups.recorded(ContainerRecord.ofBundle(id, bundle.toString(), spec.root().path()), cgroup));
            }
            mark("cgroup");
            Plan.Later hookState = new Plan.Later();
            Plan plan = PlanBuilder.build(spec, new PlanBuilder.Options(false, true, hookState).withOwnCgroup(ownDirs(cgroup)));
            mark("plan_build");
            runner.handOver(spec, plan, socket("create"), store.fifo(id), consoleSocket,
                    (initPid, shimPid) -> {
                        pid[0] = initPid;
                        initStart[0] = ProcessStart.of(initPid); // the init waits for its plan: alive, its own
                        // "created" stays unset until create has finished: prune's sign of an interrupted one
                        recorded[0] = initExists(id, bundle, spec, joined, initPid, null, hookState);
                    });
            if (pidFile != null) {
                writePidFile(pidFile, pid[0]);
            }
            store.write(recorded[0].withCreated(Instant.now().toString()));
            mark("created");
            ok = true;
        } finally {
            if (!ok) { // best effort: the error that matters is the one on its way out
                try {
                    if (pid[0] > 0 && ProcessStart.alive(pid[0], initStart[0])) {
                        ProcessSignals.sendRecorded(pid[0], initStart[0], "KILL");
                    }
                    if (cgroup != null) {
                        cgroup.remove();
                    }
                } catch (JboxException cleanup) {
                    runner.caller().warn(cleanup.getMessage());
                } finally {
                    store.remove(id);
                }
            }
            creating.close();
        }
    }

    /**
     * `jbox system prune`: containers whose create was killed before it finished (no creation
     * time recorded, nobody holding the create lock): their init, cgroup and state directory.
     * Containers that were created belong to their caller, who deletes them.
     */
    public List<String> pruneInterrupted() throws JboxException {
        List<String> removed = new ArrayList<>();
        for (String temp : store.removeStaleCreates()) {
            removed.add("OCI state directory " + store.root().resolve(temp) + " (a create that died before it began)");
        }
        for (String id : store.ids()) {
            ContainerRecord s;
            try {
                s = store.load(id);
            } catch (JboxException gone) {
                continue;
            }
            if (s.created() != null || store.ownerLocked(id) || store.status(s) == Status.RUNNING) {
                continue;
            }
            stop.forceKill(s, store.status(s)); // an init whose create never finished
            cgroups.remove(s); // kills what is left inside
            store.remove(id);
            removed.add("OCI container " + id + " (its create was interrupted)");
        }
        return removed;
    }

    /**
     * The init exists, before its plan runs: record it, put it in its cgroup, set its OOM score,
     * give the in-container hooks their state, and run the prestart and createRuntime hooks.
     */
    private ContainerRecord initExists(String id, Path bundle, ContainerSpec spec, ContainerCgroup cgroup, long initPid,
            String created, Plan.Later hookState) throws JboxException {
        ContainerRecord s = ContainerCgroups.recorded(ContainerRecord.ofBundle(id, bundle.toString(), spec.root().path())
                .withRunning(initPid, ProcessStart.of(initPid), 0, 0).withCreated(created), cgroup)
                .withSpecParts(spec.annotations(), spec.hooks());
        store.write(s);
        if (cgroup != null) {
            cgroup.add(initPid);
        }
        oomScoreAdj(initPid, spec.process().oomScoreAdj());
        String state = stateJson(s, Status.CREATING);
        hookState.set(state);
        if (spec.hooks() != null) {
            HookRunner.run("prestart", spec.hooks().prestart(), state, runner.caller());
            HookRunner.run("createRuntime", spec.hooks().createRuntime(), state, runner.caller());
        }
        return s;
    }

    /** `start`: opens the FIFO's other end, so the init goes on; poststart hooks run then. */
    public void start(String id) throws JboxException {
        ContainerRecord s;
        // One start at a time: a second one finds the FIFO gone, not an init that already left it.
        try (LockFile starting = store.lock(id, "start.lock")) {
            s = store.load(id);
            Status status = status(s);
            if (status != Status.CREATED) {
                throw new JboxException("cannot start container " + id + ": it is " + status.word() + ", not created");
            }
            Path fifo = store.fifo(id);
            String initExe = s.hooks() != null && s.hooks().poststart() != null && !s.hooks().poststart().isEmpty()
                    ? exe(s.pid()) : null;
            releaseInit(s, fifo);
            if (initExe != null) {
                awaitExec(s, initExe);
            }
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                throw new JboxException("cannot remove " + fifo + ": " + IoReason.of(e), e);
            }
        }
        if (s.hooks() != null) {
            HookRunner.runWarning("poststart", s.hooks().poststart(), stateJson(s, Status.RUNNING), runner.caller());
        }
    }

    /** /proc/PID/exe's target, or null when it cannot be read. */
    private static String exe(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * poststart runs "after the user-specified process is executed" (runtime-spec): the init
     * leaves the FIFO, runs startContainer hooks, then execs. Waits (at most 10 s) until its exe is
     * no longer the init's, or it is gone.
     */
    private static void awaitExec(ContainerRecord s, String initExe) throws JboxException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && ProcessStart.alive(s.pid(), s.pidStartTime()) && initExe.equals(exe(s.pid()))) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JboxException("interrupted while container " + s.id() + " started");
            }
        }
    }

    /**
     * Opening a FIFO for reading blocks until a writer comes: the init, waiting in OP_WAIT_START.
     * If the init died instead, a watchdog opens it for writing itself, so the open returns and
     * the read sees end-of-file.
     */
    private static void releaseInit(ContainerRecord s, Path fifo) throws JboxException {
        Thread watchdog = new Thread(() -> {
            try {
                while (ProcessStart.alive(s.pid(), s.pidStartTime())) {
                    Thread.sleep(50);
                }
                try (OutputStream unblock = Files.newOutputStream(fifo, StandardOpenOption.WRITE)) {
                    unblock.flush();
                }
            } catch (InterruptedException | IOException done) {
                // started (interrupted), or the FIFO is gone: nothing to unblock
            }
        }, "jbox-start-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        int b;
        try (InputStream in = Files.newInputStream(fifo)) {
            b = in.read();
        } catch (IOException e) {
            throw new JboxException("cannot open " + fifo + ": " + IoReason.of(e), e);
        } finally {
            watchdog.interrupt();
        }
        if (b < 0) {
            throw new JboxException("cannot start container " + s.id() + ": its init exited before start");
        }
    }

    /** `kill ID SIGNAL [--all]`: to the init, or to every process of its cgroup. */
    public void kill(String id, String signal, boolean all) throws JboxException {
        stop.kill(store.load(id), signal, all);
    }

    /**
     * The runtime-spec status, read off the kernel: the init's liveness and the start FIFO
     * (StateStore.status), and "paused" while the container's cgroup is frozen.
     */
    public Status status(ContainerRecord s) throws JboxException {
        return stop.status(s);
    }

    /** `pause`: freezes every process of the container (runc: a created or running one). */
    public void pause(String id) throws JboxException {
        ContainerRecord s = store.load(id);
        Status status = status(s);
        if (status != Status.RUNNING && status != Status.CREATED) {
            throw new JboxException("cannot pause container " + id + ": it is " + status.word() + ", not running");
        }
        cgroups.freeze(s, true);
    }

    /** `resume`: thaws a paused container. */
    public void resume(String id) throws JboxException {
        ContainerRecord s = store.load(id);
        Status status = status(s);
        if (status != Status.PAUSED) {
            throw new JboxException("cannot resume container " + id + ": it is " + status.word() + ", not paused");
        }
        cgroups.freeze(s, false);
    }

    /** `ps ID` (containerd's shim asks): every process of the container's cgroup, else its init. */
    public List<Long> pids(String id) throws JboxException {
        ContainerRecord s = store.load(id);
        Status status = status(s);
        if (status == Status.STOPPED || status == Status.CREATING) {
            return List.of();
        }
        List<Long> pids = new ArrayList<>(cgroups.pids(s));
        if (pids.isEmpty()) {
            pids.add(s.pid());
        }
        pids.sort(null);
        return pids;
    }

    /** `delete [--force]`: a running container only with force (SIGKILL first); a created one always. */
    public void delete(String id, boolean force) throws JboxException {
        StateStore.checkId(id);
        if (force && !Files.isDirectory(store.dir(id))) {
            return; // runc's rule: --force makes a missing container no error (a create that failed cleans up)
        }
        ContainerRecord s = store.load(id);
        if (store.ownerLocked(id)) {
            throw new JboxException("cannot delete container " + id + ": it is still being created");
        }
        Status status = status(s);
        if ((status == Status.RUNNING || status == Status.PAUSED) && !force) {
            throw new JboxException("cannot delete container " + id + ": it is " + status.word() + " (stop it first, or use --force)");
        }
        stop.forceKill(s, status); // a created one, or with --force a running or paused one
        cgroups.remove(s);
        if (s.hooks() != null) {
            HookRunner.runWarning("poststop", s.hooks().poststop(), stateJson(s, Status.STOPPED), runner.caller());
        }
        store.remove(id);
    }

    /** runc's `run` without --detach: a monitored container, deleted when its process has exited. */
    public int runAttached(String id, Path bundle, ContainerSpec spec, Path pidFile, String consoleSocket)
            throws JboxException {
        if (consoleSocket != null) {
            throw new JboxException("--console-socket needs --detach: attached, jbox relays the terminal itself");
        }
        LockFile creating = store.create(id); // released once the init is recorded
        Path dir = store.dir(id);
        ContainerCgroup cgroup = null;
        ContainerRecord[] state = {null};
        try {
            SpecFile.write(dir, spec); // exec builds its process from it, as for create
            cgroup = cgroups.create(id, spec, true, runner.caller().shims().callerPid());
            ContainerCgroup joined = cgroup;
            Plan.Later hookState = new Plan.Later();
            Plan plan = PlanBuilder.build(spec, new PlanBuilder.Options(true, false, hookState).withOwnCgroup(ownDirs(cgroup)));
            ContainerRunner.Outcome o = runner.run(spec, plan, dir, socket("run"), 0, 0, null, new ContainerRunner.StartListener() {
                @Override
                public void started(long initPid, long shimPid) throws JboxException {
                    if (pidFile != null) {
                        writePidFile(pidFile, initPid);
                    }
                    state[0] = initExists(id, bundle, spec, joined, initPid, Instant.now().toString(), hookState);
                    creating.close();
                }

                @Override
                public void running() throws JboxException {
                    if (spec.hooks() != null) {
                        HookRunner.runWarning("poststart", spec.hooks().poststart(), stateJson(state[0], Status.RUNNING), runner.caller());
                    }
                }
            });
            return o.exitCode();
        } finally {
            creating.close(); // closing twice is fine
            if (cgroup != null) {
                cgroup.remove();
            }
            if (state[0] != null && spec.hooks() != null) {
                HookRunner.runWarning("poststop", spec.hooks().poststop(), stateJson(state[0], Status.STOPPED), runner.caller());
            }
            store.remove(id);
        }
    }

    /**
     * `exec`: a process in a running container's namespaces and cgroup. Detached (conmon's way),
     * handed over like create: this returns once it runs and the caller reaps it.
     */
    public int exec(String id, ContainerSpec.Process process, SeccompProfile seccomp, boolean detach,
            Path pidFile, String consoleSocket) throws JboxException {
        ContainerRecord s = store.load(id);
        Status status = status(s);
        if (status != Status.RUNNING) {
            throw new JboxException("cannot exec in container " + id + ": it is " + status.word() + ", not running");
        }
        if (process.args() == null || process.args().isEmpty()) {
            throw new JboxException("exec: no command given (process.args is empty)");
        }
        if (detach || consoleSocket != null) {
            checkConsole(process, consoleSocket);
        }
        Plan plan = ContainerExec.plan(process, seccomp, !detach);
        Path socket = socket("exec");
        long[] pid = {0};
        ContainerRunner.Outcome o = runner.enter(s.pid(), plan, socket, !detach && process.terminal() && consoleSocket == null,
                detach, consoleSocket, (execPid, shimPid) -> {
                    pid[0] = execPid;
                    cgroups.join(s, execPid);
                    if (pidFile != null) {
                        writePidFile(pidFile, execPid);
                    }
                });
        return o == null ? 0 : o.exitCode();
    }

    /** The runtime-spec's state object. */
    public String state(String id) throws JboxException {
        ContainerRecord s = store.load(id);
        return stateJson(s, status(s));
    }

    /** The runtime-spec's state object of a record, with its status as read off the kernel. */
    public static String stateJson(ContainerRecord s, Status status) throws JboxException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = STATE_JSON.createGenerator(out).useDefaultPrettyPrinter()) {
            g.writeStartObject();
            g.writeStringField("ociVersion", OCI_VERSION);
            g.writeStringField("id", s.id());
            g.writeStringField("status", status.word());
            g.writeNumberField("pid", status == Status.STOPPED ? 0 : s.pid());
            g.writeStringField("bundle", s.bundle());
            g.writeStringField("rootfs", s.rootfs());
            g.writeStringField("created", s.created());
            g.writeObjectFieldStart("annotations");
            for (Map.Entry<String, String> e : (s.annotations() == null ? Map.<String, String>of() : s.annotations()).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new JboxException("cannot write the state of " + s.id() + ": " + IoReason.of(e), e);
        }
        return out.toString();
    }

    static void checkConsole(ContainerSpec.Process p, String consoleSocket) throws JboxException {
        if (p.terminal() && consoleSocket == null) {
            throw new JboxException("process.terminal is true: --console-socket is needed to hand over the terminal");
        }
        if (!p.terminal() && consoleSocket != null) {
            throw new JboxException("--console-socket given but process.terminal is false: there is no terminal to hand over");
        }
    }

    static void oomScoreAdj(long pid, Integer adj) throws JboxException {
        if (adj == null) {
            return;
        }
        Path f = Path.of("/proc/" + pid + "/oom_score_adj");
        try {
            Files.writeString(f, adj.toString());
        } catch (IOException e) {
            throw new JboxException("cannot write " + f + " (" + adj + "): " + IoReason.of(e), e);
        }
    }

    /** runc writes the pid file the caller waits for by temp + rename: never seen half written. */
    static void writePidFile(Path file, long pid) throws JboxException {
        try {
            AtomicFile.write(file, Long.toString(pid).getBytes(StandardCharsets.US_ASCII), 0644); // the caller's path: public, as runc's
        } catch (IOException e) {
            throw new JboxException("cannot write pid file " + file + ": " + IoReason.of(e), e);
        }
    }

    private static Map<String, Path> ownDirs(ContainerCgroup cgroup) {
        return cgroup == null ? Map.of() : cgroup.v1Dirs();
    }
}

package jbox.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.process.Plan;
import jbox.process.Protocol;
import jbox.process.ShimConnection;
import jbox.process.ShimMessage;
import jbox.process.ShimSequence;
import jbox.spec.ContainerSpec;

/**
 * Executes a ContainerSpec in the foreground: spawns the shim, has it clone the namespaces,
 * writes the id maps from outside, sends the plan, forwards signals, and returns the exit code
 * (docker's: the command's, 128+N for a signal, 125/126/127 for failures to start).
 */
public final class ContainerRunner {
    private final Path shim;
    private final Timings timings;
    private final Caller caller;
    private volatile ShimConnection connection;
    private ShimConnection.Pending early; // startShimEarly's, until a run takes it
    private final List<Integer> pendingSignals = new ArrayList<>();

    public ContainerRunner(Path shim, Timings timings, Caller caller) {
        this.shim = shim;
        this.timings = timings;
        this.caller = caller;
    }

    public Timings timings() {
        return timings;
    }

    /** Whom this runner works for: where its own output and warnings go. */
    public Caller caller() {
        return caller;
    }

    /**
     * With a terminal (-t), a SIGTERM, SIGINT or SIGHUP that jbox receives must end the run, as it
     * ends docker's client, which proxies no signal in tty mode: the container gets the signal,
     * and SIGKILL {@code escalateMillis} later if it is still there (PID 1 ignores signals it has no
     * handler for: `printf x | timeout 8 jbox run -t busybox cat` would otherwise outlive timeout).
     * Ctrl-C typed at the terminal is not a signal to jbox in raw mode: it reaches the container as
     * a byte. -1: no escalation (no terminal, or an exec).
     */
    private volatile long escalateMillis = -1;
    private Thread escalation;

    /** Called from signal handlers: deliver now, or once the container exists. */
    public void forwardSignal(int signal) {
        if (escalateMillis >= 0 && (signal == 1 || signal == 2 || signal == 15)) {
            escalate();
        }
        deliver(signal);
    }

    private synchronized void escalate() {
        if (escalation != null) {
            return;
        }
        long after = escalateMillis;
        escalation = new Thread(() -> {
            try {
                Thread.sleep(after);
                deliver(9);
            } catch (InterruptedException done) {
                // the container ended first
            }
        }, "jbox-signal-escalation");
        escalation.setDaemon(true);
        escalation.start();
    }

    private void deliver(int signal) {
        synchronized (pendingSignals) {
            ShimConnection c = connection;
            if (c == null) {
                pendingSignals.add(signal);
                return;
            }
            try {
                c.sendU32(Protocol.MSG_SIGNAL, signal);
            } catch (JboxException ignored) {
                // the shim is gone: the container is exiting anyway
            }
        }
    }

    /** How the container ended, as the shim saw it (wait status and wait4's rusage). */
    public record Outcome(int waitStatus, long cpuUserMicros, long cpuSystemMicros, long maxRssKib, boolean timedOut,
            Map<Integer, Long> deniedSyscalls) {
        public int exitCode() {
            return ContainerRunner.exitCode(waitStatus);
        }

        /** The signal that killed the init, or 0 when it exited. */
        public int signal() {
            return waitStatus & 0x7f;
        }
    }

    /** The failing step of the last run, for the run report; null when none failed. */
    public record SetupFailure(String step, String errno) {
    }

    private volatile SetupFailure setupFailure;
    private volatile boolean timedOut;

    public SetupFailure setupFailure() {
        return setupFailure;
    }

    /**
     * A detached run: the container's output goes to {@code log}, and when it exits the shim runs
     * {@code onExit} (jbox's own finishing command), since no jbox waits for it.
     */
    public record Detach(Path log, List<String> onExit) {
    }

    /** The monitor's lock file in a state directory: held by the shim while it lives. */
    public static final String MONITOR_LOCK = "monitor.lock";
    /** The shim's exit record in a state directory: "status user_us sys_us maxrss_kb". */
    public static final String EXIT_RECORD = "exit";
    /** run -di without -t: the detached monitor holds the container's stdin (a pipe) for `jbox attach`. */
    public static boolean openStdin(ContainerSpec spec) {
        return !spec.process().terminal() && spec.annotations() != null
                && "true".equals(spec.annotations().get(ContainerSpec.ANNOTATION_OPEN_STDIN));
    }

    /** Where a detached container's monitor listens for `jbox attach`, in its state directory. */
    public static final String ATTACH_SOCKET = "attach.sock";

    /**
     * The attach socket of the container in {@code stateDir}, or null when its path does not fit a
     * socket address (a long state.root): that container runs without one, and attach says so.
     */
    public static Path attachSocket(Path stateDir) {
        Path p = stateDir.resolve(ATTACH_SOCKET);
        return p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 108 ? p : null;
    }

    /**
     * Runs the container; {@code onStarted} gets (container pid, shim pid) once it exists. Returns
     * how it ended, or null for a detached run, as soon as the command started. The plan is made
     * by {@code plan} once the shim was asked to clone: the kernel's work on the new namespaces
     * (~1 ms) overlaps the plan's making (and whatever the source does before it, a cgroup). If the
     * source fails, the shim's socket closes and the shim kills the init, which never got a plan.
     * With {@code outputLog} the container's stdout and stderr also go to that file (the shim's
     * frames: `jbox logs`), attached ones still to the caller as before.
     */
    public Outcome run(ContainerSpec spec, PlanSource plan, Path stateDir, long timeoutMillis, long graceMillis,
            Detach detach, StartListener onStarted, Path outputLog) throws JboxException {
        return run(spec, plan, stateDir, stateDir.resolve("ctl.sock"), timeoutMillis, graceMillis, detach, onStarted, outputLog);
    }

    /** As above with a plan made before, and the control socket elsewhere (its path must stay under 108 bytes). */
    public Outcome run(ContainerSpec spec, Plan plan, Path stateDir, Path socket, long timeoutMillis, long graceMillis,
            Detach detach, StartListener onStarted) throws JboxException {
        return run(spec, () -> plan, stateDir, socket, timeoutMillis, graceMillis, detach, onStarted, null);
    }

    /** What a container's init will run, made while the kernel clones it. */
    public interface PlanSource {
        Plan plan() throws JboxException;
    }

    private Outcome run(ContainerSpec spec, PlanSource plan, Path stateDir, Path socket, long timeoutMillis, long graceMillis,
            Detach detach, StartListener onStarted, Path outputLog) throws JboxException {
        CloneRequest req = CloneRequest.clone(Namespaces.cloneFlags(spec.linux()), Namespaces.joins(spec.linux()))
                .withRecord(stateDir).withOutputLog(outputLog);
        if (detach != null) {
            req = req.withOnExit(detach.onExit()).withAttachSocket(attachSocket(stateDir));
            if (openStdin(spec)) {
                req = req.withOpenStdin();
            }
        }
        return drive(req, describeFlags(spec), Namespaces.joinNames(spec.linux()), plan, socket, spec.linux(), timeoutMillis,
                graceMillis, detach == null ? null : detach.log(), spec.process().terminal() && detach == null, onStarted);
    }

    /**
     * The OCI runtime CLI: no monitor. The shim leaves, and the init is reaped by whoever is the
     * caller's subreaper (conmon, containerd's shim), as with runc. With a start FIFO this returns
     * once the init waits for `jbox start` (created); without, once the command runs.
     */
    public void handOver(ContainerSpec spec, Plan plan, Path socket, Path startFifo, String consoleSocket,
            StartListener onStarted) throws JboxException {
        CloneRequest req = CloneRequest.clone(Namespaces.cloneFlags(spec.linux()), Namespaces.joins(spec.linux()))
                .handedOver(startFifo == null ? null : startFifo.toString(), consoleSocket);
        drive(req, describeFlags(spec), Namespaces.joinNames(spec.linux()), () -> plan, socket, spec.linux(), 0, 0, null, false,
                onStarted);
    }

    /**
     * jbox exec: a new process in all namespaces of the running container whose init is
     * {@code targetPid}, running {@code plan} (its identity, capabilities, filter and command).
     * The namespaces are joined in the order Namespaces.toEnter gives (user first), then the shim
     * forks (clone flags 0). Handed over (`exec --detach` of the OCI CLI), this returns null once
     * the command runs.
     */
    public Outcome enter(long targetPid, Plan plan, Path socket, boolean tty, boolean handover, String consoleSocket,
            StartListener onStarted) throws JboxException {
        List<Namespaces.Join> joins = Namespaces.toEnter(targetPid);
        List<String> paths = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Namespaces.Join j : joins) {
            paths.add(j.path());
            names.add("the container's " + j.type() + " namespace " + j.path());
        }
        CloneRequest req = new CloneRequest(0, paths, null, null, consoleSocket, handover, null);
        return drive(req, "fork", names, () -> plan, socket, null, 0, 0, null, tty, onStarted);
    }

    /**
     * Has the shim of a container in {@code stateDir} started now, ahead of its plan: its fork and
     * execve (the front end's, on another CPU) overlap the rest of the preparation. The next
     * {@link #run} on that state directory, with that log and terminal, connects to it; {@link
     * #dropEarlyShim} kills it unused when the start fails before. Asked again for the same, it
     * keeps the one it has.
     */
    public void startShimEarly(Path stateDir, Path log, boolean tty) throws JboxException {
        ShimConnection.Pending p = early;
        if (p != null && p.isFor(stateDir.resolve("ctl.sock"), log, tty)) {
            return; // started earlier still, for this very start
        }
        dropEarlyShim();
        early = ShimConnection.begin(shim, stateDir.resolve("ctl.sock"), log, tty, caller.shims(), caller.err());
    }

    /** Kills and forgets a shim started early and not used (none: nothing to do). */
    public void dropEarlyShim() {
        ShimConnection.Pending p = early;
        early = null;
        if (p != null) {
            p.close();
        }
    }

    /** The shim started early for exactly this socket, log and terminal; any other is dropped. */
    private ShimConnection.Pending takeEarlyShim(Path socket, Path log, boolean tty) {
        ShimConnection.Pending p = early;
        if (p != null && p.isFor(socket, log, tty)) {
            early = null;
            return p;
        }
        dropEarlyShim();
        return null;
    }

    private Outcome drive(CloneRequest req, String what, List<String> joinNames, PlanSource source, Path socket,
            ContainerSpec.Linux linux, long timeoutMillis, long graceMillis, Path log, boolean tty, StartListener onStarted)
            throws JboxException {
        escalateMillis = tty && req.onExit() == null && !req.handover() && graceMillis > 0 ? graceMillis : -1;
        StartFailures words = null;
        ShimConnection.Pending ready = takeEarlyShim(socket, log, tty);
        try (ShimConnection shimConn = ready != null ? ready.connect()
                : ShimConnection.spawn(shim, socket, log, tty, caller.shims(), caller.err())) {
            timings.mark("spawn_shim");
            shimConn.send(Protocol.MSG_CLONE, req.encode());
            Plan plan = source.plan(); // while the shim clones
            words = new StartFailures(plan, what, joinNames, req);
            ShimSequence sequence = new ShimSequence(shimConn, words);
            ShimMessage.Pid started = sequence.pid();
            if (started.shimPid() != shimConn.shimPid()) {
                throw new JboxException("control socket " + socket + ": the peer is not the shim jbox started (pid "
                        + shimConn.shimPid() + ")");
            }
            long pid = started.initPid();
            timings.mark("clone");
            if (linux != null) {
                writeIdMaps(pid, linux);
            }
            timings.mark("id_maps");
            onStarted.started(pid, shimConn.shimPid());
            // After the maps: the shim idmaps each tree with the init's user namespace as it is now.
            for (Plan.Idmap idmap : plan.idmaps()) {
                shimConn.send(Protocol.MSG_IDMAP, idmap.encode());
            }
            shimConn.send(Protocol.MSG_PLAN, plan.encode());
            sequence.planSent();
            try {
                sequence.start(req.startFifo() != null);
            } catch (JboxException e) {
                shimConn.waitForShim(); // after FAILED it exits: its status and output come first
                throw e;
            }
            timings.mark("plan_executed_and_execve");
            onStarted.running();
            if (req.handover()) {
                shimConn.waitForShim(); // it leaves right after this message: no zombie left behind
                return null;
            }
            if (req.onExit() != null) {
                return null; // the shim stays as the container's monitor; closing the socket is our goodbye
            }
            synchronized (pendingSignals) {
                connection = shimConn;
                for (int s : pendingSignals) {
                    shimConn.sendU32(Protocol.MSG_SIGNAL, s);
                }
                pendingSignals.clear();
            }
            Thread timer = timeoutMillis > 0 ? startTimer(timeoutMillis, graceMillis) : null;
            ShimSequence.Ended end = sequence.exit();
            connection = null;
            if (timer != null) {
                timer.interrupt();
            }
            synchronized (this) {
                if (escalation != null) {
                    escalation.interrupt();
                }
                escalateMillis = -1;
            }
            shimConn.waitForShim();
            ShimMessage.Exited e = end.exited();
            return new Outcome(e.waitStatus(), e.cpuUserMicros(), e.cpuSystemMicros(), e.maxRssKib(), timedOut,
                    new TreeMap<>(end.denied()));
        } finally {
            StartFailures.Summary failure = words == null ? null : words.summary();
            setupFailure = failure == null ? null : new SetupFailure(failure.step(), failure.errno());
        }
    }

    /** --timeout: SIGTERM when the time is up, SIGKILL after the grace (PID 1 may ignore SIGTERM). */
    private Thread startTimer(long timeoutMillis, long graceMillis) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(timeoutMillis);
                timedOut = true;
                deliver(15);
                Thread.sleep(graceMillis);
                deliver(9);
            } catch (InterruptedException done) {
                // the container ended first
            }
        }, "jbox-timeout");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Receives (container pid, shim pid) as soon as the container process exists. */
    public interface StartListener {
        void started(long pid, long shimPid) throws JboxException;

        /** The command was exec'd: the start is over, slower bookkeeping may run now. */
        default void running() throws JboxException {
        }
    }

    /** Docker's convention: exit status as is, 128+N when killed by signal N. */
    static int exitCode(int waitStatus) {
        int sig = waitStatus & 0x7f;
        if (sig == 0) {
            return (waitStatus >> 8) & 0xff;
        }
        return 128 + sig;
    }

    /**
     * The maps are written by us, from outside, as the parent's root: no setgroups=deny needed
     * (that rule binds unprivileged writers), so the container may still call setgroups(2).
     */
    static void writeIdMaps(long pid, ContainerSpec.Linux linux) throws JboxException {
        if (linux.uidMappings() == null || !linux.has("user")) {
            return; // a joined user namespace has its maps already (they can be written once)
        }
        write(Path.of("/proc/" + pid + "/uid_map"), linux.uidMappings());
        write(Path.of("/proc/" + pid + "/gid_map"), linux.gidMappings());
    }

    private static void write(Path file, List<ContainerSpec.IdMapping> maps) throws JboxException {
        StringBuilder sb = new StringBuilder();
        for (ContainerSpec.IdMapping m : maps) {
            sb.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
        }
        try {
            Files.writeString(file, sb);
        } catch (IOException e) {
            throw new JboxException("cannot write " + file + " (" + sb.toString().trim() + "): " + IoReason.of(e), e);
        }
    }

    private static String describeFlags(ContainerSpec spec) {
        List<String> names = new ArrayList<>();
        for (ContainerSpec.Namespace n : spec.linux().namespaces()) {
            names.add("CLONE_NEW" + (n.type().equals("mount") ? "NS" : n.type().equals("network") ? "NET" : n.type().toUpperCase()));
        }
        return String.join("|", names);
    }
}

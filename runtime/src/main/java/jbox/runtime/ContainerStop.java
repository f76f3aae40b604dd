package jbox.runtime;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jbox.JboxException;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import jbox.state.Status;

/**
 * kill, stop, rm -f and the OCI CLI's kill and delete, in one place for every container: its
 * status read off the kernel (StateStore.status, and the freezer for paused), signals to the
 * recorded init only (ProcessSignals.sendRecorded: its start time checked, through a pidfd where
 * the kernel has one) or to pids just read from its cgroup. The owner of a container of `jbox run`
 * (its foreground jbox, or a detached one's shim running `internal-finish`) releases network and
 * cgroup; stop and rm -f wait for that, rm -f with a deadline.
 */
public final class ContainerStop {
    /** How long rm -f waits for the owner to finish after SIGKILL. */
    private static final long RELEASE_NANOS = 10_000_000_000L;
    /** How long a forced removal waits for the init to exit after SIGKILL. */
    private static final long EXIT_NANOS = 5_000_000_000L;

    private final StateStore states;
    private final ContainerCgroups cgroups;

    public ContainerStop(StateStore states, ContainerCgroups cgroups) {
        this.states = states;
        this.cgroups = cgroups;
    }

    /** The status from the kernel, paused while the container's cgroup is frozen. */
    public Status status(ContainerRecord s) throws JboxException {
        Status status = states.status(s);
        if ((status == Status.RUNNING || status == Status.CREATED) && s.cgroup() != null && cgroups.frozen(s)) {
            return Status.PAUSED;
        }
        return status;
    }

    /**
     * `kill`: the signal to the recorded init, or with {@code all} to every process of its cgroup
     * (the init alone when it has none). SIGKILL thaws a paused container, as runc does: a frozen
     * process acts on it only once thawed.
     */
    public void kill(ContainerRecord s, String signal, boolean all) throws JboxException {
        Status status = status(s);
        if (!status.alive()) {
            throw new JboxException("cannot kill container " + s.id() + ": it is " + status.word());
        }
        List<Long> pids = all ? cgroups.pids(s) : List.of();
        if (pids.isEmpty()) {
            ProcessSignals.sendRecorded(s.pid(), s.pidStartTime(), signal);
        } else {
            ProcessSignals.send(pids, signal);
        }
        if (status == Status.PAUSED && isKill(signal)) {
            cgroups.freeze(s, false);
        }
    }

    private static boolean isKill(String signal) {
        String sig = signal.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        return sig.equals("KILL") || sig.equals("9");
    }

    /**
     * `stop`: SIGTERM, then SIGKILL once {@code seconds} have passed (PID 1 without a SIGTERM
     * handler ignores it: the kernel's rule, shown, not hidden), then waits until its owner has
     * cleaned up.
     */
    public void stop(ContainerRecord s, int seconds) throws JboxException {
        ProcessSignals.sendRecorded(s.pid(), s.pidStartTime(), "TERM");
        if (!ProcessSignals.awaitExit(s.pid(), s.pidStartTime(), seconds * 1_000_000_000L)) {
            try {
                ProcessSignals.sendRecorded(s.pid(), s.pidStartTime(), "KILL");
            } catch (JboxException exitedMeanwhile) {
                // it went on its own between the check and the signal
            }
        }
        while (states.isOwned(s.id())) { // its jbox is cleaning up
            ProcessSignals.pause();
        }
    }

    /**
     * A user's `jbox stop` of a container of `jbox run`: recorded first, so its --restart policy
     * does not start it again (RestartPolicy), then {@link #stop}. A container between two runs
     * (its monitor waiting out the back-off) is waited for; one that was started again meanwhile
     * is stopped again, until none runs and nobody owns it.
     */
    public void stopByUser(String ref, int seconds) throws JboxException {
        ContainerRecord s = states.find(ref);
        RestartPolicy.markStopped(states.dir(s.id()), true);
        boolean stopped = false;
        for (;;) {
            ContainerRecord now = states.read(s.id());
            if (now == null) {
                return; // removed as it ended (--rm)
            }
            s = now;
            boolean owned = states.isOwned(s.id());
            Status st = states.status(s);
            if (owned && st == Status.RUNNING) {
                try {
                    stop(s, seconds);
                } catch (JboxException e) {
                    if (states.status(s).alive()) {
                        throw e;
                    } // it exited between the look and the signal: look again
                }
                stopped = true;
            } else if (states.ownerLocked(s.id()) || owned && (st == Status.CREATING || finishing(s))) {
                // starting, restarting, or finishing (a monitor whose init exited holds its lock
                // until the exit is recorded): its owner decides once more, and sees the mark
                ProcessSignals.pause();
            } else if (stopped || RestartPolicy.read(states.dir(s.id())).policy().kind() != RestartPolicy.Kind.NO) {
                return;
            } else {
                throw new JboxException("container " + ref + " is not running");
            }
        }
    }

    /** Whether the monitor has written this run's exit record: its `internal-finish` is on the way. */
    private boolean finishing(ContainerRecord s) {
        return Files.exists(states.dir(s.id()).resolve(ContainerRunner.EXIT_RECORD));
    }

    /**
     * SIGKILL to a container that is alive (created, running or paused): to its init while it is
     * still the recorded process, and to the rest of its cgroup as the kernel lists it now; a paused
     * one is thawed so the signals take effect. Returns once the init has exited (at most
     * EXIT_NANOS); nothing to do for one that is not alive.
     */
    public void forceKill(ContainerRecord s, Status status) throws JboxException {
        if (!status.alive()) {
            return;
        }
        List<Long> pids = new ArrayList<>(cgroups.pids(s));
        pids.remove(s.pid()); // the recorded pid only through sendRecorded
        try {
            ProcessSignals.sendRecorded(s.pid(), s.pidStartTime(), "KILL");
        } catch (JboxException gone) {
            // exited meanwhile, or the pid names another process now: nothing of ours to kill
        }
        ProcessSignals.send(pids, "KILL");
        if (status == Status.PAUSED) {
            cgroups.freeze(s, false);
        }
        ProcessSignals.awaitExit(s.pid(), s.pidStartTime(), EXIT_NANOS);
    }

    /**
     * `rm -f` of a container that has an owner: {@link #forceKill}, then up to RELEASE_NANOS for
     * the owner to release network and cgroup; true if it did.
     */
    public boolean killForRemoval(ContainerRecord s) throws JboxException {
        RestartPolicy.markStopped(states.dir(s.id()), true); // no --restart start between the kill and the removal
        long deadline = System.nanoTime() + RELEASE_NANOS;
        for (;;) {
            forceKill(s, status(s));
            for (;;) {
                if (!states.isOwned(s.id())) {
                    return true;
                }
                ContainerRecord now = states.read(s.id());
                if (now != null && now.pid() != s.pid() && !states.ownerLocked(s.id()) && states.status(now).alive()) {
                    s = now; // its monitor started it again before it saw the mark: once more
                    break;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
                ProcessSignals.pause();
            }
        }
    }
}

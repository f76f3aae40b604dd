package jbox.runtime;

import jbox.JboxException;
import jbox.state.ContainerState;
import jbox.state.StateStore;

/**
 * kill, stop and rm -f of jbox's containers, in one place: signals go to the recorded init only
 * (ProcessSignals.sendRecorded: its start time checked, through a pidfd where the kernel has one),
 * and the owner of a container (its foreground jbox, or a detached one's shim running
 * `internal-finish`) releases network and cgroup; these wait for that with a deadline.
 */
public final class ContainerStop {
    /** How long rm -f waits for the owner to finish after SIGKILL. */
    private static final long RELEASE_NANOS = 10_000_000_000L;

    private final StateStore states;

    public ContainerStop(StateStore states) {
        this.states = states;
    }

    /** `kill`: the signal to a running container's init. */
    public void kill(ContainerState s, String signal) throws JboxException {
        ProcessSignals.sendRecorded(s.pid(), s.pidStartTime(), signal);
    }

    /**
     * `stop`: SIGTERM, then SIGKILL once {@code seconds} have passed (PID 1 without a SIGTERM
     * handler ignores it: the kernel's rule, shown, not hidden), then waits until its owner has
     * cleaned up.
     */
    public void stop(ContainerState s, int seconds) throws JboxException {
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
     * `rm -f` of a container that has an owner: SIGKILL to its init if it is still the recorded
     * process, then up to RELEASE_NANOS for the owner to release network and cgroup; true if it did.
     */
    public boolean killForRemoval(ContainerState s) throws JboxException {
        try {
            ProcessSignals.sendRecorded(s.pid(), s.pidStartTime(), "KILL");
        } catch (JboxException gone) {
            // exited meanwhile, or the pid names another process now: nothing of ours to kill
        }
        long deadline = System.nanoTime() + RELEASE_NANOS;
        while (states.isOwned(s.id())) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            ProcessSignals.pause();
        }
        return true;
    }
}

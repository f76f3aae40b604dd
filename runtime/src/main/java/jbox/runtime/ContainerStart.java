package jbox.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;

/**
 * Starting a stopped container of `jbox run` again, docker's `start`: by a user (`jbox start`,
 * `restart`) or by the container's own monitor after it exited, when its --restart policy says so
 * (`internal-finish`, run by the shim: no jbox process has to outlive the user's command).
 * Either way the starter holds the container's owner lock while it starts it, so two starts, or a
 * start and an `rm`, never overlap; a detached start hands over to the new shim's monitor lock.
 */
public final class ContainerStart {
    private final Config config;
    private final Timings timings;

    public ContainerStart(Config config, Timings timings) {
        this.config = config;
        this.timings = timings;
    }

    /**
     * `jbox start [-a] REF`. Returns the exit code with {@code attach} (the container ran in the
     * foreground), else 0 once it runs detached; a container that runs already is left as it is
     * (docker's start does nothing then and succeeds).
     */
    public int start(ContainerRecord found, boolean attach, ContainerRunner runner) throws JboxException {
        StateStore states = StateStore.ofRun(config.stateRoot());
        if (found.layerDir() == null || found.image() == null) {
            throw new JboxException("cannot start container " + found.shortId() + ": it never finished its creation");
        }
        if (states.isOwned(found.id())) {
            return 0;
        }
        try (LockFile owner = states.lock(found.id(), "lock")) {
            // Taken: no jbox runs it in the foreground; the monitor's lock tells of a detached one.
            ContainerRecord s = states.read(found.id());
            if (s == null) {
                throw new JboxException("no such container: " + found.shortId());
            }
            if (LockFile.isHeld(states.dir(s.id()).resolve(ContainerRunner.MONITOR_LOCK))) {
                return 0;
            }
            RestartPolicy.markStopped(states.dir(s.id()), false); // a user's start clears a user's stop
            return new ContainerLauncher(config, timings).start(s, attach, runner);
        }
    }

    /**
     * `internal-finish ID`, run by a detached container's shim once it exited (this process holds
     * the monitor lock the shim took): release network and cgroup and record the exit
     * (Cleanup.finish), then, if the restart policy says so and no user stopped it, start it again
     * after docker's back-off. The owner lock is taken first and kept until the new shim runs, so
     * nobody sees a container without an owner in between; the monitor lock this process
     * inherited is dropped just before the new shim takes it.
     */
    public void finish(String id, ContainerRunner runner) throws JboxException {
        StateStore states = StateStore.ofRun(config.stateRoot());
        if (!Files.isDirectory(states.dir(id))) {
            Cleanup.removeOrphanCgroup(config, id); // removed meanwhile (an rm -f that gave up waiting): its cgroup still goes
            return;
        }
        try (LockFile owner = states.lock(id, "lock")) {
            new Cleanup(config).finish(id);
            ContainerRecord s = states.read(id);
            if (s == null || s.autoRemove() || s.exitCode() == null) {
                return;
            }
            RestartPolicy.State policy = RestartPolicy.read(states.dir(id));
            if (!policy.due(s.exitCode())) {
                return;
            }
            dropMonitorLock(states.dir(id).resolve(ContainerRunner.MONITOR_LOCK));
            try {
                Thread.sleep(policy.delayMillis()); // docker's back-off; `jbox stop` meanwhile waits for the owner lock
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            policy = RestartPolicy.read(states.dir(id));
            if (!policy.due(s.exitCode())) {
                return; // stopped by a user during the back-off
            }
            RestartPolicy.counted(states.dir(id), policy);
            new ContainerLauncher(config, timings).start(s, false, runner);
        }
    }

    /**
     * An fcntl lock belongs to the process and drops when it closes any descriptor of the file:
     * the shim's, inherited by this process through its exec, goes with this open and close.
     */
    private static void dropMonitorLock(Path lock) throws JboxException {
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            // opened only to be closed
        } catch (IOException e) {
            throw new JboxException("cannot release the monitor lock " + lock + ": " + IoReason.of(e), e);
        }
    }
}

package jbox.state;

import java.util.Locale;

/**
 * A container's status as the runtime-spec names it, decided from the kernel each time (StateStore.status:
 * the recorded init alive with its start time, the start FIFO; ContainerStop.status adds the freezer).
 */
public enum Status {
    /** No init recorded yet: its create is running, or died before recording one. */
    CREATING,
    /** The init is alive and waits on the start FIFO. */
    CREATED,
    RUNNING,
    /** Alive with its cgroup frozen. */
    PAUSED,
    /** The init is gone, or a zombie nobody reaped yet. */
    STOPPED;

    /** The runtime-spec's word: "running", "stopped", ... */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Alive: created, running or paused. */
    public boolean alive() {
        return this == CREATED || this == RUNNING || this == PAUSED;
    }
}

package jbox.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import jbox.JboxException;

/**
 * Kills the processes listed in some cgroups (and in the cgroups below them) until none is left,
 * for removal: a cgroup with a process in it cannot be removed. What a cgroup.procs lists can
 * fork meanwhile, so this rereads and kills again until the lists stay empty or time is up.
 */
final class ProcessEviction {
    /** How long remove() waits for the processes to die before it gives up (rmdir then fails). */
    static final long DEADLINE_NANOS = 5_000_000_000L;
    /** How long rmdir may still be refused once the processes left: until their reaper has reaped them. */
    static final long REAP_GRACE_NANOS = 5_000_000_000L;

    private ProcessEviction() {
    }

    /** The pids in the cgroup.procs of each directory and of every cgroup below it. */
    static Set<Long> pids(List<Path> dirs) throws JboxException {
        Set<Long> pids = new TreeSet<>();
        for (Path dir : dirs) {
            collect(dir, pids);
        }
        return pids;
    }

    private static void collect(Path dir, Set<Long> pids) throws JboxException {
        for (String line : CgroupFiles.readOrEmpty(dir.resolve("cgroup.procs")).split("\n")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.strip()));
            }
        }
        for (Path child : CgroupFiles.children(dir)) {
            collect(child, pids);
        }
    }

    /** SIGKILL to each; ProcessHandle checks the start time, so a reused pid is not hit. */
    static void kill(Set<Long> pids) {
        long self = ProcessHandle.current().pid();
        for (long pid : pids) {
            if (pid != self) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Kills and rereads until the cgroups are empty; the pids still there when time ran out. */
    static Set<Long> killUntilEmpty(List<Path> dirs, long deadlineNanos) throws JboxException {
        long sleepMillis = 1;
        while (true) {
            Set<Long> pids = pids(dirs);
            if (pids.isEmpty() || System.nanoTime() - deadlineNanos > 0) {
                return pids;
            }
            kill(pids);
            pause(sleepMillis);
            sleepMillis = Math.min(sleepMillis * 2, 50);
        }
    }

    /**
     * Sleeps {@code millis} whether or not the thread is interrupted, and leaves the interrupt set
     * for the caller. Removal is clean-up and runs to its deadline: the engine interrupts a call
     * whose front end was killed, and that call's undo of a create used to return at the first
     * sleep with the init still dying, so rmdir failed and, the record gone, the cgroup stayed
     * (OciCliIT under load; CgroupV1IT removes on an interrupted thread).
     */
    static void pause(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        boolean interrupted = false;
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

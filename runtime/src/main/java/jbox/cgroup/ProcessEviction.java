package jbox.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return pids(dirs);
            }
            sleepMillis = Math.min(sleepMillis * 2, 50);
        }
    }
}

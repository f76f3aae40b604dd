package jbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import jbox.JboxException;

/**
 * Pause and resume (runc's pause/resume): the v1 freezer's freezer.state, or v2's cgroup.freeze
 * with the outcome in cgroup.events. Freezing is not instant (v1 passes through FREEZING while
 * tasks reach the refrigerator), so each change waits until the kernel reports it done.
 */
final class CgroupFreezer {
    /** How long a freeze may stay in progress before it is undone and reported. */
    static final long DEADLINE_NANOS = 10_000_000_000L;

    private CgroupFreezer() {
    }

    /** v1: FROZEN or THAWED in {@code dir}/freezer.state; dir is null when the host has no freezer hierarchy. */
    static void setV1(Path dir, boolean frozen) throws JboxException {
        Path state = requireFile(dir, "freezer.state", "the v1 freezer controller");
        String want = frozen ? "FROZEN" : "THAWED";
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        long sleepMillis = 1;
        while (true) {
            // Rewritten on every round, as runc does: a freeze can stall in FREEZING (a task in an
            // uninterruptible sleep) and a new write retries the tasks still outside the refrigerator.
            CgroupFiles.write(state, want);
            String now = CgroupFiles.read(state);
            if (now.equals(want)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                if (frozen) {
                    CgroupFiles.write(state, "THAWED");
                }
                throw new JboxException("cannot " + (frozen ? "freeze " : "thaw ") + dir + ": freezer.state still "
                        + now + " after " + DEADLINE_NANOS / 1_000_000_000 + " s");
            }
            sleepMillis = pause(sleepMillis);
        }
    }

    static boolean frozenV1(Path dir) throws JboxException {
        return dir != null && CgroupFiles.readOrEmpty(dir.resolve("freezer.state")).equals("FROZEN");
    }

    /** v2: 1 or 0 in cgroup.freeze, then wait for cgroup.events to say "frozen 1" or "frozen 0". */
    static void setV2(Path dir, boolean frozen) throws JboxException {
        Path freeze = requireFile(dir, "cgroup.freeze", "cgroup.freeze (Linux 5.2)");
        CgroupFiles.write(freeze, frozen ? "1" : "0");
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        long sleepMillis = 1;
        while (frozenV2(dir) != frozen) {
            if (System.nanoTime() - deadline > 0) {
                if (frozen) {
                    CgroupFiles.write(freeze, "0");
                }
                throw new JboxException("cannot " + (frozen ? "freeze " : "thaw ") + dir + ": cgroup.events still says frozen "
                        + (frozen ? 0 : 1) + " after " + DEADLINE_NANOS / 1_000_000_000 + " s");
            }
            sleepMillis = pause(sleepMillis);
        }
    }

    static boolean frozenV2(Path dir) throws JboxException {
        return CgroupFiles.keyed(dir.resolve("cgroup.events"), "frozen") == 1;
    }

    private static Path requireFile(Path dir, String name, String what) throws JboxException {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new JboxException("cannot pause or resume: " + (dir == null ? "this host has not mounted " + what
                    : dir + " does not exist (the container's cgroup is gone)"));
        }
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            throw new JboxException("cannot pause or resume: " + file + " does not exist (this kernel has no " + what + ")");
        }
        return file;
    }

    private static long pause(long millis) throws JboxException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JboxException("interrupted while waiting for the freezer", e);
        }
        return Math.min(millis * 2, 50);
    }
}

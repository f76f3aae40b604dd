package jbox.it;

import java.time.Duration;

/**
 * Waits for a condition with a deadline, never for a fixed time: the suite must pass on a machine
 * several times slower than the one it was written on, and a passing condition returns at once.
 */
final class Await {
    /**
     * Long enough for a JVM start, a container start and a few jbox commands on a slow, loaded machine
     * (at a load of 60 on 2 cores, one container was not running after 60 s); as long as Jbox.finish waits.
     */
    static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final long POLL_MS = 20;

    /** A condition that may do I/O (read state.json, list veths). */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Returns once {@code c} holds; fails naming {@code what} if it has not within {@link #DEADLINE}. */
    static void until(String what, Condition c) throws Exception {
        if (!within(DEADLINE, c)) {
            throw new AssertionError(what + ": not within " + DEADLINE.toSeconds() + " s");
        }
    }

    /** True once {@code c} holds, false if it still does not after {@code limit}. */
    static boolean within(Duration limit, Condition c) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!c.holds()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL_MS);
        }
        return true;
    }
}

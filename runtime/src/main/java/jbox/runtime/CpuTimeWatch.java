package jbox.runtime;

import jbox.JboxException;
import jbox.cgroup.CgroupUsage;
import jbox.cgroup.ContainerCgroup;

/**
 * --cpu-time for the whole container: reads the cgroup's CPU usage (every process of the
 * container, not one as RLIMIT_CPU counts) every {@code interval} and SIGKILLs the container once
 * it reaches the limit. The init's death ends its PID namespace; the cgroup's removal takes
 * anything left. Runs in the foreground jbox: a detached container has no jbox to read for it.
 */
final class CpuTimeWatch {
    private final Thread thread;
    private volatile boolean reached;

    private CpuTimeWatch(ContainerCgroup cgroup, long limitMicros, long intervalMillis, ContainerRunner runner) {
        thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    CgroupUsage u = cgroup.usage();
                    if (u.cpuUserMicros() + u.cpuSystemMicros() >= limitMicros) {
                        reached = true;
                        runner.forwardSignal(9);
                        return;
                    }
                    Thread.sleep(intervalMillis); // the polling period, not a wait for an event
                }
            } catch (InterruptedException done) {
                // the container ended first
            } catch (JboxException e) {
                // the cgroup is gone: the container has ended
            }
        }, "jbox-cpu-time");
        thread.setDaemon(true);
    }

    static CpuTimeWatch start(ContainerCgroup cgroup, long limitSeconds, long intervalMillis, ContainerRunner runner) {
        CpuTimeWatch w = new CpuTimeWatch(cgroup, limitSeconds * 1_000_000, intervalMillis, runner);
        w.thread.start();
        return w;
    }

    /** True once the container was killed for its CPU time. */
    boolean reached() {
        return reached;
    }

    void stop() {
        thread.interrupt();
    }
}

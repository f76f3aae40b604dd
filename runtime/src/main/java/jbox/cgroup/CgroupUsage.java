package jbox.cgroup;

/**
 * What a container used, read from its cgroup before removal: peak memory (0 when the kernel
 * does not record it), how many of its processes the OOM killer took, how many forks the pids
 * limit refused, and its cpu time in microseconds.
 */
public record CgroupUsage(long peakMemoryBytes, long oomKills, long pidsLimitHits, long cpuUserMicros,
        long cpuSystemMicros) {
}

package jbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import jbox.JboxException;

/**
 * New limits for a live container's cgroup (runc's `update`); null leaves a value as it is.
 * memorySwapBytes is memory plus swap and -1 unlimited, as docker and the OCI spec count it;
 * memoryBytes and cpuQuotaMicros take -1 for unlimited too; pidsLimit below 0 is unlimited and 0
 * leaves it as runc does; memoryReservationBytes is the soft limit.
 */
public record CgroupUpdate(Long memoryBytes, Long memorySwapBytes, Long memoryReservationBytes, Long pidsLimit,
        Long cpuQuotaMicros, Long cpuPeriodMicros, Long cpuShares, String cpusetCpus, String cpusetMems) {

    public boolean isEmpty() {
        return memoryBytes == null && memorySwapBytes == null && memoryReservationBytes == null && pidsLimit == null
                && cpuQuotaMicros == null && cpuPeriodMicros == null && cpuShares == null && cpusetCpus == null
                && cpusetMems == null;
    }

    /** v1: each value to its controller's directory ({@code dirOf} gives null for one the host has not joined). */
    void applyV1(Function<String, Path> dirOf) throws JboxException {
        if (memoryBytes != null || memorySwapBytes != null || memoryReservationBytes != null) {
            Path memory = need(dirOf, "memory");
            Path limit = memory.resolve("memory.limit_in_bytes");
            Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
            // The kernel keeps memsw >= memory at every step: raise memsw first when memory grows.
            boolean swapFirst = memorySwapBytes != null && (memorySwapBytes == CgroupResources.UNLIMITED
                    || (memoryBytes != null && (memoryBytes == CgroupResources.UNLIMITED
                    || memoryBytes > CgroupFiles.number(limit))));
            if (swapFirst) {
                CgroupFiles.write(memsw, memorySwapBytes.toString());
            }
            if (memoryBytes != null) {
                CgroupFiles.write(limit, memoryBytes.toString());
            }
            if (memorySwapBytes != null && !swapFirst) {
                CgroupFiles.write(memsw, memorySwapBytes.toString());
            }
            if (memoryReservationBytes != null) {
                CgroupFiles.write(memory.resolve("memory.soft_limit_in_bytes"), memoryReservationBytes.toString());
            }
        }
        if (pidsLimit != null && pidsLimit != 0) {
            CgroupFiles.write(need(dirOf, "pids").resolve("pids.max"), pidsLimit > 0 ? pidsLimit.toString() : "max");
        }
        if (cpuPeriodMicros != null) {
            CgroupFiles.write(need(dirOf, "cpu").resolve("cpu.cfs_period_us"), cpuPeriodMicros.toString());
        }
        if (cpuQuotaMicros != null) {
            CgroupFiles.write(need(dirOf, "cpu").resolve("cpu.cfs_quota_us"), cpuQuotaMicros.toString());
        }
        if (cpuShares != null) {
            CgroupFiles.write(need(dirOf, "cpu").resolve("cpu.shares"), cpuShares.toString());
        }
        if (cpusetCpus != null) {
            CgroupFiles.write(need(dirOf, "cpuset").resolve("cpuset.cpus"), cpusetCpus);
        }
        if (cpusetMems != null) {
            CgroupFiles.write(need(dirOf, "cpuset").resolve("cpuset.mems"), cpusetMems);
        }
    }

    private static Path need(Function<String, Path> dirOf, String controller) throws JboxException {
        Path dir = dirOf.apply(controller);
        if (dir == null) {
            throw new JboxException("cannot update: the container's cgroup has no " + controller + " controller on this host");
        }
        return dir;
    }

    /** v2: the unified directory's files, with docker's conversions (as at create, see CgroupV2). */
    void applyV2(Path dir) throws JboxException {
        if (memoryBytes != null) {
            CgroupFiles.write(dir.resolve("memory.max"), unlimitedAsMax(memoryBytes));
        }
        if (memorySwapBytes != null) {
            long memory = memoryBytes != null ? memoryBytes : currentNumber(dir.resolve("memory.max"), "--memory-swap");
            CgroupFiles.write(dir.resolve("memory.swap.max"), memory == CgroupResources.UNLIMITED ? "max"
                    : CgroupV2.swapMax(memory, memorySwapBytes));
        }
        if (memoryReservationBytes != null) {
            CgroupFiles.write(dir.resolve("memory.low"), unlimitedAsMax(memoryReservationBytes));
        }
        if (pidsLimit != null && pidsLimit != 0) {
            CgroupFiles.write(dir.resolve("pids.max"), pidsLimit > 0 ? pidsLimit.toString() : "max");
        }
        if (cpuQuotaMicros != null || cpuPeriodMicros != null) {
            // cpu.max holds both: the one not given keeps its current value.
            String[] now = CgroupFiles.readOrEmpty(dir.resolve("cpu.max")).split(" ");
            String quota = cpuQuotaMicros != null ? unlimitedAsMax(cpuQuotaMicros) : now[0].isEmpty() ? "max" : now[0];
            String period = cpuPeriodMicros != null ? cpuPeriodMicros.toString()
                    : now.length > 1 ? now[1] : Long.toString(CgroupResources.DEFAULT_CPU_PERIOD_MICROS);
            CgroupFiles.write(dir.resolve("cpu.max"), quota + " " + period);
        }
        if (cpuShares != null) {
            CgroupFiles.write(dir.resolve("cpu.weight"), Long.toString(CgroupV2.weightFromShares(cpuShares)));
        }
        for (String[] cpuset : new String[][] {{"cpuset.cpus", cpusetCpus}, {"cpuset.mems", cpusetMems}}) {
            if (cpuset[1] == null) {
                continue;
            }
            if (!Files.exists(dir.resolve(cpuset[0]))) {
                throw new JboxException("cannot update " + cpuset[0] + ": jbox does not delegate the cpuset controller on cgroup v2");
            }
            CgroupFiles.write(dir.resolve(cpuset[0]), cpuset[1]);
        }
    }

    private static String unlimitedAsMax(long value) {
        return value == CgroupResources.UNLIMITED ? "max" : Long.toString(value);
    }

    private static long currentNumber(Path file, String what) throws JboxException {
        String text = CgroupFiles.readOrEmpty(file);
        if (text.equals("max")) {
            return CgroupResources.UNLIMITED;
        }
        if (text.isEmpty()) {
            throw new JboxException("cannot update " + what + ": " + file + " does not exist");
        }
        return CgroupFiles.number(file);
    }
}

package jbox.cgroup;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The limits only OCI configs set (jbox run has no flags for them), as the cgroup files want
 * them; null or empty means "not set". On v1 they go to memory, cpuset, cpu, blkio, hugetlb,
 * net_cls and net_prio; on v2 to memory.low, cpuset, io, hugetlb and the unified key/values,
 * while swappiness, the OOM killer switch, real-time bandwidth and the network classes, which v2
 * has no files for, are left alone as runc leaves them (docs/oci-config.md).
 *
 * @param hugepageLimits page size ("2MB") → bytes, in the config's order
 * @param netPriorities "IFNAME PRIORITY" lines for net_prio.ifpriomap
 * @param unified v2 file name → value, written last (they override what jbox wrote before)
 */
public record OciResources(Long memoryReservation, Long swappiness, boolean disableOomKiller, String cpusetCpus,
        String cpusetMems, Long realtimeRuntime, Long realtimePeriod, BlockIo blockIo, Map<String, Long> hugepageLimits,
        Long netClassId, List<String> netPriorities, Map<String, String> unified) {

    public static final OciResources NONE = new OciResources(null, null, false, null, null, null, null, null, null,
            null, null, null);

    public OciResources {
        hugepageLimits = hugepageLimits == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hugepageLimits));
        netPriorities = netPriorities == null ? List.of() : List.copyOf(netPriorities);
        unified = unified == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(unified));
        cpusetCpus = cpusetCpus == null || cpusetCpus.isEmpty() ? null : cpusetCpus;
        cpusetMems = cpusetMems == null || cpusetMems.isEmpty() ? null : cpusetMems;
    }

    /**
     * blkio (v1) / io (v2). weight and leafWeight 0 or null: unset, as runc. Throttles are
     * "MAJOR:MINOR RATE" per device.
     */
    public record BlockIo(Integer weight, Integer leafWeight, List<WeightDevice> weightDevices, List<Throttle> readBps,
            List<Throttle> writeBps, List<Throttle> readIops, List<Throttle> writeIops) {
        public BlockIo {
            weightDevices = weightDevices == null ? List.of() : List.copyOf(weightDevices);
            readBps = readBps == null ? List.of() : List.copyOf(readBps);
            writeBps = writeBps == null ? List.of() : List.copyOf(writeBps);
            readIops = readIops == null ? List.of() : List.copyOf(readIops);
            writeIops = writeIops == null ? List.of() : List.copyOf(writeIops);
        }

        boolean isEmpty() {
            return set(weight) == null && set(leafWeight) == null && weightDevices.isEmpty() && readBps.isEmpty()
                    && writeBps.isEmpty() && readIops.isEmpty() && writeIops.isEmpty();
        }
    }

    public record WeightDevice(long major, long minor, Integer weight, Integer leafWeight) {
    }

    public record Throttle(long major, long minor, long rate) {
        /** "8:0 1048576", blkio.throttle.*_device's line. */
        String line() {
            return major + ":" + minor + " " + rate;
        }
    }

    public boolean isEmpty() {
        return memoryReservation == null && swappiness == null && !disableOomKiller && cpusetCpus == null
                && cpusetMems == null && realtimeRuntime == null && realtimePeriod == null
                && (blockIo == null || blockIo.isEmpty()) && hugepageLimits.isEmpty() && netClassId == null
                && netPriorities.isEmpty() && unified.isEmpty();
    }

    /** True when the memory controller has something to do. */
    boolean needsMemory() {
        return memoryReservation != null || swappiness != null || disableOomKiller;
    }

    boolean needsCpuset() {
        return cpusetCpus != null || cpusetMems != null;
    }

    boolean needsBlockIo() {
        return blockIo != null && !blockIo.isEmpty();
    }

    /** A weight of 0 is runc's "unset". */
    static Integer set(Integer weight) {
        return weight == null || weight == 0 ? null : weight;
    }
}

package jbox.cgroup;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import jbox.JboxException;

/**
 * A container cgroup's statistics in the shape of runc's `events` data (runc's types/events.go:
 * cpu, cpuset, memory, pids, blkio, hugetlb, intel_rdt, network_interfaces), as nested maps in
 * runc's key order: containerd's shim decodes them by these names. Keys runc marks omitempty are
 * left out when zero. Numbers are bytes and nanoseconds, as runc reports them; v2 values are
 * converted as runc does (swap counts memory plus swap, as v1's memsw does; "max" is 2^64-1).
 */
public final class CgroupStats {
    /** runc's math.MaxUint64 for an unlimited v2 value. */
    static final BigInteger UNLIMITED_V2 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** cpuacct.stat counts USER_HZ ticks (100 a second): in nanoseconds. */
    private static final long NANOS_PER_TICK = 10_000_000;
    private static final List<String> CPUSET_NUMBERS = List.of("cpu_exclusive", "mem_hardwall", "mem_exclusive",
            "memory_migrate", "memory_spread_page", "memory_spread_slab", "memory_pressure", "sched_load_balance",
            "sched_relax_domain_level");

    private CgroupStats() {
    }

    /** v1: {@code dirOf} gives the container's directory of a controller, null for one not joined. */
    static Map<String, Object> v1(Function<String, Path> dirOf) throws JboxException {
        Map<String, Object> data = new LinkedHashMap<>();
        Path cpuacct = dirOf.apply("cpuacct");
        Path cpu = dirOf.apply("cpu");
        Map<String, Object> usage = new LinkedHashMap<>();
        if (cpuacct != null) {
            omitZero(usage, "total", CgroupFiles.number(cpuacct.resolve("cpuacct.usage")));
            omitEmpty(usage, "percpu", numbers(cpuacct.resolve("cpuacct.usage_percpu")));
            omitEmpty(usage, "percpu_kernel", numbers(cpuacct.resolve("cpuacct.usage_percpu_sys")));
            omitEmpty(usage, "percpu_user", numbers(cpuacct.resolve("cpuacct.usage_percpu_user")));
        }
        Path stat = cpuacct == null ? null : cpuacct.resolve("cpuacct.stat");
        usage.put("kernel", stat == null ? 0 : CgroupFiles.keyed(stat, "system") * NANOS_PER_TICK);
        usage.put("user", stat == null ? 0 : CgroupFiles.keyed(stat, "user") * NANOS_PER_TICK);
        Path cpuStat = cpu == null ? null : cpu.resolve("cpu.stat");
        data.put("cpu", cpu(usage, cpuStat, "throttled_time", 1));
        data.put("cpuset", cpuset(dirOf.apply("cpuset")));

        Path memory = dirOf.apply("memory");
        Map<String, Object> mem = new LinkedHashMap<>();
        if (memory != null) {
            Map<String, Object> raw = flatKeyed(memory.resolve("memory.stat"));
            omitZero(mem, "cache", raw.getOrDefault("cache", 0L));
            mem.put("usage", entryV1(memory, "memory."));
            mem.put("swap", entryV1(memory, "memory.memsw."));
            mem.put("kernel", entryV1(memory, "memory.kmem."));
            mem.put("kernelTCP", entryV1(memory, "memory.kmem.tcp."));
            omitEmpty(mem, "raw", raw);
        }
        data.put("memory", mem);
        data.put("pids", pids(dirOf.apply("pids")));
        rest(data);
        return data;
    }

    /** v2: the one unified directory. */
    static Map<String, Object> v2(Path dir) throws JboxException {
        Map<String, Object> data = new LinkedHashMap<>();
        Path cpuStat = dir.resolve("cpu.stat");
        Map<String, Object> usage = new LinkedHashMap<>();
        omitZero(usage, "total", CgroupFiles.keyed(cpuStat, "usage_usec") * 1000);
        usage.put("kernel", CgroupFiles.keyed(cpuStat, "system_usec") * 1000);
        usage.put("user", CgroupFiles.keyed(cpuStat, "user_usec") * 1000);
        data.put("cpu", cpu(usage, cpuStat, "throttled_usec", 1000));
        data.put("cpuset", cpuset(dir.resolve("cpuset.cpus").toFile().exists() ? dir : null));

        Map<String, Object> raw = flatKeyed(dir.resolve("memory.stat"));
        Map<String, Object> mem = new LinkedHashMap<>();
        omitZero(mem, "cache", raw.getOrDefault("file", 0L));
        long current = CgroupFiles.number(dir.resolve("memory.current"));
        Number limit = maxOrNumber(dir.resolve("memory.max"));
        Map<String, Object> used = entry(limit, current, CgroupFiles.number(dir.resolve("memory.peak")),
                CgroupFiles.keyed(dir.resolve("memory.events"), "max"));
        mem.put("usage", used);
        Number swapLimit = maxOrNumber(dir.resolve("memory.swap.max"));
        if (!swapLimit.equals(UNLIMITED_V2) && !limit.equals(UNLIMITED_V2)) {
            swapLimit = swapLimit.longValue() + limit.longValue();
        } else {
            swapLimit = UNLIMITED_V2;
        }
        mem.put("swap", entry(swapLimit, CgroupFiles.number(dir.resolve("memory.swap.current")) + current, 0,
                CgroupFiles.keyed(dir.resolve("memory.swap.events"), "max")));
        mem.put("kernel", entry(0, 0, 0, 0));
        mem.put("kernelTCP", entry(0, 0, 0, 0));
        omitEmpty(mem, "raw", raw);
        data.put("memory", mem);
        data.put("pids", pids(dir));
        rest(data);
        return data;
    }

    private static Map<String, Object> cpu(Map<String, Object> usage, Path cpuStat, String throttledKey, long toNanos)
            throws JboxException {
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("usage", usage);
        Map<String, Object> throttling = new LinkedHashMap<>();
        if (cpuStat != null) {
            omitZero(throttling, "periods", CgroupFiles.keyed(cpuStat, "nr_periods"));
            omitZero(throttling, "throttledPeriods", CgroupFiles.keyed(cpuStat, "nr_throttled"));
            omitZero(throttling, "throttledTime", CgroupFiles.keyed(cpuStat, throttledKey) * toNanos);
        }
        cpu.put("throttling", throttling);
        return cpu;
    }

    private static Map<String, Object> cpuset(Path dir) throws JboxException {
        Map<String, Object> cpuset = new LinkedHashMap<>();
        omitEmpty(cpuset, "cpus", dir == null ? List.of() : ranges(CgroupFiles.readOrEmpty(dir.resolve("cpuset.cpus"))));
        for (String name : CPUSET_NUMBERS) {
            if (name.equals("mem_hardwall")) { // runc's order: cpus, cpu_exclusive, mems, mem_hardwall...
                omitEmpty(cpuset, "mems", dir == null ? List.of() : ranges(CgroupFiles.readOrEmpty(dir.resolve("cpuset.mems"))));
            }
            cpuset.put(name, dir == null ? 0 : CgroupFiles.number(dir.resolve("cpuset." + name)));
        }
        return cpuset;
    }

    private static Map<String, Object> pids(Path dir) throws JboxException {
        Map<String, Object> pids = new LinkedHashMap<>();
        if (dir != null) {
            omitZero(pids, "current", CgroupFiles.number(dir.resolve("pids.current")));
            String max = CgroupFiles.readOrEmpty(dir.resolve("pids.max"));
            omitZero(pids, "limit", max.isEmpty() || max.equals("max") ? 0 : CgroupFiles.number(dir.resolve("pids.max")));
        }
        return pids;
    }

    /** What jbox does not account: present and empty, as runc prints them without those controllers. */
    private static void rest(Map<String, Object> data) {
        data.put("blkio", new LinkedHashMap<>());
        data.put("hugetlb", new LinkedHashMap<>());
        data.put("intel_rdt", new LinkedHashMap<>());
        data.put("network_interfaces", null);
    }

    private static Map<String, Object> entryV1(Path memory, String prefix) throws JboxException {
        return entry(CgroupFiles.number(memory.resolve(prefix + "limit_in_bytes")),
                CgroupFiles.number(memory.resolve(prefix + "usage_in_bytes")),
                CgroupFiles.number(memory.resolve(prefix + "max_usage_in_bytes")),
                CgroupFiles.number(memory.resolve(prefix + "failcnt")));
    }

    /** runc's MemoryEntry: limit and failcnt always, usage and max when not zero. */
    private static Map<String, Object> entry(Number limit, long usage, long max, long failcnt) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("limit", limit);
        omitZero(e, "usage", usage);
        omitZero(e, "max", max);
        e.put("failcnt", failcnt);
        return e;
    }

    private static Number maxOrNumber(Path file) throws JboxException {
        String text = CgroupFiles.readOrEmpty(file);
        return text.equals("max") ? UNLIMITED_V2 : Long.valueOf(CgroupFiles.number(file));
    }

    /** "key value" lines (memory.stat) in file order. */
    private static Map<String, Object> flatKeyed(Path file) throws JboxException {
        Map<String, Object> values = new TreeMap<>(); // runc's map: encoding/json sorts the keys
        for (String line : CgroupFiles.readOrEmpty(file).split("\n")) {
            String[] kv = line.strip().split(" ");
            if (kv.length == 2) {
                try {
                    values.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    throw new JboxException("cannot read " + file + ": expected a number for " + kv[0] + ", found \"" + kv[1] + "\"", e);
                }
            }
        }
        return values;
    }

    /** Space-separated numbers (cpuacct.usage_percpu); none when the file is absent. */
    private static List<Long> numbers(Path file) throws JboxException {
        List<Long> out = new ArrayList<>();
        for (String n : CgroupFiles.readOrEmpty(file).split("\\s+")) {
            if (!n.isEmpty()) {
                try {
                    out.add(Long.parseLong(n));
                } catch (NumberFormatException e) {
                    throw new JboxException("cannot read " + file + ": expected numbers, found \"" + n + "\"", e);
                }
            }
        }
        return out;
    }

    /** A cpu list such as "0-2,5" as [0, 1, 2, 5]. */
    static List<Integer> ranges(String list) throws JboxException {
        List<Integer> out = new ArrayList<>();
        for (String part : list.strip().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                int dash = part.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
                for (int i = from; i <= to; i++) {
                    out.add(i);
                }
            } catch (NumberFormatException e) {
                throw new JboxException("invalid cpu list \"" + list + "\"", e);
            }
        }
        return out;
    }

    private static void omitZero(Map<String, Object> map, String key, long value) {
        if (value != 0) {
            map.put(key, value);
        }
    }

    private static void omitZero(Map<String, Object> map, String key, Object value) {
        if (!(value instanceof Long l) || l != 0) {
            map.put(key, value);
        }
    }

    private static void omitEmpty(Map<String, Object> map, String key, Object value) {
        if (value instanceof Collection<?> c ? !c.isEmpty() : !((Map<?, ?>) value).isEmpty()) {
            map.put(key, value);
        }
    }
}

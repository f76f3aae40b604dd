package jbox.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The events data's shape and units from interface files laid out as the kernel does (v1: one
 * directory per controller; v2: one), read as runc reads them. The real kernel's output is
 * compared with runc's in OciVerbsIT.
 */
class CgroupStatsTest {
    @TempDir
    Path tmp;

    private void write(Path dir, String name, String content) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name), content + "\n");
    }

    @Test
    @SuppressWarnings("unchecked")
    void v1InRuncsShapeAndUnits() throws Exception {
        Path cpuacct = tmp.resolve("cpuacct");
        write(cpuacct, "cpuacct.usage", "3000");
        write(cpuacct, "cpuacct.usage_percpu", "1000 2000 ");
        write(cpuacct, "cpuacct.stat", "user 2\nsystem 3");
        Path cpu = tmp.resolve("cpu");
        write(cpu, "cpu.stat", "nr_periods 4\nnr_throttled 0\nthrottled_time 0");
        Path memory = tmp.resolve("memory");
        write(memory, "memory.limit_in_bytes", "52428800");
        write(memory, "memory.usage_in_bytes", "4096");
        write(memory, "memory.max_usage_in_bytes", "8192");
        write(memory, "memory.failcnt", "0");
        write(memory, "memory.stat", "rss 4096\ncache 0");
        Path pids = tmp.resolve("pids");
        write(pids, "pids.current", "2");
        write(pids, "pids.max", "max");
        Map<String, Path> dirs = Map.of("cpuacct", cpuacct, "cpu", cpu, "memory", memory, "pids", pids);

        Map<String, Object> d = CgroupStats.v1(dirs::get);
        assertEquals(List.of("cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"),
                List.copyOf(d.keySet()));
        Map<String, Object> usage = (Map<String, Object>) ((Map<String, Object>) d.get("cpu")).get("usage");
        assertEquals(Map.of("total", 3000L, "percpu", List.of(1000L, 2000L), "kernel", 30_000_000L, "user", 20_000_000L), usage);
        // runc's omitempty: zero throttling counts are left out, the object stays.
        assertEquals(Map.of("periods", 4L), ((Map<String, Object>) d.get("cpu")).get("throttling"));
        Map<String, Object> mem = (Map<String, Object>) d.get("memory");
        assertFalse(mem.containsKey("cache"));
        assertEquals(Map.of("limit", 52428800L, "usage", 4096L, "max", 8192L, "failcnt", 0L), mem.get("usage"));
        assertEquals(Map.of("limit", 0L, "failcnt", 0L), mem.get("swap"));
        assertEquals(Map.of("cache", 0L, "rss", 4096L), mem.get("raw"));
        assertEquals(Map.of("current", 2L), d.get("pids"));
        assertEquals(null, d.get("network_interfaces"));
        assertEquals(Map.of(), d.get("blkio"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void v2ConvertsAsRuncDoes() throws Exception {
        Path dir = tmp.resolve("c");
        write(dir, "cpu.stat", "usage_usec 5\nuser_usec 3\nsystem_usec 2\nnr_periods 0\nnr_throttled 0\nthrottled_usec 7");
        write(dir, "memory.current", "1000");
        write(dir, "memory.max", "max");
        write(dir, "memory.peak", "3000");
        write(dir, "memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1");
        write(dir, "memory.swap.current", "500");
        write(dir, "memory.swap.max", "max");
        write(dir, "memory.stat", "anon 1000\nfile 24");
        write(dir, "pids.current", "3");
        write(dir, "pids.max", "10");

        Map<String, Object> d = CgroupStats.v2(dir);
        Map<String, Object> cpu = (Map<String, Object>) d.get("cpu");
        assertEquals(Map.of("total", 5000L, "kernel", 2000L, "user", 3000L), cpu.get("usage"));
        assertEquals(Map.of("throttledTime", 7000L), cpu.get("throttling"));
        Map<String, Object> mem = (Map<String, Object>) d.get("memory");
        assertEquals(24L, mem.get("cache"));
        assertEquals(Map.of("limit", CgroupStats.UNLIMITED_V2, "usage", 1000L, "max", 3000L, "failcnt", 4L), mem.get("usage"));
        // swap counts memory too, as v1's memsw.
        assertEquals(Map.of("limit", CgroupStats.UNLIMITED_V2, "usage", 1500L, "failcnt", 0L), mem.get("swap"));
        assertEquals(Map.of("current", 3L, "limit", 10L), d.get("pids"));
    }

    @Test
    void cpuListsAsRuncReadsThem() throws Exception {
        assertEquals(List.of(0, 1, 2, 5), CgroupStats.ranges("0-2,5"));
        assertEquals(List.of(), CgroupStats.ranges(""));
    }
}

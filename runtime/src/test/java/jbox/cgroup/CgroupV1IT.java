package jbox.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Container cgroups on the real kernel's v1 hierarchies (as root), each test under a parent of its
 * own that the clean-up removes from every hierarchy whatever happened.
 */
class CgroupV1IT {
    private CgroupHost host;
    private TestCgroups cgroups;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(TestCgroups.isRoot(), "needs root");
        host = CgroupHost.detect();
        assumeTrue(host.version() == CgroupHost.Version.V1, "the host's cgroups are not v1");
        cgroups = new TestCgroups();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (cgroups != null) {
            cgroups.sweep(host);
            assertEquals(List.of(), cgroups.leftovers());
        }
    }

    private Path dir(String controller, String id) {
        return host.hierarchy(controller).resolve(cgroups.parent).resolve(id);
    }

    private String read(String controller, String id, String file) throws Exception {
        return Files.readString(dir(controller, id).resolve(file)).strip();
    }

    @Test
    void limitsReachTheKernelsFiles() throws Exception {
        ContainerCgroup.create(host, cgroups.parent, "c1",
                new CgroupResources(64L << 20, null, 10L, null, null, 512L).withCpus(0.5));
        assertEquals("67108864", read("memory", "c1", "memory.limit_in_bytes"));
        assertEquals("10", read("pids", "c1", "pids.max"));
        assertEquals("50000", read("cpu", "c1", "cpu.cfs_quota_us"));
        assertEquals("100000", read("cpu", "c1", "cpu.cfs_period_us"));
        assertEquals("512", read("cpu", "c1", "cpu.shares"));
        String rootCpus = Files.readString(host.hierarchy("cpuset").resolve("cpuset.cpus")).strip();
        assertEquals(rootCpus, read("cpuset", "c1", "cpuset.cpus"));
    }

    @Test
    void swapLimitReachesMemsw() throws Exception {
        assumeTrue(Files.exists(host.hierarchy("memory").resolve("memory.memsw.limit_in_bytes")), "no swap accounting");
        ContainerCgroup.create(host, cgroups.parent, "c1", new CgroupResources(64L << 20, 96L << 20, null, null, null, null));
        assertEquals("100663296", read("memory", "c1", "memory.memsw.limit_in_bytes"));
    }

    @Test
    void anAddedProcessIsInEveryJoinedHierarchy() throws Exception {
        ContainerCgroup c = ContainerCgroup.create(host, cgroups.parent, "c1", CgroupResources.none());
        Process sleep = cgroups.start("sleep", "30");
        c.add(sleep.pid());
        List<String> seen = TestCgroups.procCgroup(sleep.pid());
        for (Map.Entry<Path, List<String>> h : host.joinedHierarchies().entrySet()) {
            Path procs = h.getKey().resolve(cgroups.parent).resolve("c1").resolve("cgroup.procs");
            assertEquals(List.of(Long.toString(sleep.pid())), Files.readAllLines(procs), procs.toString());
            for (String controller : h.getValue()) {
                assertTrue(seen.stream().anyMatch(l -> inCgroup(l, controller, c.relativePath())), controller + ": " + seen);
            }
        }
    }

    /** "4:memory:/jbox-test-x/c1" (or "3:cpu,cpuacct:/..." when co-mounted) names controller at path. */
    private static boolean inCgroup(String line, String controller, String path) {
        String[] parts = line.split(":", 3);
        return Arrays.asList(parts[1].split(",")).contains(controller) && parts[2].equals(path);
    }

    @Test
    void forksBeyondThePidsLimitFailAndAreCounted() throws Exception {
        ContainerCgroup c = ContainerCgroup.create(host, cgroups.parent, "c1", new CgroupResources(null, null, 10L, null, null, null));
        Process sh = cgroups.start("sh", "-c", "read go; i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); done; echo forked all");
        c.add(sh.pid());
        TestCgroups.go(sh);
        assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
        String out = new String(sh.getInputStream().readAllBytes());
        assertFalse(out.contains("forked all"), out);
        assertTrue(Long.parseLong(read("pids", "c1", "pids.current")) <= 10);
        assertTrue(c.usage().pidsLimitHits() > 0, c.usage().toString());
    }

    @Test
    void aProcessBeyondTheMemoryLimitIsOomKilledAndCounted() throws Exception {
        long limit = 32L << 20;
        ContainerCgroup c = ContainerCgroup.create(host, cgroups.parent, "c1", new CgroupResources(limit, limit, null, null, null, null));
        // dd reads 100 MiB of zeros into one buffer: every page of it is touched and charged.
        Process hog = cgroups.start("sh", "-c", "read go; exec dd if=/dev/zero of=/dev/null bs=100M count=1");
        c.add(hog.pid());
        TestCgroups.go(hog);
        assertTrue(hog.waitFor(20, TimeUnit.SECONDS));
        assertEquals(128 + 9, hog.exitValue(), new String(hog.getInputStream().readAllBytes()));
        CgroupUsage usage = c.usage();
        assertTrue(usage.oomKills() > 0, usage.toString());
        assertTrue(usage.peakMemoryBytes() > limit / 2 && usage.peakMemoryBytes() <= limit, usage.toString());
    }

    @Test
    void cpuTimeIsReported() throws Exception {
        ContainerCgroup c = ContainerCgroup.create(host, cgroups.parent, "c1", CgroupResources.none());
        Process busy = cgroups.start("sh", "-c", "read go; i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done");
        c.add(busy.pid());
        TestCgroups.go(busy);
        assertTrue(busy.waitFor(30, TimeUnit.SECONDS));
        CgroupUsage usage = c.usage();
        assertTrue(usage.cpuUserMicros() + usage.cpuSystemMicros() >= 10_000, usage.toString());
    }

    @Test
    void removeKillsWhatIsLeftAndLeavesNoDirectory() throws Exception {
        ContainerCgroup c = ContainerCgroup.create(host, cgroups.parent, "c1", new CgroupResources(null, null, 50L, null, null, null));
        // a shell whose children outlive it: orphans still in the cgroup
        Process sh = cgroups.start("sh", "-c", "read go; for i in 1 2 3 4 5; do sleep 60 & done; echo started; exec sleep 60");
        c.add(sh.pid());
        TestCgroups.go(sh);
        assertEquals("started", new String(sh.getInputStream().readNBytes(8)).strip());
        assertEquals(6, Files.readAllLines(dir("pids", "c1").resolve("cgroup.procs")).size());
        long start = System.nanoTime();
        c.remove();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(sh.waitFor(30, TimeUnit.SECONDS));
        for (Path h : host.joinedHierarchies().keySet()) {
            assertFalse(Files.exists(h.resolve(cgroups.parent)), h.toString());
        }
        assertEquals(List.of(), cgroups.leftovers());
        assertTrue(millis < 2000, "remove took " + millis + " ms");
        c.remove();
        assertFalse(c.exists());
    }

    /**
     * The engine interrupts a call whose front end was killed, and that call then undoes what it
     * made: removal must still wait for the killed processes, not give up at its first pause.
     */
    @Test
    void removeOnAnInterruptedThreadStillWaitsForTheProcessesAndKeepsTheInterrupt() throws Exception {
        ContainerCgroup c = ContainerCgroup.create(host, cgroups.parent, "c1", CgroupResources.none());
        // 512 MiB it has written to: its exit frees them for a while, and until then it is in cgroup.procs
        Process sh = cgroups.start("sh", "-c", "read go; exec python3 -c 'import sys, time\n"
                + "b = bytearray(512 << 20)\nb[::4096] = bytes([1]) * (len(b) // 4096)\n"
                + "print(\"started\", flush=True)\ntime.sleep(60)'");
        c.add(sh.pid());
        TestCgroups.go(sh);
        assertEquals("started", new String(sh.getInputStream().readNBytes(8)).strip());
        Thread.currentThread().interrupt();
        try {
            c.remove();
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is the caller's to see");
        }
        for (Path h : host.joinedHierarchies().keySet()) {
            assertFalse(Files.exists(h.resolve(cgroups.parent)), h.toString());
        }
        assertTrue(sh.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void theParentStaysWhileAnotherContainerUsesIt() throws Exception {
        ContainerCgroup a = ContainerCgroup.create(host, cgroups.parent, "a", CgroupResources.none());
        ContainerCgroup b = ContainerCgroup.create(host, cgroups.parent, "b", CgroupResources.none());
        assertEquals(List.of("a", "b"), ContainerCgroup.list(host, cgroups.parent));
        a.remove();
        assertEquals(List.of("b"), ContainerCgroup.list(host, cgroups.parent));
        assertTrue(Files.isDirectory(host.hierarchy("memory").resolve(cgroups.parent)));
        ContainerCgroup again = ContainerCgroup.open(host, cgroups.parent, "b").orElseThrow();
        again.remove();
        assertFalse(b.exists());
        assertTrue(ContainerCgroup.open(host, cgroups.parent, "b").isEmpty());
        assertEquals(List.of(), cgroups.leftovers());
    }
}

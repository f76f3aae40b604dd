package jbox.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jbox.JboxException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Container cgroups on the real kernel's cgroup2 (as root): /sys/fs/cgroup on a unified host, else
 * the cgroup2 a hybrid host mounts at /sys/fs/cgroup/unified. There the controllers are bound to
 * v1, so only joining, usage and removal run; the limit tests need a host that has them in v2.
 */
class CgroupV2IT {
    private CgroupHost host;
    private TestCgroups cgroups;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(TestCgroups.isRoot(), "needs root");
        Path root = TestCgroups.ROOT;
        if (!Files.exists(root.resolve("cgroup.controllers"))) {
            root = root.resolve("unified");
            assumeTrue(Files.exists(root.resolve("cgroup.controllers")), "no cgroup2 mounted");
        }
        host = CgroupHost.detect(root);
        cgroups = new TestCgroups();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (cgroups != null) {
            cgroups.sweep(host);
            assertEquals(List.of(), cgroups.leftovers());
        }
    }

    private Path dir(String id) {
        return host.root().resolve(cgroups.parent).resolve(id);
    }

    private String read(String id, String file) throws Exception {
        return Files.readString(dir(id).resolve(file)).strip();
    }

    @Test
    void anAddedProcessIsInTheCgroupAndRemoveKillsIt() throws Exception {
        ContainerCgroup c = ContainerCgroup.create(host, cgroups.parent, "c1", CgroupResources.none());
        Process sleep = cgroups.start("sleep", "30");
        c.add(sleep.pid());
        assertEquals(Long.toString(sleep.pid()), read("c1", "cgroup.procs"));
        assertTrue(TestCgroups.procCgroup(sleep.pid()).contains("0::" + c.relativePath()), TestCgroups.procCgroup(sleep.pid()).toString());
        CgroupUsage usage = c.usage();
        assertTrue(usage.cpuUserMicros() >= 0 && usage.cpuSystemMicros() >= 0, usage.toString());
        c.remove();
        assertTrue(sleep.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(host.root().resolve(cgroups.parent)));
        c.remove();
    }

    @Test
    void removeKillsOrphansAndChildCgroupsToo() throws Exception {
        ContainerCgroup c = ContainerCgroup.create(host, cgroups.parent, "c1", CgroupResources.none());
        Process sh = cgroups.start("sh", "-c", "read go; for i in 1 2 3 4 5; do sleep 60 & done; echo started; exec sleep 60");
        c.add(sh.pid());
        TestCgroups.go(sh);
        assertEquals("started", new String(sh.getInputStream().readNBytes(8)).strip());
        // a container that made a cgroup of its own (delegation) with a process in it
        Files.createDirectory(dir("c1").resolve("inner"));
        Process inner = cgroups.start("sleep", "60");
        Files.writeString(dir("c1").resolve("inner/cgroup.procs"), Long.toString(inner.pid()));
        c.remove();
        assertTrue(sh.waitFor(30, TimeUnit.SECONDS));
        assertTrue(inner.waitFor(30, TimeUnit.SECONDS));
        assertEquals(List.of(), cgroups.leftovers());
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
    void limitsReachTheKernelsFiles() throws Exception {
        assumeTrue(host.controllers().containsAll(CgroupHost.V2_ENABLED), "memory, pids, cpu are not in v2 here");
        ContainerCgroup.create(host, cgroups.parent, "c1", new CgroupResources(64L << 20, null, 10L, null, null, 512L).withCpus(0.5));
        assertEquals("67108864", read("c1", "memory.max"));
        assertEquals("10", read("c1", "pids.max"));
        assertEquals("50000 100000", read("c1", "cpu.max"));
        assertEquals("20", read("c1", "cpu.weight"));
    }

    @Test
    void forksBeyondThePidsLimitFailAndAreCounted() throws Exception {
        assumeTrue(host.has("pids"), "pids is not in v2 here");
        ContainerCgroup c = ContainerCgroup.create(host, cgroups.parent, "c1", new CgroupResources(null, null, 10L, null, null, null));
        Process sh = cgroups.start("sh", "-c", "read go; i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); done; echo forked all");
        c.add(sh.pid());
        TestCgroups.go(sh);
        assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
        assertTrue(c.usage().pidsLimitHits() > 0, c.usage().toString());
    }

    @Test
    void aProcessBeyondTheMemoryLimitIsOomKilledAndCounted() throws Exception {
        assumeTrue(host.has("memory"), "memory is not in v2 here");
        long limit = 32L << 20;
        ContainerCgroup c;
        try {
            c = ContainerCgroup.create(host, cgroups.parent, "c1", new CgroupResources(limit, limit, null, null, null, null));
        } catch (JboxException noSwapAccounting) {
            c = ContainerCgroup.create(host, cgroups.parent, "c1", new CgroupResources(limit, null, null, null, null, null));
        }
        Process hog = cgroups.start("sh", "-c", "read go; exec dd if=/dev/zero of=/dev/null bs=100M count=1");
        c.add(hog.pid());
        TestCgroups.go(hog);
        assertTrue(hog.waitFor(20, TimeUnit.SECONDS));
        assertEquals(128 + 9, hog.exitValue());
        assertTrue(c.usage().oomKills() > 0, c.usage().toString());
    }
}

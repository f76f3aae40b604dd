package jbox.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which cgroup layout a host has, and what it refuses, on fake layouts. */
class CgroupHostTest {
    @TempDir
    Path root;

    @Test
    void unifiedHostIsV2WithTheRootsControllers() throws Exception {
        FakeCgroupTree.unified(root, "cpuset cpu io memory hugetlb pids rdma misc");
        CgroupHost host = CgroupHost.detect(root);
        assertEquals(CgroupHost.Version.V2, host.version());
        assertFalse(host.hybrid());
        assertEquals(Set.of("cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"), host.controllers());
    }

    @Test
    void hybridHostIsV1WithItsMountedControllers() throws Exception {
        FakeCgroupTree.hybrid(root);
        CgroupHost host = CgroupHost.detect(root);
        assertEquals(CgroupHost.Version.V1, host.version());
        assertTrue(host.hybrid());
        // name=systemd and the empty cgroup2 at unified/ are not controllers
        assertEquals(Set.of("blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"), host.controllers());
        assertEquals("cgroup v1 (hybrid) at " + root + ": blkio cpu cpuacct cpuset devices freezer memory pids", host.toString());
    }

    @Test
    void plainV1HostIsNotHybrid() throws Exception {
        FakeCgroupTree.v1Hierarchy(root, "memory");
        FakeCgroupTree.v1Hierarchy(root, "pids");
        Files.createDirectories(root.resolve("cpu")); // a mount point with nothing mounted
        CgroupHost host = CgroupHost.detect(root);
        assertEquals(CgroupHost.Version.V1, host.version());
        assertFalse(host.hybrid());
        assertEquals(Set.of("memory", "pids"), host.controllers());
    }

    @Test
    void coMountedControllersShareOneHierarchy() throws Exception {
        FakeCgroupTree.v1Hierarchy(root, "cpu,cpuacct");
        Files.createSymbolicLink(root.resolve("cpu"), Path.of("cpu,cpuacct"));
        Files.createSymbolicLink(root.resolve("cpuacct"), Path.of("cpu,cpuacct"));
        FakeCgroupTree.v1Hierarchy(root, "memory");
        CgroupHost host = CgroupHost.detect(root);
        assertEquals(Set.of("cpu", "cpuacct", "memory"), host.controllers());
        Path both = root.resolve("cpu,cpuacct").toRealPath();
        assertEquals(both, host.hierarchy("cpu"));
        assertEquals(both, host.hierarchy("cpuacct"));
        Map<Path, List<String>> joined = host.joinedHierarchies();
        assertEquals(2, joined.size());
        assertEquals(List.of("cpu", "cpuacct"), joined.get(both));
    }

    @Test
    void noHierarchyAtAllIsAnError() {
        JboxException e = assertThrows(JboxException.class, () -> CgroupHost.detect(root));
        assertEquals("no cgroup hierarchy under " + root + ": neither cgroup.controllers (v2) nor a mounted v1 controller"
                + " directory", e.getMessage());
    }

    @Test
    void v1RefusesSwapWithoutSwapAccounting() throws Exception {
        FakeCgroupTree.hybrid(root);
        Files.delete(root.resolve("memory/memory.memsw.limit_in_bytes"));
        CgroupHost host = CgroupHost.detect(root);
        host.check(new CgroupResources(64L << 20, null, null, null, null, null));
        assertEquals("--memory-swap needs memory.memsw.limit_in_bytes, which this kernel does not provide (swap accounting off)",
                refusal(host, new CgroupResources(64L << 20, 128L << 20, null, null, null, null)));
    }

    @Test
    void v1RefusesWhatIsNotMounted() throws Exception {
        FakeCgroupTree.v1Hierarchy(root, "memory");
        CgroupHost host = CgroupHost.detect(root);
        assertEquals("--pids-limit needs the pids controller, not mounted on this host",
                refusal(host, new CgroupResources(null, null, 10L, null, null, null)));
        assertEquals("--cpus needs the cpu controller, not mounted on this host",
                refusal(host, CgroupResources.fromCpus(1)));
        assertEquals("--cpu-shares needs the cpu controller, not mounted on this host",
                refusal(host, new CgroupResources(null, null, null, null, null, 512L)));
    }

    @Test
    void v1RefusesCpusWithoutCfsBandwidth() throws Exception {
        FakeCgroupTree.v1Hierarchy(root, "cpu");
        Files.delete(root.resolve("cpu/cpu.cfs_quota_us"));
        CgroupHost host = CgroupHost.detect(root);
        host.check(new CgroupResources(null, null, null, null, null, 512L));
        assertEquals("--cpus needs cpu.cfs_quota_us, which this kernel does not provide (CONFIG_CFS_BANDWIDTH off)",
                refusal(host, CgroupResources.fromCpus(1)));
    }

    @Test
    void v2RefusesControllersTheRootDoesNotList() throws Exception {
        FakeCgroupTree.unified(root, "cpu io");
        CgroupHost host = CgroupHost.detect(root);
        assertEquals("--memory needs the memory controller, not in " + root.resolve("cgroup.controllers") + " on this host",
                refusal(host, new CgroupResources(64L << 20, null, null, null, null, null)));
        assertEquals("--pids-limit needs the pids controller, not in " + root.resolve("cgroup.controllers") + " on this host",
                refusal(host, new CgroupResources(null, null, 10L, null, null, null)));
        host.check(CgroupResources.fromCpus(0.5));
    }

    @Test
    void checkValidatesTheValuesToo() throws Exception {
        FakeCgroupTree.hybrid(root);
        assertEquals("--cpu-shares 1 is outside 2..262144",
                refusal(CgroupHost.detect(root), new CgroupResources(null, null, null, null, null, 1L)));
    }

    private static String refusal(CgroupHost host, CgroupResources r) {
        return assertThrows(JboxException.class, () -> host.check(r)).getMessage();
    }
}

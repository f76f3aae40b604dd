package jbox.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits only OCI configs set, written as runc 1.1 writes them, on fake v1 and v2 trees (what
 * jbox writes lands in plain files; the real kernel is OciResourcesIT's).
 */
class OciLimitsTest {
    @TempDir
    Path root;

    private static final OciResources.BlockIo BLOCK_IO = new OciResources.BlockIo(500, 300,
            List.of(new OciResources.WeightDevice(8, 0, 600, null)),
            List.of(new OciResources.Throttle(8, 0, 1048576)), List.of(new OciResources.Throttle(8, 16, 2097152)),
            List.of(new OciResources.Throttle(8, 0, 50)), List.of(new OciResources.Throttle(8, 0, 100)));

    private static OciResources all(Map<String, String> unified) {
        Map<String, Long> huge = new LinkedHashMap<>();
        huge.put("2MB", 4L << 20);
        huge.put("1GB", 1L << 30);
        return new OciResources(128L << 20, 10L, true, "1", "0", 950000L, 1000000L, BLOCK_IO, huge, 0x100001L,
                List.of("lo 5", "eth0 7"), unified);
    }

    private static CgroupResources with(OciResources oci) {
        return new CgroupResources(256L << 20, null, null, null, null, null, List.of(), oci);
    }

    private String read(String relative) throws Exception {
        return Files.readString(root.resolve(relative));
    }

    /** A v1 host with every hierarchy these limits need (this CI host lacks hugetlb, net_cls, net_prio). */
    private CgroupHost fullV1() throws Exception {
        FakeCgroupTree.hybrid(root);
        for (String c : List.of("hugetlb", "net_cls", "net_prio")) {
            FakeCgroupTree.v1Hierarchy(root, c);
        }
        return CgroupHost.detect(root);
    }

    @Test
    void v1WritesEachLimitToTheFileRuncWrites() throws Exception {
        ContainerCgroup.createAt(fullV1(), "/pod/c1", with(all(null)));
        assertEquals("134217728", read("memory/pod/c1/memory.soft_limit_in_bytes"));
        assertEquals("1", read("memory/pod/c1/memory.oom_control"));
        assertEquals("10", read("memory/pod/c1/memory.swappiness"));
        assertEquals("1", read("cpuset/pod/c1/cpuset.cpus"), "the config's cpus replace the inherited 0-3");
        assertEquals("0", read("cpuset/pod/c1/cpuset.mems"));
        assertEquals("1000000", read("cpu/pod/c1/cpu.rt_period_us"));
        assertEquals("950000", read("cpu/pod/c1/cpu.rt_runtime_us"));
        assertEquals("500", read("blkio/pod/c1/blkio.bfq.weight"), "no blkio.weight (CFQ): BFQ's file, as runc");
        assertEquals("8:0 600", read("blkio/pod/c1/blkio.bfq.weight_device"));
        assertEquals("300", read("blkio/pod/c1/blkio.leaf_weight"));
        assertEquals("8:0 1048576", read("blkio/pod/c1/blkio.throttle.read_bps_device"));
        assertEquals("8:16 2097152", read("blkio/pod/c1/blkio.throttle.write_bps_device"));
        assertEquals("8:0 50", read("blkio/pod/c1/blkio.throttle.read_iops_device"));
        assertEquals("8:0 100", read("blkio/pod/c1/blkio.throttle.write_iops_device"));
        assertEquals("4194304", read("hugetlb/pod/c1/hugetlb.2MB.limit_in_bytes"));
        assertEquals("1073741824", read("hugetlb/pod/c1/hugetlb.1GB.limit_in_bytes"));
        assertEquals("1048577", read("net_cls/pod/c1/net_cls.classid"));
        assertEquals("eth0 7", read("net_prio/pod/c1/net_prio.ifpriomap"), "one write per interface (the last stays in a plain file)");
    }

    @Test
    void v1UsesBlkioWeightWhereTheKernelHasIt() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        Path dir = Files.createDirectories(root.resolve("blkio/pod/c1"));
        Files.writeString(dir.resolve("blkio.weight"), "500\n");
        ContainerCgroup.createAt(host, "/pod/c1", with(new OciResources(null, null, false, null, null, null, null,
                BLOCK_IO, null, null, null, null)));
        assertEquals("500", read("blkio/pod/c1/blkio.weight"));
        assertEquals("8:0 600", read("blkio/pod/c1/blkio.weight_device"));
        assertFalse(Files.exists(dir.resolve("blkio.bfq.weight")));
    }

    @Test
    void v1RefusesWhatRuncRefusesAndLeavesNothing() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        Map<String, Long> huge = Map.of("2MB", 1L << 22);
        JboxException e = assertThrows(JboxException.class, () -> ContainerCgroup.createAt(host, "/pod/c1",
                with(new OciResources(null, null, false, null, null, null, null, null, huge, null, null, null))));
        assertEquals("linux.resources.hugepageLimits needs the hugetlb controller, not mounted on this host", e.getMessage());
        e = assertThrows(JboxException.class, () -> ContainerCgroup.createAt(host, "/pod/c1",
                with(new OciResources(null, null, false, null, null, null, null, null, null, 7L, null, null))));
        assertEquals("linux.resources.network.classID needs the net_cls controller, not mounted on this host", e.getMessage());
        e = assertThrows(JboxException.class, () -> ContainerCgroup.createAt(host, "/pod/c1",
                with(new OciResources(null, null, false, null, null, null, null, null, null, null, null,
                        Map.of("memory.high", "1000000")))));
        assertEquals("linux.resources.unified: cannot be used on cgroup v1 (runc refuses it too)", e.getMessage());
        assertFalse(Files.exists(root.resolve("memory/pod")), "refused before anything was made");
    }

    @Test
    void v2WritesTheV2FilesAndDelegatesTheirControllers() throws Exception {
        FakeCgroupTree.unified(root, "cpuset cpu io memory hugetlb pids rdma");
        CgroupHost host = CgroupHost.detect(root);
        Files.createDirectories(root.resolve("pod"));
        Files.writeString(root.resolve("pod/memory.swap.max"), "max\n");
        ContainerCgroup.createAt(host, "/pod/c1", with(all(Map.of("memory.high", "200000000", "pids.max", "9"))));
        assertEquals("134217728", read("pod/c1/memory.low"));
        assertEquals("1", read("pod/c1/cpuset.cpus"));
        assertEquals("0", read("pod/c1/cpuset.mems"));
        assertEquals("4950", read("pod/c1/io.weight"), "no io.bfq.weight: runc's conversion of 500");
        assertEquals("8:0 wiops=100", read("pod/c1/io.max"), "one write per limit (the last stays in a plain file)");
        assertEquals("4194304", read("pod/c1/hugetlb.2MB.max"));
        assertEquals("200000000", read("pod/c1/memory.high"));
        assertEquals("9", read("pod/c1/pids.max"));
        // v2 has no files for these: runc leaves them alone.
        for (String absent : List.of("memory.swappiness", "memory.oom_control", "cpu.rt_runtime_us", "net_cls.classid")) {
            assertFalse(Files.exists(root.resolve("pod/c1").resolve(absent)), absent);
        }
        String delegated = read("pod/cgroup.subtree_control");
        for (String c : List.of("+cpuset", "+io", "+hugetlb", "+memory", "+pids", "+cpu")) {
            assertTrue(delegated.contains(c), delegated);
        }
        assertFalse(delegated.contains("rdma"), "only what the limits need: " + delegated);
    }

    @Test
    void v2UnifiedKeysAreCheckedAsRuncChecksThem() throws Exception {
        FakeCgroupTree.unified(root, "cpu memory pids");
        CgroupHost host = CgroupHost.detect(root);
        JboxException e = assertThrows(JboxException.class, () -> ContainerCgroup.createAt(host, "/pod/c1",
                with(new OciResources(null, null, false, null, null, null, null, null, null, null, null,
                        Map.of("io.max", "8:0 rbps=1")))));
        assertEquals("linux.resources.unified.io.max: can't be set: controller io not available", e.getMessage());
        e = assertThrows(JboxException.class, () -> ContainerCgroup.createAt(host, "/pod/c1",
                with(new OciResources(null, null, false, null, null, null, null, null, null, null, null,
                        Map.of("nodot", "1")))));
        assertEquals("linux.resources.unified.nodot: must be in the form CONTROLLER.PARAMETER", e.getMessage());
    }

    @Test
    void v2UsesBfqWeightsWhereTheKernelHasThem() throws Exception {
        FakeCgroupTree.unified(root, "io memory pids cpu");
        CgroupHost host = CgroupHost.detect(root);
        Path dir = Files.createDirectories(root.resolve("pod/c1"));
        Files.writeString(dir.resolve("io.bfq.weight"), "default 100\n");
        ContainerCgroup.createAt(host, "/pod/c1", with(new OciResources(null, null, false, null, null, null, null,
                BLOCK_IO, null, null, null, null)));
        assertEquals("8:0 600\n", read("pod/c1/io.bfq.weight"), "the weight, then the device weight, as runc");
        assertFalse(Files.exists(dir.resolve("io.weight")));
    }

    @Test
    void blkioWeightsMapOntoIoWeightsAsRuncDoes() {
        assertEquals(1, OciLimitsV2.ioWeight(10));
        assertEquals(4950, OciLimitsV2.ioWeight(500));
        assertEquals(10000, OciLimitsV2.ioWeight(1000));
    }
}

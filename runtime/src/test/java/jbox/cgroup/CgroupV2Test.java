package jbox.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the v2 implementation writes, on a fake unified tree (the files land as plain files). */
class CgroupV2Test {
    @TempDir
    Path root;

    private CgroupHost host(String controllers) throws Exception {
        FakeCgroupTree.unified(root, controllers);
        return CgroupHost.detect(root);
    }

    private String read(String relative) throws Exception {
        return Files.readString(root.resolve(relative));
    }

    /** runc's fs2: a relative cgroupsPath goes below the caller's own cgroup ("0::/x" in /proc/self/cgroup). */
    @Test
    void aRelativeCgroupsPathGoesBelowTheCallersOwnCgroup() throws Exception {
        CgroupHost host = host("memory pids cpu");
        Files.createDirectories(root.resolve("user.slice/conmon"));
        ContainerCgroup c = ContainerCgroup.createAt(host, "pod/c1", new CgroupResources(null, null, 9L, null, null, null),
                "0::/user.slice/conmon\n");
        assertEquals("9", read("user.slice/conmon/pod/c1/pids.max"));
        assertEquals(java.util.Map.of("", "/user.slice/conmon"), c.bases());
        assertEquals(1, c.removableParents());
        assertTrue(ContainerCgroup.openAt(host, c.relativePath(), 1, c.bases()).exists());
        assertFalse(ContainerCgroup.openAt(host, c.relativePath(), 1, java.util.Map.of()).exists(), "not at the root");
    }

    @Test
    void createDelegatesControllersAndWritesTheLimits() throws Exception {
        CgroupHost host = host("cpuset cpu io memory hugetlb pids rdma misc");
        ContainerCgroup c = ContainerCgroup.create(host, "jbox", "c1",
                new CgroupResources(64L << 20, null, 10L, 150000L, 100000L, 512L));
        assertEquals("+memory +pids +cpu", read("cgroup.subtree_control"));
        assertEquals("+memory +pids +cpu", read("jbox/cgroup.subtree_control"));
        assertEquals("67108864", read("jbox/c1/memory.max"));
        assertEquals("10", read("jbox/c1/pids.max"));
        assertEquals("150000 100000", read("jbox/c1/cpu.max"));
        assertEquals("20", read("jbox/c1/cpu.weight"));
        assertFalse(Files.exists(root.resolve("jbox/c1/memory.swap.max")));
        assertEquals("/jbox/c1", c.relativePath());
    }

    @Test
    void onlyControllersNotOnYetAreEnabled() throws Exception {
        CgroupHost host = host("cpu memory pids");
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu memory\n");
        ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none());
        assertEquals("+pids", read("cgroup.subtree_control"));
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu memory pids\n");
        Files.writeString(root.resolve("jbox/cgroup.subtree_control"), "memory pids cpu\n");
        ContainerCgroup.create(host, "jbox", "c2", CgroupResources.none());
        assertEquals("cpu memory pids\n", read("cgroup.subtree_control"));
        assertEquals("memory pids cpu\n", read("jbox/cgroup.subtree_control"));
    }

    @Test
    void controllersTheHostLacksAreNotAskedFor() throws Exception {
        CgroupHost host = host("hugetlb");
        ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none());
        assertEquals("\n", read("cgroup.subtree_control"));
        assertTrue(Files.isDirectory(root.resolve("jbox/c1")));
    }

    @Test
    void unlimitedValuesAreMax() throws Exception {
        CgroupHost host = host("cpu memory pids");
        Files.createDirectories(root.resolve("jbox"));
        Files.writeString(root.resolve("jbox/memory.swap.max"), "max\n");
        ContainerCgroup.create(host, "jbox", "c1", new CgroupResources(64L << 20, -1L, -1L, null, 50000L, null));
        assertEquals("max", read("jbox/c1/memory.swap.max"));
        assertEquals("max", read("jbox/c1/pids.max"));
        assertEquals("max 50000", read("jbox/c1/cpu.max"));
    }

    @Test
    void swapIsTheDifferenceOfMemorySwapAndMemory() throws Exception {
        CgroupHost host = host("cpu memory pids");
        Files.createDirectories(root.resolve("jbox"));
        Files.writeString(root.resolve("jbox/memory.swap.max"), "max\n");
        ContainerCgroup.create(host, "jbox", "c1", new CgroupResources(512L << 20, 1L << 30, null, null, null, null));
        assertEquals("536870912", read("jbox/c1/memory.max"));
        assertEquals("536870912", read("jbox/c1/memory.swap.max"));
        ContainerCgroup.create(host, "jbox", "c2", new CgroupResources(512L << 20, 512L << 20, null, null, null, null));
        assertEquals("0", read("jbox/c2/memory.swap.max"));
    }

    @Test
    void swapWithoutSwapAccountingIsRefusedAndNothingIsLeft() throws Exception {
        CgroupHost host = host("cpu memory pids");
        JboxException e = assertThrows(JboxException.class, () -> ContainerCgroup.create(host, "jbox", "c1",
                new CgroupResources(64L << 20, 128L << 20, null, null, null, null)));
        assertEquals("--memory-swap needs " + root.resolve("jbox/memory.swap.max")
                + ", which this kernel does not provide (swap accounting off)", e.getMessage());
        assertFalse(Files.exists(root.resolve("jbox/c1")));
    }

    @Test
    void anExistingContainerDirectoryIsNotTakenOver() throws Exception {
        CgroupHost host = host("memory");
        Files.createDirectories(root.resolve("jbox/c1"));
        JboxException e = assertThrows(JboxException.class,
                () -> ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none()));
        assertEquals("cannot create " + root.resolve("jbox/c1") + ": file exists", e.getMessage());
        assertTrue(Files.isDirectory(root.resolve("jbox/c1")));
    }

    @Test
    void namesThatCouldReachAnotherCgroupAreRefused() throws Exception {
        CgroupHost host = host("memory");
        for (String bad : new String[] {"..", ".", "a/b", "", ".hidden", "-x"}) {
            assertThrows(JboxException.class, () -> ContainerCgroup.create(host, "jbox", bad, CgroupResources.none()), bad);
            assertThrows(JboxException.class, () -> ContainerCgroup.create(host, bad, "c1", CgroupResources.none()), bad);
        }
        assertFalse(Files.exists(root.resolve("jbox")));
    }

    @Test
    void addWritesThePid() throws Exception {
        ContainerCgroup c = ContainerCgroup.create(host("memory"), "jbox", "c1", CgroupResources.none());
        c.add(4242);
        assertEquals("4242", read("jbox/c1/cgroup.procs"));
    }

    @Test
    void usageComesFromTheEventAndStatFiles() throws Exception {
        ContainerCgroup c = ContainerCgroup.create(host("memory pids cpu"), "jbox", "c1", CgroupResources.none());
        assertEquals(new CgroupUsage(0, 0, 0, 0, 0), c.usage());
        Path dir = root.resolve("jbox/c1");
        Files.writeString(dir.resolve("memory.peak"), "33554432\n");
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n");
        Files.writeString(dir.resolve("pids.events"), "max 7\n");
        Files.writeString(dir.resolve("cpu.stat"), "usage_usec 3500\nuser_usec 2500\nsystem_usec 1000\nnr_periods 0\n");
        assertEquals(new CgroupUsage(33554432, 1, 7, 2500, 1000), c.usage());
    }

    @Test
    void openAndListFindExistingContainers() throws Exception {
        CgroupHost host = host("memory");
        assertEquals(List.of(), ContainerCgroup.list(host, "jbox"));
        assertEquals(Optional.empty(), ContainerCgroup.open(host, "jbox", "c1"));
        ContainerCgroup.create(host, "jbox", "c2", CgroupResources.none());
        ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none());
        assertEquals(List.of("c1", "c2"), ContainerCgroup.list(host, "jbox"));
        assertEquals("/jbox/c1", ContainerCgroup.open(host, "jbox", "c1").orElseThrow().relativePath());
    }

    @Test
    void sharesMapOntoWeightsAsRuncDoes() {
        assertEquals(1, CgroupV2.weightFromShares(2));
        assertEquals(39, CgroupV2.weightFromShares(1024));
        assertEquals(20, CgroupV2.weightFromShares(512));
        assertEquals(10000, CgroupV2.weightFromShares(262144));
    }

    @Test
    void cpuMaxDefaultsItsParts() {
        assertEquals("150000 100000", CgroupV2.cpuMax(150000L, 100000L));
        assertEquals("150000 100000", CgroupV2.cpuMax(150000L, null));
        assertEquals("max 20000", CgroupV2.cpuMax(null, 20000L));
    }
}

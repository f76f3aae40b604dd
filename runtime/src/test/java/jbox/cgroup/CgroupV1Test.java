package jbox.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the v1 implementation creates and writes, on a fake hybrid tree (files land as plain files). */
class CgroupV1Test {
    /** Every hierarchy the fake hybrid host mounts: controllers, name=systemd and the cgroup2 at unified/ (runc's rule). */
    private static final List<String> JOINED = List.of("cpuset", "cpu", "cpuacct", "memory", "pids", "freezer", "devices",
            "blkio", "systemd", "unified");

    @TempDir
    Path root;

    private String read(String relative) throws Exception {
        return Files.readString(root.resolve(relative));
    }

    @Test
    void createMakesTheDirectoryInEachJoinedHierarchyAndWritesTheLimits() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        ContainerCgroup c = ContainerCgroup.create(host, "jbox", "c1",
                new CgroupResources(64L << 20, 96L << 20, 10L, 50000L, 100000L, 512L));
        for (String controller : JOINED) {
            assertTrue(Files.isDirectory(root.resolve(controller + "/jbox/c1")), controller);
        }
        assertEquals("67108864", read("memory/jbox/c1/memory.limit_in_bytes"));
        assertEquals("100663296", read("memory/jbox/c1/memory.memsw.limit_in_bytes"));
        assertEquals("10", read("pids/jbox/c1/pids.max"));
        assertEquals("100000", read("cpu/jbox/c1/cpu.cfs_period_us"));
        assertEquals("50000", read("cpu/jbox/c1/cpu.cfs_quota_us"));
        assertEquals("512", read("cpu/jbox/c1/cpu.shares"));
        assertEquals("/jbox/c1", c.relativePath());
    }

    @Test
    void anOciCgroupsPathThatExistsIsJoinedButAJboxIdThatExistsIsNot() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        Files.createDirectories(root.resolve("pids/pod/c1"));
        ContainerCgroup c = ContainerCgroup.createAt(host, "/pod/c1", new CgroupResources(null, null, 7L, null, null, null));
        assertEquals("7", read("pids/pod/c1/pids.max"), "runc joins an existing cgroupsPath");
        assertEquals(root.resolve("systemd/pod/c1").toRealPath(), c.v1Dirs().get("systemd"));
        Files.createDirectories(root.resolve("memory/jbox/c2"));
        JboxException e = assertThrows(JboxException.class, () -> ContainerCgroup.create(host, "jbox", "c2", CgroupResources.none()));
        assertTrue(e.getMessage().startsWith("cannot create " + root.resolve("memory/jbox/c2").toRealPath()), e.getMessage());
    }

    /** runc's libcontainer/cgroups/fs: a relative cgroupsPath goes below the caller's own cgroup, per hierarchy. */
    @Test
    void aRelativeCgroupsPathGoesBelowTheCallersOwnCgroupInEachHierarchy() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        Files.createDirectories(root.resolve("memory/process_api/6fc5")); // the caller is in them: they exist
        Files.createDirectories(root.resolve("systemd/session-1"));
        String self = "9:name=systemd:/session-1\n8:pids:/\n4:memory:/process_api/6fc5\n2:cpuacct:/\n1:cpu:/\n0::/\n";
        ContainerCgroup c = ContainerCgroup.createAt(host, "pod/c1", new CgroupResources(null, null, 7L, null, null, null), self);
        assertEquals("7", read("pids/pod/c1/pids.max"));
        assertTrue(Files.isDirectory(root.resolve("memory/process_api/6fc5/pod/c1")));
        assertFalse(Files.exists(root.resolve("memory/pod")), "not from the memory hierarchy's root");
        assertTrue(Files.isDirectory(root.resolve("systemd/session-1/pod/c1")));
        assertTrue(Files.isDirectory(root.resolve("freezer/pod/c1")), "a hierarchy /proc/self/cgroup does not name: its root");
        assertEquals("/process_api/6fc5", c.bases().get("memory"));
        assertEquals(1, c.removableParents(), "pod was made, the bases were not");

        // delete from another cgroup: the recorded bases, not the caller's, find it.
        ContainerCgroup reopened = ContainerCgroup.openAt(host, c.relativePath(), c.removableParents(), c.bases());
        assertEquals(c.v1Dirs(), reopened.v1Dirs());

        ContainerCgroup absolute = ContainerCgroup.createAt(host, "/pod/c2", CgroupResources.none(), self);
        assertTrue(absolute.bases().isEmpty());
        assertTrue(Files.isDirectory(root.resolve("memory/pod/c2")), "an absolute path ignores the caller's cgroup");
    }

    @Test
    void aRecordedBaseCannotLeaveItsHierarchy() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        JboxException e = assertThrows(JboxException.class,
                () -> ContainerCgroup.openAt(host, "pod/c1", 1, java.util.Map.of("memory", "/a/../../etc")));
        assertTrue(e.getMessage().contains("\"..\" is not a cgroup name"), e.getMessage());
    }

    @Test
    void cpusetIsCopiedDownFromTheRootBeforeAnyTaskJoins() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none());
        assertEquals("0-3", read("cpuset/jbox/cpuset.cpus"));
        assertEquals("0", read("cpuset/jbox/cpuset.mems"));
        assertEquals("0-3", read("cpuset/jbox/c1/cpuset.cpus"));
        assertEquals("0", read("cpuset/jbox/c1/cpuset.mems"));
    }

    @Test
    void cpusetOfAnExistingParentIsKept() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        Files.createDirectories(root.resolve("cpuset/jbox"));
        Files.writeString(root.resolve("cpuset/jbox/cpuset.cpus"), "2-3\n");
        Files.writeString(root.resolve("cpuset/jbox/cpuset.mems"), "0\n");
        ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none());
        assertEquals("2-3\n", read("cpuset/jbox/cpuset.cpus"));
        assertEquals("2-3", read("cpuset/jbox/c1/cpuset.cpus"));
    }

    @Test
    void unsetLimitsAreNotWritten() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        ContainerCgroup.create(host, "jbox", "c1", new CgroupResources(null, null, -1L, null, null, null));
        assertEquals("max", read("pids/jbox/c1/pids.max"));
        assertFalse(Files.exists(root.resolve("memory/jbox/c1/memory.limit_in_bytes")));
        assertFalse(Files.exists(root.resolve("cpu/jbox/c1/cpu.cfs_quota_us")));
        assertFalse(Files.exists(root.resolve("cpu/jbox/c1/cpu.shares")));
    }

    @Test
    void unlimitedSwapIsMinusOne() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        ContainerCgroup.create(host, "jbox", "c1", new CgroupResources(64L << 20, -1L, null, null, null, null));
        assertEquals("-1", read("memory/jbox/c1/memory.memsw.limit_in_bytes"));
    }

    @Test
    void swapWithoutMemswIsRefusedBeforeAnythingIsCreated() throws Exception {
        FakeCgroupTree.hybrid(root);
        Files.delete(root.resolve("memory/memory.memsw.limit_in_bytes"));
        CgroupHost host = CgroupHost.detect(root);
        JboxException e = assertThrows(JboxException.class, () -> ContainerCgroup.create(host, "jbox", "c1",
                new CgroupResources(64L << 20, 128L << 20, null, null, null, null)));
        assertEquals("--memory-swap needs memory.memsw.limit_in_bytes, which this kernel does not provide"
                + " (swap accounting off)", e.getMessage());
        assertFalse(Files.exists(root.resolve("memory/jbox")));
    }

    @Test
    void coMountedControllersGetOneDirectory() throws Exception {
        FakeCgroupTree.v1Hierarchy(root, "cpu,cpuacct");
        Files.createSymbolicLink(root.resolve("cpu"), Path.of("cpu,cpuacct"));
        Files.createSymbolicLink(root.resolve("cpuacct"), Path.of("cpu,cpuacct"));
        FakeCgroupTree.v1Hierarchy(root, "memory");
        CgroupHost host = CgroupHost.detect(root);
        ContainerCgroup c = ContainerCgroup.create(host, "jbox", "c1", new CgroupResources(null, null, null, null, null, 256L));
        assertEquals("256", read("cpu,cpuacct/jbox/c1/cpu.shares"));
        c.add(77);
        assertEquals("77", read("cpu,cpuacct/jbox/c1/cgroup.procs"));
        assertEquals("77", read("memory/jbox/c1/cgroup.procs"));
    }

    @Test
    void addWritesThePidInEveryHierarchy() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        ContainerCgroup c = ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none());
        c.add(4242);
        for (String controller : JOINED) {
            assertEquals("4242", read(controller + "/jbox/c1/cgroup.procs"), controller);
        }
    }

    @Test
    void usageComesFromMemoryPidsAndCpuacct() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        ContainerCgroup c = ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none());
        assertEquals(new CgroupUsage(0, 0, 0, 0, 0), c.usage());
        Files.writeString(root.resolve("memory/jbox/c1/memory.max_usage_in_bytes"), "33554432\n");
        Files.writeString(root.resolve("memory/jbox/c1/memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        Files.writeString(root.resolve("pids/jbox/c1/pids.events"), "max 5\n");
        Files.writeString(root.resolve("cpuacct/jbox/c1/cpuacct.stat"), "user 12\nsystem 3\n");
        assertEquals(new CgroupUsage(33554432, 3, 5, 120000, 30000), c.usage());
    }

    @Test
    void oldKernelsWithoutTheOomKillLineReadZero() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        ContainerCgroup c = ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none());
        Files.writeString(root.resolve("memory/jbox/c1/memory.oom_control"), "oom_kill_disable 0\nunder_oom 1\n");
        assertEquals(0, c.usage().oomKills());
    }

    @Test
    void listAndOpenSeeEveryHierarchy() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        ContainerCgroup.create(host, "jbox", "b", CgroupResources.none());
        // a container jbox was killed while removing: only one hierarchy still has it
        Files.createDirectories(root.resolve("pids/jbox/a"));
        assertEquals(List.of("a", "b"), ContainerCgroup.list(host, "jbox"));
        assertTrue(ContainerCgroup.open(host, "jbox", "a").isPresent());
        assertTrue(ContainerCgroup.open(host, "jbox", "zz").isEmpty());
        assertEquals(List.of(), ContainerCgroup.list(host, "other"));
    }

    @Test
    void aDirectoryThatIsThereAlreadyFailsAndOnlyWhatThisCallMadeIsUndone() throws Exception {
        CgroupHost host = CgroupHost.detect(FakeCgroupTree.hybrid(root));
        // another container's leftover in one hierarchy, after cpuset, cpu, cpuacct and memory in joining order
        Files.createDirectories(root.resolve("pids/jbox/c1"));
        JboxException e = assertThrows(JboxException.class,
                () -> ContainerCgroup.create(host, "jbox", "c1", CgroupResources.none()));
        assertEquals("cannot create " + root.resolve("pids/jbox/c1").toRealPath() + ": file exists", e.getMessage());
        assertTrue(Files.isDirectory(root.resolve("pids/jbox/c1")));
        for (String controller : List.of("cpuset", "cpu", "cpuacct", "memory")) {
            assertFalse(Files.exists(root.resolve(controller + "/jbox/c1")), controller);
        }
    }
}

package jbox.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import jbox.JboxException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Container cgroups at OCI cgroupsPaths on the real kernel (as root), below a top level of the
 * test's own ("jbox-test-<random>") that the clean-up removes from every hierarchy.
 */
class OciCgroupIT {
    private CgroupHost host;
    private TestCgroups cgroups;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(TestCgroups.isRoot(), "needs root");
        host = CgroupHost.detect();
        cgroups = new TestCgroups();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (cgroups == null) {
            return;
        }
        for (Path dir : cgroups.leftovers()) {
            CgroupFiles.removeTree(dir, System.nanoTime());
        }
        assertEquals(List.of(), cgroups.leftovers());
    }

    /** The directory of a cgroup path in the hierarchy of controller (v2: the one hierarchy). */
    private Path dir(String controller, String path) {
        Path root = host.version() == CgroupHost.Version.V1 ? host.hierarchy(controller) : host.root();
        return root.resolve(path.substring(1));
    }

    @Test
    void everyMissingLevelIsCreatedAndRemovedAgainWithTheLeaf() throws Exception {
        String path = "/" + cgroups.parent + "/libpod_parent/libpod-0123abcd";
        List<DeviceRule> devices = List.of(new DeviceRule(false, 'a', null, null, "rwm"),
                new DeviceRule(true, 'c', 1L, 3L, "rwm"), new DeviceRule(true, 'c', 136L, null, "rw"));
        ContainerCgroup c = ContainerCgroup.createAt(host, path,
                new CgroupResources(64L << 20, null, 20L, null, null, null, devices));
        assertEquals(2, c.removableParents());
        assertEquals(path, c.relativePath());
        assertTrue(Files.isDirectory(dir("memory", path)));
        if (host.version() == CgroupHost.Version.V1) {
            assertEquals("67108864", Files.readString(dir("memory", path).resolve("memory.limit_in_bytes")).strip());
            assertEquals("c 1:3 rwm\nc 136:* rw", Files.readString(dir("devices", path).resolve("devices.list")).strip());
        } else {
            assertEquals("67108864", Files.readString(dir("memory", path).resolve("memory.max")).strip());
        }
        assertEquals("20", Files.readString(dir("pids", path).resolve("pids.max")).strip());

        Process sleeper = cgroups.start("sleep", "60");
        c.add(sleeper.pid());
        assertEquals(Set.of(sleeper.pid()), c.pids());

        ContainerCgroup.openAt(host, path, c.removableParents()).remove();
        assertTrue(sleeper.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the process was killed");
        assertFalse(Files.exists(dir("memory", path)));
        assertFalse(Files.exists(dir("memory", "/" + cgroups.parent)), "levels jbox made are gone");
        assertEquals(Set.of(), c.pids());
    }

    @Test
    void levelsThatWereThereStayAndAreNeverCounted() throws Exception {
        String first = "/" + cgroups.parent + "/a";
        ContainerCgroup a = ContainerCgroup.createAt(host, first, CgroupResources.none());
        assertEquals(1, a.removableParents());
        ContainerCgroup b = ContainerCgroup.createAt(host, "/" + cgroups.parent + "/b", CgroupResources.none());
        assertEquals(0, b.removableParents());
        b.remove();
        assertTrue(Files.isDirectory(dir("memory", "/" + cgroups.parent)), "in use by a");

        // Removing only the leaf leaves even an empty parent alone.
        ContainerCgroup.openAt(host, first, 0).remove();
        assertFalse(Files.exists(dir("memory", first)));
        assertTrue(Files.isDirectory(dir("memory", "/" + cgroups.parent)));
    }

    @Test
    void aPathNamingAnotherPlaceIsRefused() {
        JboxException e = assertThrows(JboxException.class,
                () -> ContainerCgroup.createAt(host, "/" + cgroups.parent + "/../escape", CgroupResources.none()));
        assertTrue(e.getMessage().startsWith("invalid cgroup cgroupsPath level \"..\""), e.getMessage());
        assertThrows(JboxException.class, () -> ContainerCgroup.createAt(host, "/", CgroupResources.none()));
    }
}

package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import jbox.security.Capabilities;
import org.junit.jupiter.api.Test;

/** docker's run habits as spec: --privileged (exactly what it turns off), --shm-size, --device. */
class SpecBuilderHabitsTest {
    final SpecFixture f = new SpecFixture();

    @Test
    void privilegedTurnsOffCapsSeccompMaskedAndReadOnlyPathsNoNewPrivsAndReadOnlySys() throws JboxException {
        ContainerSpec plain = f.build();
        assertNotNull(plain.linux().seccomp());
        assertTrue(plain.process().noNewPrivileges());
        assertFalse(plain.linux().maskedPaths().isEmpty());
        assertTrue(SpecBuilderIsolationTest.mount(plain, "/sys").options().contains("ro"));
        f.privileged = true;
        ContainerSpec p = f.build();
        assertEquals(Capabilities.count(), p.process().capabilities().bounding().size(), "every capability");
        assertEquals(p.process().capabilities().bounding(), p.process().capabilities().effective());
        assertNull(p.linux().seccomp(), "no seccomp filter");
        assertNull(p.linux().maskedPaths());
        assertNull(p.linux().readonlyPaths());
        assertFalse(p.process().noNewPrivileges(), "setuid programs work again");
        assertFalse(SpecBuilderIsolationTest.mount(p, "/sys").options().contains("ro"));
        assertTrue(SpecBuilderIsolationTest.types(p).contains("user"), "the user namespace stays");
        assertEquals("tmpfs", SpecBuilderIsolationTest.mount(p, "/dev").type(), "jbox's own /dev, the host's nodes bound into it");
        assertTrue(p.mounts().stream().anyMatch(m -> m.destination().equals("/dev/kmsg") && m.source().equals("/dev/kmsg")),
                "the host's devices: " + p.mounts());
        assertTrue(p.mounts().stream().noneMatch(m -> m.destination().equals("/dev/null") || m.destination().startsWith("/dev/pts/")));
    }

    @Test
    void onlyARemovedContainersLayerIsVolatile() throws JboxException {
        assertNull(f.build().annotations().get(ContainerSpec.ANNOTATION_VOLATILE), "a kept layer is synced at unmount");
        f.remove = true;
        assertEquals("true", f.build().annotations().get(ContainerSpec.ANNOTATION_VOLATILE));
    }

    @Test
    void privilegedAndSandboxContradict() {
        f.privileged = true;
        f.sandbox = true;
        JboxException e = assertThrows(JboxException.class, f::build);
        assertEquals("--privileged and --sandbox contradict each other: choose one", e.getMessage());
    }

    @Test
    void shmSizeSizesDevShm() throws JboxException {
        assertTrue(SpecBuilderIsolationTest.mount(f.build(), "/dev/shm").options().contains("size=65536k"), "docker's 64m");
        f.shmSize = "256m";
        assertTrue(SpecBuilderIsolationTest.mount(f.build(), "/dev/shm").options().contains("size=262144k"));
        for (String bad : List.of("0", "abc", "1")) {
            f.shmSize = bad;
            JboxException e = assertThrows(JboxException.class, f::build, bad);
            assertTrue(e.getMessage().startsWith("invalid --shm-size " + bad), e.getMessage());
        }
    }

    @Test
    void aDeviceIsABindOfTheHostsNodeAndNarrowPermissionsAreCgroupRules() throws JboxException {
        f.devices = List.of("/dev/null:/dev/mynull");
        ContainerSpec s = f.build();
        ContainerSpec.Mount m = SpecBuilderIsolationTest.mount(s, "/dev/mynull");
        assertEquals("/dev/null", m.source());
        assertEquals("bind", m.type());
        assertNull(s.linux().resources(), "rwm: no rule");
        f.devices = List.of("/dev/null:r");
        s = f.build();
        assertEquals("/dev/null", SpecBuilderIsolationTest.mount(s, "/dev/null").source());
        assertEquals(List.of(new ContainerSpec.DeviceRule(false, "a", null, null, "rwm"),
                new ContainerSpec.DeviceRule(true, "c", 1L, 3L, "r")), s.linux().resources().devices(),
                "docker's model: all denied, then this one with its permissions (jbox's defaults follow in the cgroup)");
        assertNotNull(s.linux().cgroupsPath(), "rules need the container's cgroup");
    }

    @Test
    void badDevicesSayWhy() {
        for (String[] c : List.of(new String[] {"/etc/hostname", "is not a character or block device"},
                new String[] {"/dev/no-such-device", "cannot use /dev/no-such-device"},
                new String[] {"dev/null", "paths must be absolute"},
                new String[] {"/dev/null:/x:rwx", "permissions are some of r, w and m"},
                new String[] {"/dev/null:/x:rw:m", "expected HOST[:CONTAINER[:PERMS]]"})) {
            f.devices = List.of(c[0]);
            JboxException e = assertThrows(JboxException.class, f::build, c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}

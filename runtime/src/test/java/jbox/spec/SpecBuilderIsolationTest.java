package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** Hostname, namespaces, id maps and default mounts. */
class SpecBuilderIsolationTest {
    final SpecFixture f = new SpecFixture();

    static List<String> types(ContainerSpec spec) {
        return spec.linux().namespaces().stream().map(ContainerSpec.Namespace::type).toList();
    }

    static ContainerSpec.Mount mount(ContainerSpec spec, String destination) {
        return spec.mounts().stream().filter(m -> m.destination().equals(destination)).findFirst()
                .orElseThrow(() -> new AssertionError("no mount on " + destination + " in " + spec.mounts()));
    }

    @Test
    void hostnameDefaultsToTheShortId() throws JboxException {
        assertEquals("0123456789ab", f.build().hostname());
    }

    @Test
    void aGivenHostnameIsUsed() throws JboxException {
        f.hostname = "web-1.example";
        assertEquals("web-1.example", f.build().hostname());
    }

    @Test
    void invalidHostnamesAreRejected() {
        for (String bad : List.of("-web", ".web", "web_1", "web 1", "", "a".repeat(64), "h\u00f6st")) {
            f.hostname = bad;
            JboxException e = assertThrows(JboxException.class, f::build, "\"" + bad + "\"");
            assertTrue(e.getMessage().contains("invalid hostname"), e.getMessage());
        }
    }

    @Test
    void aSixtyThreeCharacterHostnameIsFine() throws JboxException {
        f.hostname = "a".repeat(63);
        assertEquals(63, f.build().hostname().length());
    }

    @Test
    void everyContainerGetsItsOwnPidUtsIpcMountAndCgroupNamespaces() throws JboxException {
        f.net = "host";
        f.ids = null;
        assertEquals(List.of("pid", "uts", "ipc", "mount", "cgroup"), types(f.build()));
        assertTrue(f.build().linux().namespaces().stream().allMatch(n -> n.path() == null));
    }

    @Test
    void netNoneAddsANetworkNamespaceAndMountsSysfs() throws JboxException {
        ContainerSpec spec = f.build();
        assertTrue(types(spec).contains("network"));
        ContainerSpec.Mount sys = mount(spec, "/sys");
        assertEquals("sysfs", sys.type());
        assertEquals("sysfs", sys.source());
        assertTrue(sys.options().contains("ro"), sys.options().toString());
    }

    @Test
    void netHostKeepsTheHostNetworkAndBindsItsSysReadOnly() throws JboxException {
        f.net = "host";
        ContainerSpec spec = f.build();
        assertFalse(types(spec).contains("network"));
        ContainerSpec.Mount sys = mount(spec, "/sys");
        assertEquals("/sys", sys.source());
        assertTrue(sys.options().containsAll(List.of("rbind", "ro")), sys.options().toString());
    }

    @Test
    void unsupportedNetworkModesAreRejectedWithTheModesThereAre() {
        for (String bad : List.of("Bogus", "container:", "ns:../etc", "ns:", "Bridge", "twelve-chars")) {
            f.net = bad;
            JboxException e = assertThrows(JboxException.class, f::build, bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        f.net = "Bogus";
        assertEquals("unsupported network mode Bogus (use bridge, none, host, container:NAME, ns:NAME, or a network from jbox network ls)",
                assertThrows(JboxException.class, f::build).getMessage());
        f.net = "bogus"; // a user network's name, but there is no such network
        assertEquals("network bogus does not exist (see: jbox network ls)", assertThrows(JboxException.class, f::build).getMessage());
    }

    @Test
    void bridgeGetsANewNetworkNamespaceSysfsAndTheBridgeInItsAnnotations() throws JboxException {
        f.net = "bridge";
        ContainerSpec spec = f.build();
        assertTrue(spec.linux().namespaces().contains(new ContainerSpec.Namespace("network", null)));
        assertEquals("sysfs", mount(spec, "/sys").type());
        assertEquals("bridge", spec.annotations().get(NetworkMode.ANNOTATION_MODE));
        assertEquals("jbox0", spec.annotations().get(NetworkMode.ANNOTATION_BRIDGE));
        assertEquals("10.88.0.0/16", spec.annotations().get(NetworkMode.ANNOTATION_SUBNET));
        assertEquals(NetworkMode.Kind.BRIDGE, NetworkMode.of(spec).kind());
    }

    @Test
    void containerModeJoinsThatContainersNamespaceByPathAndBorrowsSys() throws JboxException {
        f.net = "container:web";
        ContainerSpec spec = f.build();
        assertTrue(spec.linux().namespaces().contains(new ContainerSpec.Namespace("network", "/proc/4242/ns/net")));
        assertFalse(spec.linux().has("network"), "a joined namespace is not a new one");
        assertEquals("/sys", mount(spec, "/sys").source());
        assertEquals("web", spec.annotations().get(NetworkMode.ANNOTATION_CONTAINER));
        assertEquals(new NetworkMode(NetworkMode.Kind.CONTAINER, "web"), NetworkMode.of(spec));
    }

    @Test
    void anOwnNetworkNamespaceLetsEveryMappedGroupPingAndABridgedEth0TakesNoIpv6() throws JboxException {
        assertEquals(java.util.Map.of("net.ipv4.ping_group_range", "0 65535"), f.build().linux().sysctl(), "none: only lo");
        f.net = "bridge";
        java.util.Map<String, String> bridged = f.build().linux().sysctl();
        assertEquals("0 65535", bridged.get("net.ipv4.ping_group_range"), "only gids the user namespace maps can be named");
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/sys/net/ipv6"))) {
            for (String dev : List.of("default", "eth0")) {
                assertEquals("0", bridged.get("net.ipv6.conf." + dev + ".accept_ra"), bridged.toString());
                assertEquals("1", bridged.get("net.ipv6.conf." + dev + ".disable_ipv6"), bridged.toString());
            }
        }
        f.ids = null;
        assertEquals("0 2147483647", f.build().linux().sysctl().get("net.ipv4.ping_group_range"), "without a user namespace: all, as docker");
        f.net = "host";
        assertNull(f.build().linux().sysctl(), "the host's settings are not the container's to change");
        f.net = "container:web";
        assertNull(f.build().linux().sysctl(), "nor another container's");
    }

    @Test
    void containerModeNamesTheContainerItCannotFind() {
        f.net = "container:db";
        assertEquals("no such container: db", assertThrows(JboxException.class, f::build).getMessage());
    }

    @Test
    void nsModeNeedsANamespaceThatExists() {
        f.net = "ns:jbox-no-such-namespace";
        JboxException e = assertThrows(JboxException.class, f::build);
        assertTrue(e.getMessage().startsWith("network namespace jbox-no-such-namespace does not exist"), e.getMessage());
    }

    @Test
    void withoutNetTheConfiguredDefaultIsRecorded() throws JboxException {
        f.net = null;
        assertEquals("none", f.build().annotations().get(NetworkMode.ANNOTATION_MODE));
    }

    @Test
    void noNetworkModeMeansNone() throws JboxException {
        f.net = null;
        assertTrue(types(f.build()).contains("network"));
    }

    @Test
    void anIdRangeAddsAUserNamespaceAndMapsZeroToItsBase() throws JboxException {
        ContainerSpec spec = f.build();
        assertTrue(types(spec).contains("user"));
        assertEquals(List.of(new ContainerSpec.IdMapping(0, 100000, 65536)), spec.linux().uidMappings());
        assertEquals(List.of(new ContainerSpec.IdMapping(0, 200000, 65536)), spec.linux().gidMappings());
    }

    @Test
    void withoutAnIdRangeThereIsNoUserNamespaceAndNoMaps() throws JboxException {
        f.ids = null;
        ContainerSpec spec = f.build();
        assertFalse(types(spec).contains("user"));
        assertNull(spec.linux().uidMappings());
        assertNull(spec.linux().gidMappings());
    }

    @Test
    void theDefaultMountsAreRuncsInOrder() throws JboxException {
        List<String> dests = f.build().mounts().stream().map(ContainerSpec.Mount::destination).toList();
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                "/etc/hostname", "/etc/hosts", "/etc/resolv.conf"), dests);
        assertEquals("tmpfs", mount(f.build(), "/dev").type());
    }

    @Test
    void theGeneratedEtcFilesAreBoundFromTheStateDirectory() throws JboxException {
        ContainerSpec spec = f.build();
        for (String file : List.of("hostname", "hosts", "resolv.conf")) {
            ContainerSpec.Mount m = mount(spec, "/etc/" + file);
            assertEquals("/run/jbox/" + SpecFixture.ID + "/" + file, m.source());
            assertTrue(m.options().contains("bind"), m.options().toString());
        }
    }
}

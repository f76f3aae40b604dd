package jbox.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import jbox.spec.PortMapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Network definitions on disk, subnet overlaps, and the port rules' text (nothing here touches the kernel). */
class UserNetworksTest {
    @TempDir
    Path tmp;

    UserNetworks networks() throws JboxException {
        return new UserNetworks(tmp, BridgeSettings.of("jbox0", "10.88.0.0/16", "1500", tmp.resolve("state")));
    }

    @Test
    void overlapsAreFoundWhicheverIsLarger() throws JboxException {
        Ipv4Subnet a = Ipv4Subnet.parse("10.89.0.0/16");
        assertTrue(a.overlaps(Ipv4Subnet.parse("10.89.3.0/24")));
        assertTrue(Ipv4Subnet.parse("10.89.3.0/24").overlaps(a));
        assertTrue(a.overlaps(Ipv4Subnet.parse("10.0.0.0/8")));
        assertFalse(a.overlaps(Ipv4Subnet.parse("10.90.0.0/16")));
        assertFalse(Ipv4Subnet.parse("10.89.0.0/25").overlaps(Ipv4Subnet.parse("10.89.0.128/25")));
    }

    @Test
    void createdNetworksAreListedAndOverlapsAndBadNamesRefused() throws Exception {
        UserNetworks n = networks();
        n.create("red", "10.89.0.0/24", true);
        n.create("blue", "10.90.0.0/24", true);
        assertEquals(List.of("blue", "red"), n.list().stream().map(UserNetworks.Definition::name).toList());
        assertTrue(Files.readString(tmp.resolve("networks/red.properties")).contains("subnet=10.89.0.0/24"));
        UserNetworks.Definition red = n.get("red");
        BridgeSettings b = n.settings(red);
        assertEquals("jbn-red", b.name());
        assertEquals("jbox0", b.isolateFrom());
        assertEquals(tmp.resolve("state/ipam-jbn-red.leases"), b.ipam().file());
        assertEquals("subnet 10.89.0.128/25 overlaps network red (10.89.0.0/24)",
                assertThrows(JboxException.class, () -> n.create("green", "10.89.0.128/25", true)).getMessage());
        assertEquals("subnet 10.88.7.0/24 overlaps the default bridge jbox0 (10.88.0.0/16)",
                assertThrows(JboxException.class, () -> n.create("green", "10.88.7.0/24", true)).getMessage());
        assertEquals("network red already exists", assertThrows(JboxException.class, () -> n.create("red", "10.91.0.0/24", true)).getMessage());
        assertTrue(assertThrows(JboxException.class, () -> n.create("Green", "10.91.0.0/24", true)).getMessage().startsWith("invalid network name Green"));
        assertTrue(assertThrows(JboxException.class, () -> n.create("green", "10.91.0.1/24", true)).getMessage().startsWith("invalid subnet"));
        assertEquals("network nope does not exist (see: jbox network ls)", assertThrows(JboxException.class, () -> n.get("nope")).getMessage());
    }

    @Test
    void portRulesAreTaggedWithTheContainerAndCoverPreroutingOutputLoopbackAndForward() throws JboxException {
        String id = "abc123def456" + "0".repeat(52);
        String rules = PortRules.rules(id, "jbox0", "10.88.0.5", List.of(PortMapping.parse("8080:80"), PortMapping.parse("127.0.0.1:53:53/udp")));
        assertEquals("""
                *nat
                -A PREROUTING -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 8080 -m comment --comment jbox:abc123def456 -j DNAT --to-destination 10.88.0.5:80
                -A OUTPUT -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 8080 -m comment --comment jbox:abc123def456 -j DNAT --to-destination 10.88.0.5:80
                -A POSTROUTING -s 127.0.0.0/8 -d 10.88.0.5/32 -o jbox0 -p tcp -m tcp --dport 80 -m comment --comment jbox:abc123def456 -j MASQUERADE
                -A PREROUTING -d 127.0.0.1/32 -p udp -m udp --dport 53 -m comment --comment jbox:abc123def456 -j DNAT --to-destination 10.88.0.5:53
                -A OUTPUT -d 127.0.0.1/32 -p udp -m udp --dport 53 -m comment --comment jbox:abc123def456 -j DNAT --to-destination 10.88.0.5:53
                -A POSTROUTING -s 127.0.0.0/8 -d 10.88.0.5/32 -o jbox0 -p udp -m udp --dport 53 -m comment --comment jbox:abc123def456 -j MASQUERADE
                COMMIT
                *filter
                -I FORWARD 1 -d 10.88.0.5/32 -o jbox0 -p tcp -m tcp --dport 80 -m comment --comment jbox:abc123def456 -j ACCEPT
                -I FORWARD 1 -d 10.88.0.5/32 -o jbox0 -p udp -m udp --dport 53 -m comment --comment jbox:abc123def456 -j ACCEPT
                COMMIT
                """, rules);
    }
}

package jbox.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** Subnet math: the bridge takes the first host address, containers the rest up to the broadcast. */
class Ipv4SubnetTest {
    @Test
    void aSlash16HasTheGatewayAndRoomFor65533Containers() throws JboxException {
        Ipv4Subnet s = Ipv4Subnet.parse("10.88.0.0/16");
        assertEquals("10.88.0.0/16", s.toString());
        assertEquals("10.88.0.1", Ipv4Subnet.format(s.gateway()));
        assertEquals("10.88.0.2", Ipv4Subnet.format(s.firstHost()));
        assertEquals("10.88.255.254", Ipv4Subnet.format(s.lastHost()));
        assertEquals(65533, s.hostCount());
        assertEquals("10.88.1.7/16", s.withPrefix(Ipv4Subnet.parseAddress("10.88.1.7")));
    }

    @Test
    void aSlash29HasFiveContainerAddressesAndASlash30One() throws JboxException {
        Ipv4Subnet s = Ipv4Subnet.parse("192.168.7.8/29");
        assertEquals("192.168.7.10", Ipv4Subnet.format(s.firstHost()));
        assertEquals("192.168.7.14", Ipv4Subnet.format(s.lastHost()));
        assertEquals(5, s.hostCount());
        assertEquals(1, Ipv4Subnet.parse("10.0.0.0/30").hostCount());
    }

    @Test
    void addressesAboveTheSignBitWork() throws JboxException {
        Ipv4Subnet s = Ipv4Subnet.parse("192.168.0.0/24");
        assertEquals("192.168.0.255", Ipv4Subnet.format(Ipv4Subnet.parseAddress("192.168.0.255")));
        assertTrue(s.contains(Ipv4Subnet.parseAddress("192.168.0.77")));
        assertFalse(s.contains(Ipv4Subnet.parseAddress("192.168.1.77")));
        assertEquals("255.255.255.255", Ipv4Subnet.format(Ipv4Subnet.parseAddress("255.255.255.255")));
    }

    @Test
    void hostBitsSetAreRefusedWithTheNetworkMeant() {
        JboxException e = assertThrows(JboxException.class, () -> Ipv4Subnet.parse("10.88.0.1/16"));
        assertEquals("invalid subnet 10.88.0.1/16: host bits are set (did you mean 10.88.0.0/16?)", e.getMessage());
    }

    @Test
    void prefixesWithoutRoomForAGatewayAndAContainerAreRefused() {
        for (String bad : List.of("10.0.0.0/31", "10.0.0.0/32", "0.0.0.0/0", "10.0.0.0/x", "10.0.0.0", "10.0.0.0/")) {
            assertThrows(JboxException.class, () -> Ipv4Subnet.parse(bad), bad);
        }
    }

    @Test
    void malformedAddressesAreRefused() {
        for (String bad : List.of("10.0.0", "10.0.0.0.0", "256.0.0.1", "1..2.3", "01.2.3.4", "a.b.c.d", "", "1.2.3.4.", " 1.2.3.4")) {
            assertThrows(JboxException.class, () -> Ipv4Subnet.parseAddress(bad), bad);
        }
    }

    @Test
    void zeroAndPlainDecimalsParse() throws JboxException {
        assertEquals(0, Ipv4Subnet.parseAddress("0.0.0.0"));
        assertEquals(0x0a580001, Ipv4Subnet.parseAddress("10.88.0.1"));
    }
}

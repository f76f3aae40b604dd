package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** -p values: [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], and when two of them want the same host port. */
class PortMappingTest {
    @Test
    void theThreeFormsAndTheirCanonicalText() throws JboxException {
        assertEquals(new PortMapping(null, 8080, 80, "tcp"), PortMapping.parse("8080:80"));
        assertEquals(new PortMapping(null, 53, 5353, "udp"), PortMapping.parse("53:5353/udp"));
        assertEquals(new PortMapping("127.0.0.1", 8080, 80, "tcp"), PortMapping.parse("127.0.0.1:8080:80/tcp"));
        assertEquals("127.0.0.1:8080:80/tcp", PortMapping.parse("127.0.0.1:8080:80").toString());
        assertEquals("8080/tcp", PortMapping.parse("8080:80").key());
        List<PortMapping> two = PortMapping.parseAll(List.of("8080:80", "53:53/udp"));
        assertEquals(two, PortMapping.parseAnnotation(PortMapping.format(two)));
        assertEquals(List.of(), PortMapping.parseAnnotation(null));
    }

    @Test
    void badValuesSayWhatIsWrong() {
        for (String bad : List.of("0", "8080:", ":80", "0:80", "8080:65536", "a:80", "8080:80/sctp", "1.2.3:8080:80",
                "256.1.1.1:8080:80", "1:2:3:4", "8080:80/")) {
            JboxException e = assertThrows(JboxException.class, () -> PortMapping.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid port mapping " + bad + ": "), e.getMessage());
        }
        assertEquals("invalid port mapping 8080:99999: port 99999 is outside 1-65535",
                assertThrows(JboxException.class, () -> PortMapping.parse("8080:99999")).getMessage());
    }

    @Test
    void aContainerPortAloneOrAnEmptyHostPortAsksForAFreeOne() throws JboxException {
        assertEquals(new PortMapping(null, 0, 80, "tcp"), PortMapping.parse("80"));
        assertEquals(new PortMapping(null, 0, 53, "udp"), PortMapping.parse("53/udp"));
        assertEquals(new PortMapping("127.0.0.1", 0, 80, "tcp"), PortMapping.parse("127.0.0.1::80"));
        assertFalse(PortMapping.parse("80").conflicts(PortMapping.parse("81")), "two free ports are two ports");
        assertEquals("8080:80/tcp", PortMapping.parse("80").onHostPort(8080).toString());
        for (String free : List.of("80/tcp", "127.0.0.1::53/udp")) {
            assertEquals(free, PortMapping.parse(free).toString());
            assertEquals(List.of(PortMapping.parse(free)), PortMapping.parseAnnotation(PortMapping.parse(free).toString()),
                    "the spec's annotation reads back");
        }
    }

    @Test
    void publishAllAddsTheImagesExposedPortsNotPublishedYet() throws JboxException {
        List<PortMapping> given = List.of(PortMapping.parse("8080:80"));
        assertEquals(List.of(PortMapping.parse("8080:80"), PortMapping.parse("53/udp"), PortMapping.parse("9000")),
                PortMapping.withExposed(given, List.of("80/tcp", "53/udp", "9000"), "web"));
        JboxException e = assertThrows(JboxException.class, () -> PortMapping.withExposed(List.of(), List.of("80/sctp"), "web"));
        assertEquals("image web exposes an invalid port 80/sctp", e.getMessage());
    }

    @Test
    void theSameHostPortTwiceIsRefusedUnlessProtocolOrAddressDiffer() throws JboxException {
        assertTrue(PortMapping.parse("8080:80").conflicts(PortMapping.parse("127.0.0.1:8080:81")));
        assertFalse(PortMapping.parse("8080:80").conflicts(PortMapping.parse("8080:80/udp")));
        assertFalse(PortMapping.parse("127.0.0.1:8080:80").conflicts(PortMapping.parse("10.0.0.1:8080:80")));
        assertEquals("port 8080/tcp is published twice (8080:80/tcp and 8080:81/tcp)",
                assertThrows(JboxException.class, () -> PortMapping.parseAll(List.of("8080:80", "8080:81"))).getMessage());
        PortMapping.parseAll(List.of("8080:80", "8080:80/udp"));
    }
}

package jbox.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

class HostRoutesTest {
    static final String HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

    @Test
    void theKernelsTableBecomesSubnetsWithoutTheDefaultRoute() throws Exception {
        List<HostRoutes.Route> routes = HostRoutes.parse(List.of(HEADER,
                "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
                "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
                "wg0\t0A0A0A0A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0"));
        assertEquals(List.of(new HostRoutes.Route("eth0", Ipv4Subnet.parse("192.0.2.0/24")),
                new HostRoutes.Route("wg0", new Ipv4Subnet(Ipv4Subnet.parseAddress("10.10.10.10"), 32))), routes);
        assertEquals(true, routes.get(0).destination().overlaps(Ipv4Subnet.parse("192.0.2.128/25")));
        assertEquals(false, routes.get(0).destination().overlaps(Ipv4Subnet.parse("192.0.3.0/24")));
    }

    @Test
    void aGarbledLineIsAnErrorNotASilentlyMissingRoute() {
        assertEquals("cannot read the host's routes: bad line eth0 zz 0 0 0 0 0 00FFFFFF",
                assertThrows(JboxException.class, () -> HostRoutes.parse(List.of(HEADER, "eth0 zz 0 0 0 0 0 00FFFFFF"))).getMessage());
    }
}

package jbox.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinksTest {
    @Test
    void interfaceNamesComeFromProcNetDev() {
        String dev = "Inter-|   Receive                            |  Transmit\n"
                + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets\n"
                + "    lo:       0       0    0    0    0     0          0         0        0       0\n"
                + " jbox0:    1234      12    0    0    0     0          0         0     5678      34\n"
                + "vjb01234567:  10 1 0 0 0 0 0 0 10 1\n";
        assertEquals(List.of("lo", "jbox0", "vjb01234567"), List.copyOf(Links.parse(dev)));
    }

    @Test
    void theRealFileHasAtLeastLoopback() throws Exception {
        Set<String> names = Links.names();
        assertEquals(true, names.contains("lo"), names.toString());
    }
}

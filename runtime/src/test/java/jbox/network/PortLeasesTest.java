package jbox.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import jbox.JboxException;
import jbox.spec.PortMapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The port-lease file: a live holder keeps its port, the refusal names it, release frees it (no iptables involved). */
class PortLeasesTest {
    static final String A = "abc123def456" + "a".repeat(52);
    static final String B = "b".repeat(64);

    @TempDir
    Path tmp;

    @Test
    void aPortHeldByALiveContainerIsRefusedWithItsIdAndFreeAfterRelease() throws JboxException {
        PortLeases leases = PortLeases.of(tmp);
        Set<String> live = Set.of(A, B);
        leases.claim(A, List.of(PortMapping.parse("8080:80"), PortMapping.parse("53:53/udp")), live::contains);
        assertEquals(List.of(PortMapping.parse("8080:80"), PortMapping.parse("53:53/udp")), leases.of(A));
        assertEquals("port 8080/tcp is already published by container abc123def456",
                assertThrows(JboxException.class, () -> leases.claim(B, List.of(PortMapping.parse("127.0.0.1:8080:81")), live::contains))
                        .getMessage());
        assertEquals(List.of(), leases.of(B), "a refused claim records nothing");
        leases.claim(B, List.of(PortMapping.parse("8080:80/udp")), live::contains); // another protocol is another port
        leases.release(A);
        leases.claim(B, List.of(PortMapping.parse("8080:80")), live::contains);
        assertEquals(List.of(new PortLeases.Lease(B, PortMapping.parse("8080:80/udp")), new PortLeases.Lease(B, PortMapping.parse("8080:80"))),
                leases.reclaim(id -> false));
    }
}

package jbox.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jbox.JboxException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leases on a temp file: distinct, round-robin, released, reclaimed from dead owners, exhausted cleanly. */
class IpamTest {
    @TempDir
    Path dir;
    Ipam ipam;
    Ipv4Subnet slash29;
    final Set<String> live = new HashSet<>();
    final List<Ipam.Lease> reclaimed = new ArrayList<>();

    @BeforeEach
    void setUp() throws JboxException {
        ipam = Ipam.forBridge(dir, "jbt0");
        slash29 = Ipv4Subnet.parse("10.99.0.0/29");
    }

    static String id(int n) {
        return String.format("%064x", n);
    }

    String allocate(int n) throws JboxException {
        live.add(id(n));
        return ipam.allocate(id(n), slash29, live::contains, reclaimed::addAll);
    }

    @Test
    void addressesStartAfterTheGatewayAndAreDistinct() throws JboxException {
        assertEquals("10.99.0.2", allocate(1));
        assertEquals("10.99.0.3", allocate(2));
        assertEquals("10.99.0.4", allocate(3));
        assertEquals(dir.resolve("ipam-jbt0.leases"), ipam.file());
        assertEquals(3, ipam.leases().size());
    }

    @Test
    void aContainerAskingAgainKeepsItsAddress() throws JboxException {
        String a = allocate(1);
        assertEquals(a, allocate(1));
        assertEquals(1, ipam.leases().size());
    }

    @Test
    void aReleasedAddressComesBackOnlyAfterTheRestOfTheSubnet() throws JboxException {
        assertEquals("10.99.0.2", allocate(1));
        ipam.release(id(1));
        assertEquals("10.99.0.3", allocate(2));
        assertEquals("10.99.0.4", allocate(3));
        assertEquals("10.99.0.5", allocate(4));
        assertEquals("10.99.0.6", allocate(5));
        assertEquals("10.99.0.2", allocate(6), "wrapped around to the released one");
    }

    @Test
    void releasingWhatIsNotLeasedChangesNothing() throws JboxException {
        ipam.release(id(9)); // no file yet
        allocate(1);
        ipam.release(id(9));
        assertEquals(List.of(new Ipam.Lease("10.99.0.2", id(1))), ipam.leases());
    }

    @Test
    void anExhaustedSubnetFailsWithTheCountAndWritesNothing() throws Exception {
        for (int i = 1; i <= 5; i++) {
            allocate(i);
        }
        String before = Files.readString(ipam.file());
        JboxException e = assertThrows(JboxException.class, () -> allocate(6));
        assertEquals("no free address in 10.99.0.0/29 (5 leases)", e.getMessage());
        assertEquals(before, Files.readString(ipam.file()));
        assertTrue(reclaimed.isEmpty(), "every owner is live: nothing to reclaim");
    }

    @Test
    void whenTheSubnetRunsOutLeasesOfDeadContainersAreReclaimedAfterTheirLeftoversGo() throws JboxException {
        for (int i = 1; i <= 5; i++) {
            allocate(i);
        }
        live.remove(id(2));
        live.remove(id(4));
        assertEquals("10.99.0.3", allocate(6));
        assertEquals(List.of(new Ipam.Lease("10.99.0.3", id(2)), new Ipam.Lease("10.99.0.5", id(4))), reclaimed);
        assertEquals(4, ipam.leases().size());
        assertFalse(ipam.leases().stream().anyMatch(l -> l.id().equals(id(2)) || l.id().equals(id(4))));
    }

    @Test
    void whileAddressesAreFreeLeasesAreNotCheckedForLiveness() throws JboxException {
        allocate(1);
        live.clear();
        allocate(2);
        assertTrue(reclaimed.isEmpty());
    }

    @Test
    void pruneReclaimsEveryLeaseWithoutALiveOwner() throws JboxException {
        allocate(1);
        allocate(2);
        allocate(3);
        live.remove(id(1));
        live.remove(id(3));
        List<Ipam.Lease> gone = ipam.reclaim(live::contains, reclaimed::addAll);
        assertEquals(List.of(new Ipam.Lease("10.99.0.2", id(1)), new Ipam.Lease("10.99.0.4", id(3))), gone);
        assertEquals(gone, reclaimed);
        assertEquals(List.of(new Ipam.Lease("10.99.0.3", id(2))), ipam.leases());
    }

    @Test
    void aReclaimerThatFailsLeavesTheLeases() throws JboxException {
        allocate(1);
        live.clear();
        assertThrows(JboxException.class, () -> ipam.reclaim(live::contains, stale -> {
            throw new JboxException("veth busy");
        }));
        assertEquals(1, ipam.leases().size());
    }

    @Test
    void concurrentAllocationsNeverShareAnAddress() throws Exception {
        Ipv4Subnet big = Ipv4Subnet.parse("10.88.0.0/16");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                results.add(pool.submit(() -> Ipam.forBridge(dir, "jbt0").allocate(id(n), big, x -> true, s -> { })));
            }
            Set<String> seen = new HashSet<>();
            for (Future<String> f : results) {
                assertTrue(seen.add(f.get()), "duplicate " + f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(200, ipam.leases().size());
    }

    @Test
    void everyLeaseFileUnderTheStateRootIsFound() throws JboxException {
        allocate(1);
        Ipam.forBridge(dir, "other").allocate(id(2), slash29, x -> true, s -> { });
        List<Path> files = new ArrayList<>();
        for (Ipam i : Ipam.all(dir)) {
            files.add(i.file().getFileName());
        }
        files.sort(null);
        assertEquals(List.of(Path.of("ipam-jbt0.leases"), Path.of("ipam-other.leases")), files);
    }

    @Test
    void aCorruptLeaseFileIsAnErrorNotAnEmptySubnet() throws Exception {
        Files.writeString(dir.resolve("ipam-jbt0.leases"), "10.99.0.2 not-an-id\n");
        JboxException e = assertThrows(JboxException.class, () -> allocate(1));
        assertTrue(e.getMessage().startsWith("corrupt lease file " + dir.resolve("ipam-jbt0.leases") + " at line 1"), e.getMessage());
    }
}

package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks from a bridged container on the host's network, replayed for real: a forged SYN to the
 * host's 127.0.0.1 (CVE-2020-8558), IPv6 router advertisements (CVE-2020-13401), and prune of one
 * state root taking another's live network. Like NetworkPortsIT, each test runs jbox inside a
 * network namespace it makes (the "host"), with its own bridge (jba0, 10.79.0.0/16); the probe
 * sends its packets only onto that bridge.
 */
class NetworkAttacksIT {
    static final String BRIDGE = "jba0";
    static final String GATEWAY = "10.79.0.1";

    @TempDir
    Path tmp;
    TestNetns net;

    @BeforeAll
    static void setUpAll() throws Exception {
        Jbox.setUp();
    }

    @BeforeEach
    void makeNamespace() throws Exception {
        net = new TestNetns(tmp, BRIDGE, "10.79.0.0/16");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        net.remove(net::pruneRemovesNothing, () -> { });
    }

    @AfterAll
    static void theHostWasNotTouched() throws Exception {
        assertFalse(Jbox.host("ip", "-o", "link", "show").contains(BRIDGE), "bridge on the host");
        assertFalse(Jbox.host("iptables-save").contains("jbox:" + BRIDGE), "rule on the host");
        Path leases = Jbox.STATE.resolve("ports.leases");
        if (Files.exists(leases) && Files.readString(leases).isBlank()) {
            Files.deleteIfExists(leases);
            Files.deleteIfExists(Jbox.STATE.resolve("ports.lock"));
        }
    }

    void awaitListening(String address) throws Exception {
        Await.until("something listening on " + address, () -> net.inNs("ss", "-ltn").contains(address + " "));
    }

    void iptables(String op, String inputRule) throws Exception {
        List<String> c = new ArrayList<>(List.of("iptables", "-w", op, "INPUT"));
        c.addAll(List.of(inputRule.split(" ")));
        net.inNs(c.toArray(new String[0]));
    }

    String sysctl(String path) throws Exception {
        return net.inNs("cat", "/proc/sys/net/" + path).trim();
    }

    /** A container that runs until SIGTERM to its jbox. */
    static String[] idle(String name, String... flags) {
        List<String> a = new ArrayList<>(List.of("run", "--rm", "--name", name));
        a.addAll(List.of(flags));
        a.addAll(List.of(Jbox.IMAGE, "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"));
        return a.toArray(new String[0]);
    }

    @Test
    void aContainerWithRawSocketsCannotReachTheHostsLoopbackThroughAPublishedPortsBridge() throws Exception {
        // A service only on the host's loopback, and a control on every address.
        net.hostProcess("busybox", "httpd", "-f", "-p", "127.0.0.1:19090", "-h", tmp.toString());
        net.hostProcess("busybox", "httpd", "-f", "-p", "0.0.0.0:19091", "-h", tmp.toString());
        awaitListening("127.0.0.1:19090");
        awaitListening("0.0.0.0:19091");
        // A published port turns route_localnet on for the bridge: that is what opened 127/8.
        Process pub = net.start(idle("loopub", "-p", "18090:8080"));
        Containers.awaitRunning("loopub");
        assertEquals("1", sysctl("ipv4/conf/" + BRIDGE + "/route_localnet"));
        assertTrue(net.inNs("iptables-save").contains("-A INPUT -d 127.0.0.0/8 ! -i lo -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT"
                + " -m comment --comment \"jbox:" + BRIDGE + "\" -j DROP"), net.inNs("iptables-save"));

        Jbox.Result control = net.run("run", "--rm", "--cap-add", "NET_RAW", Jbox.PROBE_IMAGE, "/bin/jbox-probe", "syn", "eth0", GATEWAY,
                GATEWAY, "19091");
        assertEquals("synack\n", control.out(), "the forged SYN works where it is allowed: " + control.all());
        Jbox.Result attack = net.run("run", "--rm", "--cap-add", "NET_RAW", Jbox.PROBE_IMAGE, "/bin/jbox-probe", "syn", "eth0", GATEWAY,
                "127.0.0.1", "19090");
        assertEquals("none\n", attack.out(), "the host's loopback-only service answered a container: " + attack.all());
        Jbox.Result noRaw = net.run("run", "--rm", Jbox.PROBE_IMAGE, "/bin/jbox-probe", "syn", "eth0", GATEWAY, "127.0.0.1", "19090");
        assertTrue(noRaw.err().contains("packet socket: Operation not permitted"), "NET_RAW is not a default: " + noRaw.all());
        Jbox.Result doctor = Jbox.finish(net.jbox("doctor").start());
        assertTrue(doctor.out().contains("ok    jbox bridges"), "route_localnet is on, with its guard: " + doctor.all());
        String guard = "-d 127.0.0.0/8 ! -i lo -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment jbox:" + BRIDGE
                + " -j DROP";
        iptables("-D", guard); // what an older jbox left: route_localnet alone
        doctor = Jbox.finish(net.jbox("doctor").start());
        assertTrue(doctor.out().contains("warn  route_localnet=1 on bridge " + BRIDGE + " without jbox's loopback guard"), doctor.all());
        iptables("-I", guard);

        Jbox.host("kill", "-TERM", Long.toString(pub.pid()));
        assertEquals(0, Jbox.finish(pub).code());
        assertEquals("0", sysctl("ipv4/conf/" + BRIDGE + "/route_localnet"), "route_localnet stays on after the last published port");
        assertFalse(net.inNs("iptables-save").contains("127.0.0.0/8"), net.inNs("iptables-save"));
    }

    @Test
    void routerAdvertisementsFromAContainerGiveNeitherTheHostNorANeighbourAnIpv6Route() throws Exception {
        net.start(idle("raneighbour"));
        Containers.awaitRunning("raneighbour");
        Jbox.Result ra = net.run("run", "--rm", "--cap-add", "NET_RAW", Jbox.PROBE_IMAGE, "/bin/jbox-probe", "ra", "eth0");
        assertEquals("sent\n", ra.out(), ra.all());
        // RAs are taken as they arrive; by the time jbox has removed the sender, they were.
        assertEquals("", net.inNs("ip", "-6", "route", "show", "default"), "the host routes IPv6 through a container");
        assertEquals("", net.inNs("ip", "-6", "addr", "show", "dev", BRIDGE, "scope", "global"), "the host took the container's prefix");
        Jbox.Result neighbour = net.run("exec", "raneighbour", "ip", "-6", "route");
        assertEquals(0, neighbour.code(), neighbour.all());
        assertFalse(neighbour.out().contains("default"), "the neighbour routes IPv6 through the sender: " + neighbour.all());
        assertEquals("0", sysctl("ipv6/conf/" + BRIDGE + "/accept_ra"));
        assertEquals("1", sysctl("ipv6/conf/" + BRIDGE + "/disable_ipv6"));
        Jbox.Result doctor = Jbox.finish(net.jbox("doctor").start());
        assertTrue(doctor.out().contains("ok    jbox bridges"), doctor.all());
        // doctor sees a bridge someone turned IPv6 back on for.
        net.inNs("sysctl", "-qw", "net.ipv6.conf." + BRIDGE + ".disable_ipv6=0");
        doctor = Jbox.finish(net.jbox("doctor").start());
        assertTrue(doctor.out().contains("warn  disable_ipv6=0 on bridge " + BRIDGE), doctor.all());
    }

    @Test
    void pruneOfOneStateRootLeavesTheVethAndNetnsNameOfAnotherRootsLiveContainer() throws Exception {
        // Another jbox installation: its own state root and data root (its own image).
        Path otherRoot = Path.of("/run/jbox-it-other-" + ProcessHandle.current().pid());
        Path otherData = Path.of("/var/lib/jbox-it-other-" + ProcessHandle.current().pid());
        Path otherDir = Files.createDirectories(tmp.resolve("other"));
        Path other = Jbox.configWith(otherDir, "net.default=bridge\nnet.bridge.name=" + BRIDGE
                + "\nnet.bridge.subnet=10.79.0.0/16\nstate.root=" + otherRoot + "\ndata.root=" + otherData);
        try {
            Jbox.Result built = Jbox.finish(net.jbox(other, "image", "build-default").start());
            assertEquals(0, built.code(), built.all());
            Jbox.Result d = Jbox.finish(net.jbox(other, "run", "-d", "--rm", "--name", "otherlive", Jbox.IMAGE, "sleep", "1000").start());
            assertEquals(0, d.code(), d.all());
            String id = d.out().trim();
            String veth = "vjb" + id.substring(0, 8);
            Path name = Path.of("/var/run/netns/jbox-" + id.substring(0, 12));
            assertTrue(net.inNs("ip", "-o", "link", "show").contains(veth + "@"), net.inNs("ip", "-o", "link", "show"));
            assertTrue(Files.exists(name));

            Jbox.Result prune = Jbox.finish(net.jbox("system", "prune").start());
            assertEquals(0, prune.code(), prune.all());
            assertFalse(prune.out().contains(id.substring(0, 8)), prune.all());
            assertTrue(net.inNs("ip", "-o", "link", "show").contains(veth + "@"), "prune of another root took the veth: " + prune.all());
            assertTrue(Files.exists(name), "prune of another root took the netns name: " + prune.all());

            assertEquals(0, Jbox.finish(net.jbox(other, "kill", "otherlive").start()).code());
            Await.until("the container's own teardown removes its netns name", () -> !Files.exists(name));
        } finally {
            Jbox.finish(net.jbox(other, "rm", "-f", "otherlive").start());
            Jbox.finish(net.jbox(other, "system", "prune").start());
            Jbox.host("rm", "-rf", "--one-file-system", otherRoot.toString(), otherData.toString());
        }
    }
}

package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridge networking, run only inside a network namespace each test makes (jbox-test-RANDOM): the
 * "host" bridge, its NAT rules, ip_forward and the veths live there and go with it. jbox is started
 * with nsenter --net rather than `ip netns exec`, which would also remount /sys and hide the cgroup
 * hierarchies prune looks at. The names under /var/run/netns are shared with the host: every test
 * checks its containers' names are gone. Nothing here sends a packet beyond these namespaces.
 */
class NetworkIT {
    static final String BRIDGE = "jbt0";
    static final Pattern INET = Pattern.compile("inet (10\\.88\\.\\d+\\.\\d+)/16");
    static String hostForwarding;

    @TempDir
    Path tmp;
    TestNetns net;
    Set<String> namesBefore;

    @BeforeAll
    static void setUpAll() throws Exception {
        Jbox.setUp();
        hostForwarding = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward"));
    }

    @BeforeEach
    void makeNamespace() throws Exception {
        namesBefore = containerNetnsNames();
        net = new TestNetns(tmp, BRIDGE, "10.88.0.0/16");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        net.remove(() -> {
            Jbox.finish(net.jbox("system", "prune").start());
            return namesBefore.containsAll(containerNetnsNames());
        }, () -> { });
    }

    @AfterAll
    static void theHostWasNotTouched() throws Exception {
        assertFalse(Jbox.host("ip", "-o", "link", "show").contains(BRIDGE), "bridge on the host");
        assertFalse(Jbox.host("iptables-save").contains("jbox:" + BRIDGE), "NAT rule on the host");
        assertEquals(hostForwarding, Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")), "host ip_forward");
        Files.deleteIfExists(Jbox.STATE.resolve("ipam-" + BRIDGE + ".leases"));
        Files.deleteIfExists(Jbox.STATE.resolve("ipam-" + BRIDGE + ".lock"));
        Files.deleteIfExists(Jbox.STATE.resolve("bridge-" + BRIDGE + ".lock"));
        Files.deleteIfExists(Jbox.STATE.resolve("ipam-jbt29.leases"));
        Files.deleteIfExists(Jbox.STATE.resolve("ipam-jbt29.lock"));
        Files.deleteIfExists(Jbox.STATE.resolve("bridge-jbt29.lock"));
    }

    static Set<String> containerNetnsNames() throws Exception {
        Set<String> out = new HashSet<>();
        for (String line : Jbox.host("ip", "netns", "list").split("\n")) {
            String name = line.split(" ")[0];
            if (name.matches("jbox-[0-9a-f]{12}")) {
                out.add(name);
            }
        }
        return out;
    }

    Set<String> veths() throws Exception {
        return net.inNs("ip", "-o", "link", "show").lines().map(l -> l.split(": ")[1].replaceAll("@.*", ""))
                .filter(n -> n.startsWith("vjb")).collect(Collectors.toSet());
    }

    List<String> leases(String bridge) throws Exception {
        Path f = Jbox.STATE.resolve("ipam-" + bridge + ".leases");
        return Files.exists(f) ? Files.readAllLines(f).stream().filter(l -> l.matches("\\d.*")).toList() : List.of();
    }

    /** The kernel deletes a dead container's veth with its namespace, a moment after jbox exits. */
    void awaitNoVeths() throws Exception {
        Await.within(Await.DEADLINE, () -> !(!veths().isEmpty()));
        assertEquals(Set.of(), veths());
    }

    static String address(String out) {
        Matcher m = INET.matcher(out);
        assertTrue(m.find(), "no 10.88.x.x address in: " + out);
        return m.group(1);
    }

    @Test
    void aBridgedContainerHasEth0AnAddressARouteAndReachesTheBridge() throws Exception {
        // jbox-probe ping: an ICMP datagram socket, as iputils' ping uses without NET_RAW (busybox's needs a raw one).
        Jbox.Result r = net.run("run", "--rm", "--name", "net-a", Jbox.PROBE_IMAGE, "sh", "-c",
                "ip -4 -o addr show eth0; ip route; cat /sys/class/net/eth0/mtu; cat /etc/hosts; /bin/jbox-probe ping 10.88.0.1 >/dev/null && echo reached");
        assertEquals(0, r.code(), r.all());
        String addr = address(r.out());
        assertTrue(r.out().contains("default via 10.88.0.1 dev eth0"), r.all());
        assertTrue(r.out().contains("\n1500\n"), "MTU of the bridge: " + r.all());
        assertTrue(Pattern.compile("(?m)^" + Pattern.quote(addr) + "\t[0-9a-f]{12} net-a$").matcher(r.out()).find(), r.all());
        assertTrue(r.out().contains("reached"), r.all());
        // The host side, in the test's namespace: the bridge, one NAT rule, forwarding on.
        assertTrue(net.inNs("ip", "-4", "-o", "addr", "show", BRIDGE).contains("inet 10.88.0.1/16"));
        String rules = net.inNs("iptables-save");
        assertTrue(rules.contains("-A POSTROUTING -s 10.88.0.0/16 ! -o " + BRIDGE + " -m comment --comment jbox:" + BRIDGE
                + " -j MASQUERADE") || rules.contains("--comment \"jbox:" + BRIDGE + "\" -j MASQUERADE"), rules);
        assertEquals("1", net.inNs("cat", "/proc/sys/net/ipv4/ip_forward").trim());
        awaitNoVeths();
        assertEquals(List.of(), leases(BRIDGE));
        assertEquals(namesBefore, containerNetnsNames());
    }

    @Test
    void containersOnTheBridgeReachEachOtherAndAJoinedContainerSharesTheNetwork() throws Exception {
        Process server = net.start("run", "--rm", "--name", "net-web", Jbox.IMAGE, "sh", "-c",
                "trap 'exit 0' TERM; mkdir /srv && echo hello-from-web > /srv/index.html && httpd -p 8080 -h /srv"
                        + " && while true; do sleep 0.1; done");
        String id = Containers.awaitRunning("net-web").path("id").asText();
        String name = "jbox-" + id.substring(0, 12);
        // ip-netns(8) sees the container's namespace while it runs.
        String[] addrs = {""};
        Await.within(Await.DEADLINE, () -> {
            addrs[0] = Jbox.host("ip", "netns", "exec", name, "ip", "-4", "-o", "addr", "show", "eth0");
            return INET.matcher(addrs[0]).find();
        });
        String addr = address(addrs[0]);
        Jbox.Result ns = net.run("ns", "net-web");
        assertTrue(ns.out().contains("veth     vjb" + id.substring(0, 8) + " <-> eth0 (ip netns exec " + name + " ip addr)"), ns.all());
        Jbox.Result client = net.run("run", "--rm", Jbox.IMAGE, "sh", "-c",
                "for i in $(seq 50); do wget -q -O - http://" + addr + ":8080/ && exit 0; sleep 0.1; done; exit 1");
        assertEquals(0, client.code(), client.all());
        assertEquals("hello-from-web\n", client.out(), client.all());
        Jbox.Result joined = net.run("run", "--rm", "--net", "container:net-web", Jbox.IMAGE, "sh", "-c",
                "ip -4 -o addr show eth0; wget -q -O - http://127.0.0.1:8080/");
        assertEquals(0, joined.code(), joined.all());
        assertEquals(addr, address(joined.out()));
        assertTrue(joined.out().endsWith("hello-from-web\n"), joined.all());
        Jbox.host("kill", "-TERM", Long.toString(server.pid())); // jbox forwards it; the trap ends the server
        Jbox.Result done = Jbox.finish(server);
        assertEquals(0, done.code(), done.all());
        assertFalse(Files.exists(Path.of("/var/run/netns", name)), name + " outlived its container");
        assertEquals(namesBefore, containerNetnsNames());
        awaitNoVeths();
        assertEquals(List.of(), leases(BRIDGE));
    }

    @Test
    void fiftyConcurrentRunsGetDistinctAddressesAndLeaveNothing() throws Exception {
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ps.add(net.start("run", "--rm", Jbox.IMAGE, "ip", "-4", "-o", "addr", "show", "eth0"));
        }
        Set<String> addresses = new HashSet<>();
        for (Process p : ps) {
            Jbox.Result r = Jbox.finish(p);
            assertEquals(0, r.code(), r.all());
            assertTrue(addresses.add(address(r.out())), "address given twice: " + r.out());
        }
        assertEquals(50, addresses.size());
        awaitNoVeths();
        assertEquals(List.of(), leases(BRIDGE));
        assertEquals(namesBefore, containerNetnsNames());
        assertEquals(1, net.inNs("iptables-save").lines().filter(l -> l.contains("MASQUERADE")).count(), "one rule per bridge");
    }

    @Test
    void sigtermAFailedStartAndAStoppedContainerAllGiveTheirNetworkBack() throws Exception {
        Process p = net.start("run", "--rm", "--name", "net-term", Jbox.IMAGE, "sh", "-c",
                "trap 'exit 3' TERM; while true; do sleep 0.1; done");
        JsonNode running = Containers.awaitRunning("net-term");
        String id = running.path("id").asText();
        Await.until("its veth", () -> veths().contains("vjb" + id.substring(0, 8)));
        // sleep runs only once the trap is set: a TERM before it would meet a PID 1 without handler
        Containers.awaitChildExec(running.path("pid").asLong(), "sleep");
        Jbox.host("kill", "-TERM", Long.toString(p.pid())); // to jbox, which forwards it (Process.destroy closes the pipes)
        Jbox.Result term = Jbox.finish(p);
        assertEquals(3, term.code(), term.all());
        Jbox.Result failed = net.run("run", "--rm", Jbox.IMAGE, "no-such-command");
        assertEquals(127, failed.code(), failed.all());
        Jbox.Result kept = net.run("run", "--name", "net-kept", Jbox.IMAGE, "true");
        assertEquals(0, kept.code(), kept.all());
        awaitNoVeths();
        assertEquals(List.of(), leases(BRIDGE));
        assertEquals(namesBefore, containerNetnsNames());
        assertEquals(0, Jbox.finish(net.jbox("rm", "net-kept").start()).code());
    }

    @Test
    void afterSigkillOfJboxPruneRemovesTheLeaseTheVethAndTheName() throws Exception {
        Process p = net.start("run", "--name", "net-killed", Jbox.IMAGE, "sleep", "600");
        String id = Containers.awaitRunning("net-killed").path("id").asText();
        String veth = "vjb" + id.substring(0, 8);
        String name = "jbox-" + id.substring(0, 12);
        Await.within(Await.DEADLINE, () -> !(!veths().contains(veth)));
        assertTrue(veths().contains(veth), veths().toString());
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        if (!Engines.on()) {
            // A killed JVM releases nothing. With the engine, only the front end died: the engine sees
            // its caller go and ends the command's work, which may give some of it back itself.
            assertEquals(1, leases(BRIDGE).size(), "a killed jbox cannot release its lease");
            assertTrue(Files.exists(Path.of("/var/run/netns", name)));
        }
        // Until the shim has killed the container and exited, prune leaves the container alone.
        StringBuilder pruned = new StringBuilder();
        Await.within(Await.DEADLINE, () -> {
            Jbox.Result prune = Jbox.finish(net.jbox("system", "prune").start());
            assertEquals(0, prune.code(), prune.all());
            pruned.append(prune.out());
            return leases(BRIDGE).isEmpty() && !Files.exists(Path.of("/var/run/netns", name));
        });
        if (!Engines.on()) {
            assertTrue(pruned.toString().contains("removed address lease ") && pruned.toString().contains(veth)
                    && pruned.toString().contains(name), pruned.toString());
        }
        assertEquals(List.of(), leases(BRIDGE));
        assertFalse(Files.exists(Path.of("/var/run/netns", name)));
        awaitNoVeths();
    }

    @Test
    void anExhaustedSubnetIs125WithTheReasonAndLeavesNothing() throws Exception {
        net.config = Jbox.configWith(Files.createDirectory(tmp.resolve("slash29")),
                "net.default=bridge\nnet.bridge.name=jbt29\nnet.bridge.subnet=10.99.0.0/29");
        List<Process> holders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            holders.add(net.start("run", "--rm", "--name", "net-hold-" + i, Jbox.IMAGE, "sleep", "600"));
        }
        for (int i = 0; i < 5; i++) {
            Containers.awaitRunning("net-hold-" + i);
        }
        Await.within(Await.DEADLINE, () -> !(leases("jbt29").size() < 5));
        long dirs;
        try (var s = Files.list(Jbox.STATE)) {
            dirs = s.filter(Files::isDirectory).count();
        }
        Jbox.Result r = net.run("run", "--rm", Jbox.IMAGE, "true");
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: no free address in 10.99.0.0/29 (5 leases)\n", r.err());
        try (var s = Files.list(Jbox.STATE)) {
            assertEquals(dirs, s.filter(Files::isDirectory).count(), "state directory left behind");
        }
        assertEquals(5, leases("jbt29").size());
        for (Process h : holders) {
            h.destroyForcibly();
        }
    }

    @Test
    void noneHasOnlyLoopbackHostSeesTheNamespacesLinksAndNsJoinsANamedOne() throws Exception {
        net.inNs("ip", "link", "add", "jbt-dummy0", "type", "veth", "peer", "name", "jbt-dummy0p");
        Jbox.Result none = net.run("run", "--rm", "--net", "none", Jbox.IMAGE, "ip", "-o", "link");
        assertEquals(0, none.code(), none.all());
        assertEquals(List.of("lo"), none.out().lines().map(l -> l.split(": ")[1]).toList(), none.all());
        Jbox.Result host = net.run("run", "--rm", "--net", "host", Jbox.IMAGE, "ip", "-o", "link");
        assertEquals(0, host.code(), host.all());
        assertTrue(host.out().contains("jbt-dummy0"), host.all());
        String other = net.name + "-b";
        Jbox.host("ip", "netns", "add", other);
        try {
            Jbox.host("ip", "-n", other, "link", "add", "jbt-dummy1", "type", "veth", "peer", "name", "jbt-dummy1p");
            Jbox.Result joined = net.run("run", "--rm", "--net", "ns:" + other, Jbox.IMAGE, "ip", "-o", "link");
            assertEquals(0, joined.code(), joined.all());
            assertTrue(joined.out().contains("jbt-dummy1") && !joined.out().contains("jbt-dummy0"), joined.all());
        } finally {
            Jbox.host("ip", "netns", "del", other);
        }
        assertEquals(List.of(), leases(BRIDGE), "no lease for none, host or ns:");
    }

    @Test
    void dryRunCreatesNoBridgeAndNoLease() throws Exception {
        Jbox.Result r = net.run("run", "--dry-run", Jbox.IMAGE, "true");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("\"dev.jbox.network.mode\" : \"bridge\""), r.all());
        assertFalse(net.inNs("ip", "-o", "link", "show").contains(BRIDGE), "dry run made the bridge");
        assertEquals(List.of(), leases(BRIDGE));
    }
}

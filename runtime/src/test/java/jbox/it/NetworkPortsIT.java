package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Published ports and user-defined networks, like NetworkIT only inside a network namespace each
 * test makes (jbox-test-RANDOM): bridges, DNAT/FORWARD rules, route_localnet and the "host" that
 * wgets the published port are all that namespace's. Its own bridge name and subnet (jbp0,
 * 10.77.0.0/16) and random network names keep its lease files apart from NetworkIT's in the shared
 * state root. Nothing here sends a packet beyond these namespaces.
 */
class NetworkPortsIT {
    static final String BRIDGE = "jbp0";
    static final String PORT = "18080";

    @TempDir
    Path tmp;
    TestNetns net;
    final List<String> networks = new ArrayList<>();

    @BeforeAll
    static void setUpAll() throws Exception {
        Jbox.setUp();
    }

    @BeforeEach
    void makeNamespace() throws Exception {
        net = new TestNetns(tmp, BRIDGE, "10.77.0.0/16");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        net.remove(net::pruneRemovesNothing, () -> {
            for (String n : networks) {
                Jbox.finish(net.jbox("network", "rm", n).start());
            }
        });
    }

    @AfterAll
    static void theHostWasNotTouched() throws Exception {
        assertFalse(Jbox.host("ip", "-o", "link", "show").matches("(?s).*(" + BRIDGE + "|jbn-).*"), "bridge on the host");
        assertFalse(Jbox.host("iptables-save").matches("(?s).*jbox:(" + BRIDGE + "|jbn-).*"), "rule on the host");
        // The port lease file is shared by every run on this state root: removed only when no one holds a port.
        Path leases = Jbox.STATE.resolve("ports.leases");
        if (Files.exists(leases) && Files.readString(leases).isBlank()) {
            Files.deleteIfExists(leases);
            Files.deleteIfExists(Jbox.STATE.resolve("ports.lock"));
        }
    }

    /** The test namespace's own process (the "host") fetching a URL: the body, or "" after a few tries. */
    String fetch(String url) throws Exception {
        String[] body = {""};
        Await.within(Await.DEADLINE, () -> (body[0] = net.inNs("wget", "-q", "-T", "2", "-t", "1", "-O", "-", url))
                .startsWith("hello"));
        return body[0].startsWith("hello") ? body[0] : "";
    }

    long rulesTagged(String id) throws Exception {
        return net.inNs("iptables-save").lines().filter(l -> l.contains("jbox:" + id.substring(0, 12))).count();
    }

    /** A server container: busybox httpd on 8080 serving "hello-NAME", ended by SIGTERM to jbox. */
    static String[] server(String name, String... flags) {
        List<String> a = new ArrayList<>(List.of("run", "--rm", "--name", name));
        a.addAll(List.of(flags));
        a.addAll(List.of(Jbox.IMAGE, "sh", "-c", "trap 'exit 0' TERM; mkdir /srv && echo hello-" + name
                + " > /srv/index.html && httpd -p 8080 -h /srv && while true; do sleep 0.1; done"));
        return a.toArray(new String[0]);
    }

    @Test
    void aPublishedPortServesLoopbackAndAnotherAddressIsHeldExclusivelyAndGoesAtExit() throws Exception {
        // A second address of the "host", on an interface that is not the bridge.
        net.inNs("ip", "link", "add", "jbt-ext0", "type", "veth", "peer", "name", "jbt-ext0p");
        net.inNs("ip", "addr", "add", "192.0.2.1/24", "dev", "jbt-ext0");
        net.inNs("ip", "link", "set", "jbt-ext0", "up");
        net.inNs("ip", "link", "set", "jbt-ext0p", "up");
        Process web = net.start(server("pweb", "-p", PORT + ":8080"));
        String id = Containers.awaitRunning("pweb").path("id").asText();
        assertEquals("hello-pweb\n", fetch("http://127.0.0.1:" + PORT + "/"), "via loopback");
        assertEquals("hello-pweb\n", fetch("http://192.0.2.1:" + PORT + "/"), "via a non-bridge address");
        long rules = rulesTagged(id);
        assertEquals(4, rules, net.inNs("iptables-save"));
        Jbox.Result inspect = net.run("inspect", "--format", "{{json .NetworkSettings.Ports}}", "pweb");
        assertEquals("{\"8080/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"" + PORT + "\"}]}\n", inspect.out(), inspect.all());
        Jbox.Result ps = net.run("ps", "--filter", "name=pweb", "--format", "{{.Ports}}");
        assertEquals("0.0.0.0:" + PORT + "->8080/tcp\n", ps.out(), ps.all());

        Jbox.Result second = net.run("run", "--rm", "-p", PORT + ":80", Jbox.IMAGE, "true");
        assertEquals(125, second.code(), second.all());
        assertEquals("jbox: port " + PORT + "/tcp is already published by container " + id.substring(0, 12) + "\n", second.err());
        assertEquals(rules, net.inNs("iptables-save").lines().filter(l -> l.matches(".*jbox:[0-9a-f]{12}.*")).count(),
                "the refused run left a rule");

        Jbox.host("kill", "-TERM", Long.toString(web.pid()));
        Jbox.Result done = Jbox.finish(web);
        assertEquals(0, done.code(), done.all());
        assertEquals(0, rulesTagged(id), net.inNs("iptables-save"));
        assertFalse(Files.readString(Jbox.STATE.resolve("ports.leases")).contains(id), "port lease left");
        // Free again: a detached container takes it; its internal-finish removes the rules.
        Jbox.Result detached = net.run("run", "-d", "--rm", "--name", "pdet", "-p", PORT + ":8080", Jbox.IMAGE, "sleep", "30");
        assertEquals(0, detached.code(), detached.all());
        String did = detached.out().trim();
        assertEquals(4, rulesTagged(did));
        assertEquals(0, net.run("kill", "pdet").code());
        Await.within(Await.DEADLINE, () -> !(rulesTagged(did) > 0));
        assertEquals(0, rulesTagged(did), net.inNs("iptables-save"));
    }

    @Test
    void aContainerPortAloneGetsAFreeHostPortThatTheLeasesAndInspectShow() throws Exception {
        Process web = net.start(server("prnd", "-p", "8080", "-p", "127.0.0.1::8080/udp"));
        String id = Containers.awaitRunning("prnd").path("id").asText();
        List<String> leased = Files.readAllLines(Jbox.STATE.resolve("ports.leases")).stream()
                .filter(l -> l.startsWith(id)).map(l -> l.substring(id.length() + 1)).sorted().toList();
        assertEquals(2, leased.size(), leased.toString());
        assertTrue(leased.get(0).matches("127\\.0\\.0\\.1:[1-9][0-9]*:8080/udp"), leased.toString());
        assertTrue(leased.get(1).matches("[1-9][0-9]*:8080/tcp"), leased.toString());
        String hostPort = leased.get(1).split(":")[0];
        assertEquals("hello-prnd\n", fetch("http://127.0.0.1:" + hostPort + "/"), "the chosen port forwards");
        // docker's places: NetworkSettings.Ports and HostConfig.PortBindings, with the chosen host ports
        JsonNode inspect = new ObjectMapper().readTree(net.run("inspect", "prnd").out()).path(0);
        String udpPort = leased.get(0).split(":")[1];
        for (JsonNode map : List.of(inspect.path("NetworkSettings").path("Ports"), inspect.path("HostConfig").path("PortBindings"))) {
            assertEquals(hostPort, map.path("8080/tcp").path(0).path("HostPort").asText(), inspect.toString());
            assertEquals("", map.path("8080/tcp").path(0).path("HostIp").asText(), inspect.toString());
            assertEquals(udpPort, map.path("8080/udp").path(0).path("HostPort").asText(), inspect.toString());
            assertEquals("127.0.0.1", map.path("8080/udp").path(0).path("HostIp").asText(), inspect.toString());
        }
        Jbox.host("kill", "-TERM", Long.toString(web.pid()));
        assertEquals(0, Jbox.finish(web).code());
        assertEquals(0, rulesTagged(id), net.inNs("iptables-save"));
    }

    @Test
    void publishAllPublishesWhatTheImageExposes() throws Exception {
        // An image whose config exposes 8080/tcp (import keeps ExposedPorts in image.json: ImageArchiveImportTest).
        String image = "exposer-" + Long.toHexString(System.nanoTime());
        assertEquals(0, net.run("image", "build-default", "--name", image).code());
        try {
            Path meta = Jbox.DATA.resolve("images").resolve(image).resolve("image.json");
            String json = Files.readString(meta);
            String exposing = json.replaceFirst("\"exposedPorts\" : \\[ \\]", "\"exposedPorts\" : [ \"8080/tcp\" ]");
            assertFalse(json.equals(exposing), json);
            Files.writeString(meta, exposing);
            List<String> args = new ArrayList<>(List.of(server("pall", "-P")));
            args.set(args.indexOf(Jbox.IMAGE), image);
            Process web = net.start(args.toArray(new String[0]));
            String id = Containers.awaitRunning("pall").path("id").asText();
            List<String> leased = Files.readAllLines(Jbox.STATE.resolve("ports.leases")).stream()
                    .filter(l -> l.startsWith(id)).map(l -> l.substring(id.length() + 1)).toList();
            assertEquals(1, leased.size(), leased.toString());
            assertTrue(leased.get(0).matches("[1-9][0-9]*:8080/tcp"), leased.toString());
            assertEquals("hello-pall\n", fetch("http://127.0.0.1:" + leased.get(0).split(":")[0] + "/"));
            Jbox.host("kill", "-TERM", Long.toString(web.pid()));
            assertEquals(0, Jbox.finish(web).code());
        } finally {
            net.run("image", "rm", image);
        }
    }

    @Test
    void aPortAHostProcessListensOnIsRefusedForTcpAndForUdpAndFreeOnceItStops() throws Exception {
        for (String proto : List.of("tcp", "udp")) {
            // socat binds at once; ss shows the socket once it is bound.
            Process listener = net.hostProcess("socat", "-u", proto.equals("tcp") ? "TCP-LISTEN:" + PORT + ",reuseaddr"
                    : "UDP-RECV:" + PORT, "OPEN:/dev/null");
            String ssFlags = proto.equals("tcp") ? "-Hltn" : "-Hlun";
            Await.within(Await.DEADLINE, () -> !net.inNs("ss", ssFlags, "sport = :" + PORT).isBlank());
            String mapping = PORT + ":80" + (proto.equals("udp") ? "/udp" : "");
            Jbox.Result refused = net.run("run", "--rm", "-p", mapping, Jbox.IMAGE, "true");
            assertEquals(125, refused.code(), refused.all());
            assertEquals("jbox: cannot publish port " + PORT + "/" + proto + " on all addresses: address already in use\n",
                    refused.err());
            assertEquals(0, net.inNs("iptables-save").lines().filter(l -> l.matches(".*jbox:[0-9a-f]{12}.*")).count(),
                    net.inNs("iptables-save"));
            listener.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Await.within(Await.DEADLINE, () -> net.inNs("ss", ssFlags, "sport = :" + PORT).isBlank());
            Jbox.Result free = net.run("run", "--rm", "-p", mapping, Jbox.IMAGE, "true");
            assertEquals(0, free.code(), free.all());
        }
    }

    @Test
    void aSubnetTheHostAlreadyRoutesIsRefusedUnlessForced() throws Exception {
        // The "host" on a LAN (a veth pair: this kernel has no dummy links).
        net.inNs("ip", "link", "add", "jbt-lan0", "type", "veth", "peer", "name", "jbt-lan0p");
        net.inNs("ip", "addr", "add", "10.79.5.1/24", "dev", "jbt-lan0");
        net.inNs("ip", "link", "set", "jbt-lan0", "up");
        net.inNs("ip", "link", "set", "jbt-lan0p", "up");
        assertTrue(net.inNs("ip", "route").contains("10.79.5.0/24 dev jbt-lan0"), net.inNs("ip", "route"));
        String name = "l" + Long.toHexString(System.nanoTime() & 0xffffff);
        Jbox.Result refused = net.run("network", "create", name, "--subnet", "10.79.0.0/16");
        assertEquals(125, refused.code(), refused.all());
        assertEquals("jbox: subnet 10.79.0.0/16 overlaps the host's route to 10.79.5.0/24 on jbt-lan0 (use --force if that is intended)\n",
                refused.err());
        assertFalse(net.run("network", "ls").out().contains(name), "a refused network was recorded");
        networks.add(name);
        Jbox.Result forced = net.run("network", "create", name, "--subnet", "10.79.0.0/16", "--force");
        assertEquals(0, forced.code(), forced.all());
        assertEquals(0, net.run("network", "create", "m" + name.substring(1), "--subnet", "10.80.0.0/16").code(),
                "a subnet no route covers");
        networks.add("m" + name.substring(1));
    }

    @Test
    void aFailedStartAndASigkilledJboxFollowedByPruneLeaveNoPortRule() throws Exception {
        Jbox.Result failed = net.run("run", "--rm", "-p", PORT + ":80", Jbox.IMAGE, "no-such-command");
        assertEquals(127, failed.code(), failed.all());
        assertEquals(0, net.inNs("iptables-save").lines().filter(l -> l.matches(".*jbox:[0-9a-f]{12}.*")).count(), net.inNs("iptables-save"));
        Process p = net.start("run", "--name", "pkill", "-p", PORT + ":80", Jbox.IMAGE, "sleep", "600");
        String id = Containers.awaitRunning("pkill").path("id").asText();
        Await.within(Await.DEADLINE, () -> !(rulesTagged(id) < 4));
        assertEquals(4, rulesTagged(id));
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        StringBuilder pruned = new StringBuilder();
        Await.within(Await.DEADLINE, () -> {
            pruned.append(Jbox.finish(net.jbox("system", "prune").start()).out());
            return rulesTagged(id) == 0;
        });
        assertEquals(0, rulesTagged(id), net.inNs("iptables-save"));
        // With the engine only the front end died: the engine ends the container and releases its ports itself.
        assertTrue(Engines.on() || pruned.toString().contains("published port " + PORT + ":80/tcp of container "
                + id.substring(0, 12)), pruned.toString());
        Jbox.Result again = net.run("run", "--rm", "-p", PORT + ":80", Jbox.IMAGE, "true");
        assertEquals(0, again.code(), again.all());
    }

    @Test
    void containersOnOneNetworkReachEachOtherNotAcrossNetworksAndRmWaitsForThem() throws Exception {
        String suffix = Long.toHexString(System.nanoTime() & 0xffffff);
        String red = "r" + suffix;
        String blue = "b" + suffix;
        networks.addAll(List.of(red, blue));
        assertEquals(0, net.run("network", "create", red, "--subnet", "10.78.1.0/24").code());
        assertEquals(0, net.run("network", "create", blue, "--subnet", "10.78.2.0/24").code());
        Jbox.Result overlap = net.run("network", "create", "o" + suffix, "--subnet", "10.78.0.0/16");
        assertEquals(125, overlap.code(), overlap.all());
        assertEquals("jbox: subnet 10.78.0.0/16 overlaps network " + blue + " (10.78.2.0/24)\n", overlap.err());
        Jbox.Result ls = net.run("network", "ls");
        assertTrue(ls.out().contains(red) && ls.out().contains("jbn-" + red) && ls.out().contains("10.78.1.0/24"), ls.all());

        Process web = net.start(server("nweb", "--net", red));
        Containers.awaitRunning("nweb");
        String[] address = {""};
        Await.within(Await.DEADLINE, () -> {
            address[0] = net.run("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "nweb").out().trim();
            return address[0].startsWith("10.78.1.");
        });
        String addr = address[0];
        assertTrue(addr.startsWith("10.78.1."), addr);
        // sh -c, not wget as PID 1: PID 1 ignores timeout's SIGTERM.
        String get = "for i in $(seq 30); do timeout 2 wget -q -O - http://" + addr + ":8080/ && exit 0; sleep 0.1; done; exit 1";
        Jbox.Result same = net.run("run", "--rm", "--net", red, Jbox.IMAGE, "sh", "-c", get);
        assertEquals(0, same.code(), same.all());
        assertEquals("hello-nweb\n", same.out());
        long t0 = System.nanoTime();
        Jbox.Result other = net.run("run", "--rm", "--net", blue, Jbox.IMAGE, "sh", "-c",
                "ip -4 -o addr show eth0; timeout 2 wget -q -O - http://" + addr + ":8080/; echo rc=$?");
        assertTrue(other.out().contains("rc=") && !other.out().contains("rc=0") && !other.out().contains("hello"),
                other.all() + net.inNs("iptables", "-S", "FORWARD") + net.inNs("ip", "-o", "link"));
        Jbox.Result dflt = net.run("run", "--rm", Jbox.IMAGE, "sh", "-c", "timeout 2 wget -q -O - http://" + addr + ":8080/; echo rc=$?");
        assertTrue(dflt.out().contains("rc=") && !dflt.out().contains("rc=0") && !dflt.out().contains("hello"), dflt.all());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "connect attempts took too long");

        Jbox.Result busy = net.run("network", "rm", red);
        assertEquals(125, busy.code(), busy.all());
        assertTrue(busy.err().startsWith("jbox: network " + red + " is in use by container "), busy.all());
        Jbox.host("kill", "-TERM", Long.toString(web.pid()));
        assertEquals(0, Jbox.finish(web).code());
        Jbox.Result rm = net.run("network", "rm", red);
        assertEquals(0, rm.code(), rm.all());
        assertTrue(rm.out().contains("removed bridge jbn-" + red), rm.all());
        assertFalse(net.inNs("iptables-save").contains("jbn-" + red), "rules of the removed network left");
        assertFalse(net.run("network", "ls").out().contains(red));
        Jbox.Result gone = net.run("run", "--rm", "--net", red, Jbox.IMAGE, "true");
        assertEquals(125, gone.code());
        assertEquals("jbox: network " + red + " does not exist (see: jbox network ls)\n", gone.err());
    }
}

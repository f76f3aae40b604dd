package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A container started again gets its network back (a lease, eth0, its published ports), in a throwaway netns. */
class StartNetworkIT {
    private static final String BRIDGE = "jbxst0";

    @TempDir
    Path tmp;
    TestNetns net;

    @BeforeAll
    static void setUpAll() throws Exception {
        Jbox.setUp();
    }

    @BeforeEach
    void makeNamespace() throws Exception {
        net = new TestNetns(tmp, BRIDGE, "10.78.0.0/16");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        net.remove(net::pruneRemovesNothing, () -> {
            Path leases = Jbox.STATE.resolve("ports.leases");
            if (Files.exists(leases) && Files.readString(leases).isBlank()) {
                Files.deleteIfExists(leases);
                Files.deleteIfExists(Jbox.STATE.resolve("ports.lock"));
            }
        });
    }

    @Test
    void startAttachesTheNetworkAgainAndPortListsThePublishedPorts() throws Exception {
        String name = Containers.uniqueName("startnet");
        String cmd = "ip -o -4 addr show eth0 | grep -q inet && echo eth0-up; sleep 600";
        Jbox.Result r = net.run("run", "-d", "--init", "-p", "18281:80", "-p", "127.0.0.1:18282:53/udp", "--name", name,
                Jbox.IMAGE, "sh", "-c", cmd);
        assertEquals(0, r.code(), r.all());
        try {
            Containers.awaitChildExec(Containers.awaitRunning(name).path("pid").asLong(), "sleep");
            Jbox.Result port = net.run("port", name);
            assertEquals("80/tcp -> 0.0.0.0:18281\n53/udp -> 127.0.0.1:18282\n", port.out(), port.all());
            assertEquals("0.0.0.0:18281\n", net.run("port", name, "80").out());

            Jbox.Result stop = net.run("stop", "-t", "30", name);
            assertEquals(0, stop.code(), stop.all());
            Jbox.Result none = net.run("port", name);
            assertEquals(0, none.code(), none.all());
            assertEquals("", none.out(), "a stopped container holds no port");
            Jbox.Result start = net.run("start", name);
            assertEquals(0, start.code(), start.all());
            Containers.awaitChildExec(Containers.awaitRunning(name).path("pid").asLong(), "sleep");
            Jbox.Result logs = net.run("logs", name);
            assertEquals("eth0-up\neth0-up\n", logs.out(), logs.all());
            assertTrue(net.run("port", name).out().contains("80/tcp -> 0.0.0.0:18281"), "its ports again");
        } finally {
            net.run("rm", "-f", name);
        }
    }
}

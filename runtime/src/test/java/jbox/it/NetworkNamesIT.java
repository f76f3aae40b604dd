package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers on one jbox network reach each other by name (docker's user-defined networks): each
 * one's /etc/hosts lists the others, kept up to date as they come and go. Inside a throwaway
 * network namespace (TestNetns): nothing reaches the host.
 */
class NetworkNamesIT {
    @TempDir
    Path tmp;
    TestNetns net;
    String network;

    @BeforeAll
    static void setUpAll() throws Exception {
        Jbox.setUp();
    }

    @BeforeEach
    void makeNamespace() throws Exception {
        net = new TestNetns(tmp, "jbq0", "10.76.0.0/16");
        network = "names" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    @AfterEach
    void removeNamespace() throws Exception {
        net.remove(net::pruneRemovesNothing, () -> Jbox.finish(net.jbox("network", "rm", network).start()));
    }

    /** The container's /etc/hosts as it reads it now. */
    String hostsOf(String name) throws Exception {
        return net.run("exec", name, "cat", "/etc/hosts").out();
    }

    /** {@code from} fetching http://TO:8080/ by name. */
    Jbox.Result fetch(String from, String to) throws Exception {
        return net.run("exec", from, "sh", "-c", "wget -q -O - http://" + to + ":8080/");
    }

    /** A detached container on the network that serves "hello-NAME" on 8080 until removed. */
    void server(String name) throws Exception {
        Jbox.Result r = net.run("run", "-d", "--name", name, "--net", network, Jbox.IMAGE, "sh", "-c",
                "mkdir /srv && echo hello-" + name + " > /srv/index.html && exec httpd -f -p 8080 -h /srv");
        assertEquals(0, r.code(), r.all());
    }

    @Test
    void peersResolveByNameAndTheListFollowsArrivalsAndDepartures() throws Exception {
        String a = network + "a";
        String b = network + "b";
        String c = network + "c";
        Jbox.Result created = net.run("network", "create", network, "--subnet", "10.75.5.0/24");
        assertEquals(0, created.code(), created.all());
        try {
            server(a);
            server(b);
            // By wget in a shell: busybox ping fails in any jbox container today ("permission denied", name
            // or address), and busybox wget -T dies of SIGSEGV here (both noted in the report).
            Jbox.Result fromA = fetch(a, b);
            assertEquals("hello-" + b + "\n", fromA.out(), "a fetches from b by name: " + fromA.all() + "\n" + hostsOf(a));
            Jbox.Result get = fetch(b, a);
            assertEquals("hello-" + a + "\n", get.out(), "b fetches from a by name: " + get.all());

            // /etc/hosts is a bind of the state directory's file: rewritten in place, never replaced.
            String inodeBefore = net.run("exec", a, "stat", "-c", "%i", "/etc/hosts").out();
            server(c);
            Await.within(Await.DEADLINE, () -> hostsOf(a).contains(c) && hostsOf(b).contains(c));
            assertEquals(inodeBefore, net.run("exec", a, "stat", "-c", "%i", "/etc/hosts").out());
            Jbox.Result late = fetch(a, c);
            assertEquals("hello-" + c + "\n", late.out(), "a sees c, which came later: " + late.all());
            String fromC = fetch(c, b).out();
            assertEquals("hello-" + b + "\n", fromC, "c sees those already there");
            assertFalse(hostsOf(a).lines().filter(l -> l.contains(a)).count() > 1, "a is listed once, as itself");

            assertEquals(0, net.run("rm", "-f", b).code());
            Await.within(Await.DEADLINE, () -> !hostsOf(a).contains(b) && !hostsOf(c).contains(b));
            Jbox.Result gone = fetch(a, b);
            assertTrue(gone.code() != 0 && gone.err().contains("bad address"), "a removed container's name is gone: " + gone.all());
        } finally {
            net.run("rm", "-f", a, b, c);
            for (String n : new String[] {a, b, c}) {
                net.run("rm", "-f", n);
            }
        }
        assertFalse(Files.exists(Jbox.STATE.resolve("hosts-jbq0.lock")), "the default bridge keeps no name lists");
    }
}

package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Commands on a running container from another process: ns, inspect, kill, stop. */
class LifecycleIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @Test
    void nsShowsEverySevenNamespacesApartFromTheHostAndHowToEnter() throws Exception {
        String name = Containers.uniqueName("ns");
        Process p = Jbox.start("run", "--rm", "--name", name, "--hostname", "nsbox", Jbox.IMAGE, "sleep", "30");
        JsonNode state = Containers.awaitRunning(name);
        JsonNode ns = JSON.readTree(Jbox.run("ns", "--format", "json", name).out());
        assertEquals(7, ns.path("namespaces").size());
        ns.path("namespaces").fields().forEachRemaining(e ->
                assertFalse(e.getValue().path("shared").asBoolean(), e.getKey() + " is shared with the host"));
        assertEquals("0 100000 65536", ns.path("uidMap").asText());
        assertEquals("nsbox", ns.path("hostname").asText());
        assertEquals("nsenter --target " + state.path("pid").asLong() + " --all", ns.path("nsenter").asText());
        // and the nsenter command really enters it
        String inside = Jbox.host("nsenter", "--target", state.path("pid").asText(), "--all", "hostname").trim();
        assertEquals("nsbox", inside);
        Jbox.run("kill", name);
        assertEquals(137, Jbox.finish(p).code());
    }

    @Test
    void killSendsTheNamedSignalToPid1() throws Exception {
        String name = Containers.uniqueName("kill");
        Process p = Jbox.start("run", "--rm", "--name", name, Jbox.IMAGE, "sh", "-c", "trap 'exit 42' USR1; echo ready; while :; do sleep 1; done");
        RunIT.waitForOutputStart(p);
        Jbox.Result k = Jbox.run("kill", "-s", "USR1", name);
        assertEquals(0, k.code(), k.all());
        assertEquals(42, Jbox.finish(p).code());
        Jbox.Result again = Jbox.run("kill", name);
        assertEquals(125, again.code());
        assertTrue(again.err().contains("no such container") || again.err().contains("is not running"), again.all());
    }

    @Test
    void stopKillsAPid1ThatIgnoresSigtermOnlyAfterTheTimeout() throws Exception {
        String name = Containers.uniqueName("stop");
        Process p = Jbox.start("run", "--rm", "--name", name, Jbox.IMAGE, "sleep", "60");
        Containers.awaitRunning(name);
        Thread.sleep(300);
        long t0 = System.nanoTime();
        Jbox.Result stop = Jbox.run("stop", "-t", "1", name);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, stop.code(), stop.all());
        assertTrue(ms >= 1000, "sleep as PID 1 ignores SIGTERM, so stop waited its timeout: " + ms + " ms");
        assertEquals(137, Jbox.finish(p).code());

        String quick = Containers.uniqueName("stopinit");
        Process q = Jbox.start("run", "--rm", "--init", "--name", quick, Jbox.IMAGE, "sleep", "60");
        Containers.awaitRunning(quick);
        Thread.sleep(300);
        t0 = System.nanoTime();
        assertEquals(0, Jbox.run("stop", "-t", "10", quick).code());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000, "with --init SIGTERM reaches sleep at once");
        assertEquals(143, Jbox.finish(q).code());
    }

    @Test
    void inspectShowsStateAndUnknownIdsFailClearly() throws Exception {
        String name = Containers.uniqueName("insp");
        Process p = Jbox.start("run", "--rm", "--name", name, Jbox.IMAGE, "sleep", "30");
        JsonNode state = Containers.awaitRunning(name);
        JsonNode j = JSON.readTree(Jbox.run("inspect", name).out());
        assertTrue(j.path("running").asBoolean());
        assertEquals(state.path("pid").asLong(), j.path("pid").asLong());
        Jbox.run("kill", name);
        Jbox.finish(p);
        Jbox.Result unknown = Jbox.run("inspect", "no-such-container-x");
        assertEquals(125, unknown.code());
        assertEquals("jbox: no such container: no-such-container-x\n", unknown.err());
    }
}

package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docker's start, restart and --restart for containers of `jbox run`; the OCI CLI's start keeps its meaning. */
class StartRestartIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    /** `jbox wait`'s answer: the container's last exit code. */
    private static int await(String name) throws Exception {
        Jbox.Result w = Jbox.run("wait", name);
        assertEquals(0, w.code(), w.all());
        return Integer.parseInt(w.out().trim());
    }

    @Test
    void startRunsTheSameContainerAgainWithItsLayerAndStartDashAAttaches() throws Exception {
        String name = Containers.uniqueName("start");
        String cmd = "echo run >> /runs; echo runs $(wc -l < /runs) host $(hostname); exit 4";
        Jbox.Result r = Jbox.run("run", "-d", "--name", name, Jbox.IMAGE, "sh", "-c", cmd);
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        try {
            assertEquals(4, await(name));
            JsonNode first = Containers.find(name);

            Jbox.Result attached = Jbox.run("start", "-a", name);
            assertEquals(4, attached.code(), attached.all());
            assertEquals("runs 2 host " + id.substring(0, 12) + "\n", attached.out(), "the same layer and hostname: " + attached.all());
            JsonNode second = Containers.find(name);
            assertEquals(id, second.path("id").asText());
            assertEquals(first.path("layerDir").asText(), second.path("layerDir").asText());
            assertTrue(second.path("pid").asLong() != first.path("pid").asLong(), "a new init: " + second);
            assertEquals(4, second.path("exitCode").asInt());

            Jbox.Result detached = Jbox.run("start", name);
            assertEquals(0, detached.code(), detached.all());
            assertEquals(name + "\n", detached.out());
            assertEquals(4, await(name));
            Jbox.Result logs = Jbox.run("logs", name);
            String host = " host " + id.substring(0, 12) + "\n";
            // every run writes through its shim into the log, the attached one too (docker's logs)
            assertEquals("runs 1" + host + "runs 2" + host + "runs 3" + host, logs.out(), logs.all());
        } finally {
            Jbox.run("rm", "-f", name);
        }
        assertFalse(Files.exists(Jbox.STATE.resolve(id)), "rm removed it");
        assertFalse(Files.exists(Jbox.DATA.resolve("containers").resolve(id)));
    }

    @Test
    void theOciCliStartStillMeansTheOciContainerAndAnUnknownIdFails() throws Exception {
        Jbox.Result unknown = Jbox.run("start", "no-such-container-start");
        assertEquals(125, unknown.code(), unknown.all());
        assertTrue(unknown.err().contains("no-such-container-start"), unknown.all());
        Jbox.Result attach = Jbox.run("start", "-a", "no-such-container-start");
        assertEquals(125, attach.code(), attach.all());
    }

    @Test
    void restartStopsARunningContainerAndStartsItAgain() throws Exception {
        String name = Containers.uniqueName("restart");
        Jbox.Result r = Jbox.run("run", "-d", "--init", "--name", name, Jbox.IMAGE, "sh", "-c", "echo up; exec sleep 600");
        assertEquals(0, r.code(), r.all());
        try {
            long first = Containers.awaitRunning(name).path("pid").asLong();
            Containers.awaitChildExec(first, "sleep");
            Jbox.Result re = Jbox.run("restart", "-t", "30", name);
            assertEquals(0, re.code(), re.all());
            assertFalse(Containers.alive(first), "the first init is gone");
            long second = Containers.awaitRunning(name).path("pid").asLong();
            assertTrue(second != first);
            Containers.awaitChildExec(second, "sleep");
            Jbox.Result logs = Jbox.run("logs", name);
            assertEquals("up\nup\n", logs.out(), logs.all());
        } finally {
            Jbox.run("rm", "-f", name);
        }
    }

    @Test
    void onFailureRestartsUpToItsCountAndNotAfterSuccess() throws Exception {
        String name = Containers.uniqueName("onfail");
        Jbox.Result r = Jbox.run("run", "-d", "--restart", "on-failure:2", "--name", name, Jbox.IMAGE, "sh", "-c",
                "echo x >> /n; echo $(wc -l < /n); exit 3");
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        try {
            Path restart = Jbox.STATE.resolve(id).resolve("restart");
            Await.until("two restarts recorded", () -> Files.exists(restart) && Files.readString(restart).startsWith("on-failure:2 2 "));
            assertEquals(3, await(name));
            assertEquals("1\n2\n3\n", Jbox.run("logs", name).out(), "the first run and two restarts");

            String ok = Containers.uniqueName("onfailok");
            Jbox.Result s = Jbox.run("run", "-d", "--restart", "on-failure", "--name", ok, Jbox.IMAGE, "sh", "-c", "echo once");
            try {
                assertEquals(0, s.code(), s.all());
                assertEquals(0, await(ok));
                assertEquals("once\n", Jbox.run("logs", ok).out(), "no restart after success");
            } finally {
                Jbox.run("rm", "-f", ok);
            }
        } finally {
            Jbox.run("rm", "-f", name);
        }
    }

    @Test
    void alwaysRestartsUntilAUserStopsItAndStartClearsTheStop() throws Exception {
        String name = Containers.uniqueName("always");
        Jbox.Result r = Jbox.run("run", "-d", "--restart", "always", "--name", name, Jbox.IMAGE, "sh", "-c", "echo up; exit 1");
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        Path restart = Jbox.STATE.resolve(id).resolve("restart");
        try {
            Await.until("restarted at least twice", () -> Files.readString(restart).matches("always ([2-9]|\\d\\d+) 0\\s*"));
            Jbox.Result stop = Jbox.run("stop", "-t", "1", name);
            assertEquals(0, stop.code(), stop.all());
            // stop returns once no run is left and nobody owns the container: a restart needs an owner
            assertTrue(Files.readString(restart).endsWith(" 1\n"), "recorded as stopped by a user");
            String ps = Jbox.run("ps", "-a").out();
            assertTrue(ps.lines().anyMatch(l -> l.endsWith(name) && l.contains("Exited (1) ")), ps);
            int ups = Jbox.run("logs", name).out().split("\n").length;
            assertEquals(ups, Jbox.run("logs", name).out().split("\n").length);

            Jbox.Result start = Jbox.run("start", name);
            assertEquals(0, start.code(), start.all());
            Await.until("restarting again after a user's start", () -> Jbox.run("logs", name).out().split("\n").length >= ups + 2);
        } finally {
            Jbox.Result rm = Jbox.run("rm", "-f", name);
            assertEquals(0, rm.code(), rm.all());
        }
        assertFalse(Files.exists(Jbox.STATE.resolve(id)), "rm -f stops the restarts for good");
    }

    @Test
    void restartRefusesRmAndForegroundRunsAndBadPolicies() throws Exception {
        Jbox.Result rm = Jbox.run("run", "-d", "--rm", "--restart", "always", Jbox.IMAGE, "true");
        assertEquals(125, rm.code(), rm.all());
        assertTrue(rm.err().contains("--rm"), rm.all());
        Jbox.Result fg = Jbox.run("run", "--restart", "on-failure", Jbox.IMAGE, "true");
        assertEquals(125, fg.code(), fg.all());
        assertTrue(fg.err().contains("needs --detach"), fg.all());
        Jbox.Result bad = Jbox.run("run", "-d", "--restart", "sometimes", Jbox.IMAGE, "true");
        assertEquals(125, bad.code(), bad.all());
        assertEquals("jbox: invalid --restart sometimes (use no, on-failure[:N], always or unless-stopped)\n", bad.err());
    }
}

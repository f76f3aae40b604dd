package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
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
    void rmOfAContainerWhoseMonitorWasKilledRemovesItsCgroup() throws Exception {
        String name = Containers.uniqueName("orphan");
        Jbox.Result r = Jbox.run("run", "-d", "--net", "none", "--name", name, Jbox.IMAGE, "sleep", "600");
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        JsonNode state = Containers.awaitRunning(name);
        long init = state.path("pid").asLong();
        // The monitor dies without its internal-finish (the init follows it: PDEATHSIG)
        Jbox.host("kill", "-KILL", Long.toString(state.path("shimPid").asLong()));
        Containers.awaitGone(init);
        try {
            assertTrue(cgroupsOf(id).size() > 0, "a detached container has a cgroup");
            Jbox.Result rm = Jbox.run("rm", name);
            assertEquals(0, rm.code(), rm.all());
            assertEquals(List.of(), cgroupsOf(id), "rm releases what the killed monitor could not");
        } finally {
            Jbox.run("rm", "-f", name);
            for (Path left : cgroupsOf(id)) { // empty: its processes are gone
                Files.deleteIfExists(left);
            }
        }
    }

    /** Every hierarchy's cgroup.parent/ID directory that exists. */
    private static List<Path> cgroupsOf(String id) throws Exception {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            return hierarchies.map(h -> h.resolve("jbox").resolve(id)).filter(Files::isDirectory).toList();
        }
    }

    @Test
    void nsShowsEverySevenNamespacesApartFromTheHostAndHowToEnter() throws Exception {
        String name = Containers.uniqueName("ns");
        Process p = Jbox.start("run", "--rm", "--name", name, "--hostname", "nsbox", Jbox.IMAGE, "sleep", "600");
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
        Jbox.Result stopAgain = Jbox.run("stop", name);
        assertEquals(125, stopAgain.code(), "stop of an exited container: " + stopAgain.all());
        assertEquals(125, again.code());
        assertTrue(again.err().contains("no such container") || again.err().contains("is not running"), again.all());
    }

    @Test
    void stopKillsAPid1ThatIgnoresSigtermOnlyAfterTheTimeout() throws Exception {
        String name = Containers.uniqueName("stop");
        Process p = Jbox.start("run", "--rm", "--name", name, Jbox.IMAGE, "sleep", "600");
        Containers.awaitExec(Containers.awaitRunning(name).path("pid").asLong(), "sleep");
        long t0 = System.nanoTime();
        Jbox.Result stop = Jbox.run("stop", "-t", "1", name);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, stop.code(), stop.all());
        assertTrue(ms >= 1000, "sleep as PID 1 ignores SIGTERM, so stop waited its timeout: " + ms + " ms");
        assertEquals(137, Jbox.finish(p).code());

        String quick = Containers.uniqueName("stopinit");
        Process q = Jbox.start("run", "--rm", "--init", "--name", quick, Jbox.IMAGE, "sleep", "600");
        // with --init, PID 1 is the init and the workload its child: wait until that child runs sleep
        long init = Containers.awaitRunning(quick).path("pid").asLong();
        Containers.awaitChildExec(init, "sleep");
        assertEquals(0, Jbox.run("stop", "-t", "60", quick).code());
        // 143 = 128+TERM: with --init SIGTERM reaches sleep at once; after the timeout it would be 137 (KILL)
        assertEquals(143, Jbox.finish(q).code(), "with --init SIGTERM reaches sleep at once");
    }

    @Test
    void inspectShowsStateAndUnknownIdsFailClearly() throws Exception {
        String name = Containers.uniqueName("insp");
        Process p = Jbox.start("run", "--rm", "--name", name, Jbox.IMAGE, "sleep", "600");
        JsonNode state = Containers.awaitRunning(name);
        JsonNode[] inspected = new JsonNode[1];
        Await.until("inspect shows the config", () -> { // written once the command runs
            inspected[0] = JSON.readTree(Jbox.run("inspect", name).out()).get(0); // docker's shape: an array
            return !inspected[0].path("OCIConfig").isMissingNode();
        });
        JsonNode j = inspected[0];
        assertTrue(j.path("State").path("Running").asBoolean());
        assertEquals("running", j.path("State").path("Status").asText());
        assertEquals("1.0.2", j.path("OCIConfig").path("ociVersion").asText(), j.toString());
        assertEquals("sleep", j.path("Path").asText());
        assertEquals("[\"600\"]", j.path("Args").toString());
        assertEquals("[\"sleep\",\"600\"]", j.path("Config").path("Cmd").toString());
        assertEquals(name, j.path("Name").asText());
        assertEquals(Jbox.IMAGE, j.path("Config").path("Image").asText());
        assertEquals(7, j.path("Namespaces").size());
        assertEquals(state.path("pid").asLong(), j.path("State").path("Pid").asLong());
        Jbox.Result pid = Jbox.run("inspect", "--format", "{{.State.Pid}} {{.State.Status}}", name);
        assertEquals(state.path("pid").asLong() + " running\n", pid.out(), pid.all());
        Jbox.run("kill", name);
        Jbox.finish(p);
        Jbox.Result unknown = Jbox.run("inspect", "no-such-container-x");
        assertEquals(125, unknown.code());
        assertEquals("jbox: no such container or image: no-such-container-x\n", unknown.err()); // inspect takes both, as docker
    }

    @Test
    void aDetachedContainerReturnsItsIdAndItsMonitorRecordsTheExit() throws Exception {
        String name = Containers.uniqueName("det");
        try (Gate gate = Gate.create()) {
            aDetachedContainerRunsUntilReleased(name, gate);
        }
    }

    private void aDetachedContainerRunsUntilReleased(String name, Gate gate) throws Exception {
        Jbox.Result r = Jbox.run("run", "-d", "--name", name, "-v", gate.volume(), Jbox.IMAGE, "sh", "-c",
                "echo out; echo err >&2; " + Gate.AWAIT + "; echo done; exit 3");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().trim().matches("[0-9a-f]{64}"), r.all());
        // run -d returned while the workload still waits on the gate: it did not wait for the container
        JsonNode running = Containers.awaitRunning(name);
        long shim = running.path("shimPid").asLong();
        // the monitor is the shim, not a JVM: small
        long rssKb = Long.parseLong(Containers.procStatus(shim, "VmRSS").replaceAll("\\D", ""));
        assertTrue(rssKb <= 2048, "monitor RSS " + rssKb + " KiB");
        assertTrue(Jbox.run("ps").out().contains(name));
        Jbox.Result rmRunning = Jbox.run("rm", name);
        assertEquals(125, rmRunning.code(), rmRunning.all());
        assertTrue(rmRunning.err().contains("is running: stop it first or use rm -f"), rmRunning.all());
        gate.open();
        Jbox.Result follow = Jbox.run("logs", "-f", name);
        assertEquals("out\ndone\n", follow.out(), follow.all());
        assertEquals("err\n", follow.err(), "the container's stderr on logs' stderr, as docker: " + follow.all());
        JsonNode exited = awaitExited(name);
        assertEquals(3, exited.path("exitCode").asInt(), exited.toString());
        // state.json says exited a moment before the shim lets go of the container (ps shows the
        // code, and rm removes it, only then): wait for that, as a user re-running ps would
        Await.until("ps -a shows Exited (3)", () -> Jbox.run("ps", "-a", "--filter", "name=" + name).out().contains("Exited (3) "));
        assertEquals("out\ndone\n", Jbox.run("logs", name).out());
        assertEquals(0, Jbox.run("rm", name).code());
        assertEquals(null, Containers.find(name));
    }

    @Test
    void aDetachedContainerWithRmLeavesNothingAndStopWorksOnIt() throws Exception {
        String name = Containers.uniqueName("detrm");
        Jbox.Result r = Jbox.run("run", "-d", "--rm", "--name", name, Jbox.IMAGE, "sleep", "60");
        String id = r.out().trim();
        Containers.awaitRunning(name);
        assertEquals(0, Jbox.run("stop", "-t", "1", name).code());
        Await.within(Await.DEADLINE, () -> !java.nio.file.Files.exists(Jbox.STATE.resolve(id)));
        assertFalse(java.nio.file.Files.exists(Jbox.STATE.resolve(id)), "state left");
        assertFalse(java.nio.file.Files.exists(Jbox.DATA.resolve("containers").resolve(id)), "layer left");
    }

    @Test
    void twentyParallelDetachedRunsAllComeUp() throws Exception {
        List<Process> runs = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            runs.add(Jbox.start("run", "-d", "--rm", Jbox.IMAGE, "sleep", "2"));
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Process p : runs) {
            Jbox.Result r = Jbox.finish(p);
            assertEquals(0, r.code(), r.all());
            ids.add(r.out().trim());
        }
        assertEquals(20, ids.size());
        for (String id : ids) {
            Await.within(Await.DEADLINE, () -> !java.nio.file.Files.exists(Jbox.STATE.resolve(id)));
            assertFalse(java.nio.file.Files.exists(Jbox.STATE.resolve(id)), "state of " + id + " left");
        }
    }

    @Test
    void aLogOfTenMegabytesIsNotTruncated() throws Exception {
        String name = Containers.uniqueName("biglog");
        Jbox.run("run", "-d", "--name", name, Jbox.IMAGE, "sh", "-c", "head -c 10485760 /dev/zero | tr '\\0' x");
        awaitExited(name);
        Process p = Jbox.builder("logs", name).start();
        long n = p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        p.waitFor();
        assertEquals(10485760L, n);
        Jbox.run("rm", name);
    }

    @Test
    void aKilledMonitorIsReportedDeadAndPruneRemovesIt() throws Exception {
        String name = Containers.uniqueName("deadmon");
        String id = Jbox.run("run", "-d", "--name", name, Jbox.IMAGE, "sleep", "60").out().trim();
        JsonNode s = Containers.awaitRunning(name);
        Jbox.host("kill", "-KILL", s.path("shimPid").asText());
        Containers.awaitGone(s.path("pid").asLong()); // PDEATHSIG takes the container with it
        assertFalse(Containers.alive(s.path("pid").asLong()));
        Jbox.Result ps = Jbox.run("ps", "-a", "--filter", "name=" + name, "--format", "{{.State}} {{.Status}}");
        assertEquals("dead Dead\n", ps.out(), ps.all());
        Jbox.Result prune = Jbox.run("system", "prune");
        assertTrue(prune.out().contains(id.substring(0, 12)), prune.all());
        assertEquals(null, Containers.find(name));
    }

    @Test
    void waitPrintsTheExitCodeAndPsSpeaksJson() throws Exception {
        String name = Containers.uniqueName("wait");
        try (Gate gate = Gate.create()) {
            psListsItRunningThenWaitPrintsItsExit(name, gate);
        }
    }

    private void psListsItRunningThenWaitPrintsItsExit(String name, Gate gate) throws Exception {
        String id = Jbox.run("run", "-d", "--name", name, "-v", gate.volume(), Jbox.IMAGE, "sh", "-c",
                Gate.AWAIT + "; exit 4").out().trim();
        JsonNode ps = JSON.readTree(Jbox.run("ps", "--format", "json").out());
        boolean listed = false;
        for (JsonNode row : ps) {
            listed |= row.path("Id").asText().equals(id) && row.path("State").asText().equals("running");
        }
        assertTrue(listed, ps.toString());
        gate.open();
        Jbox.Result w = Jbox.run("wait", name);
        assertEquals("4\n", w.out(), "wait returns once the exit is recorded: " + w.all());
        Jbox.run("rm", name);
    }

    private static JsonNode awaitExited(String name) throws Exception {
        JsonNode[] exited = new JsonNode[1];
        Await.until(name + " exited", () -> {
            exited[0] = Containers.find(name);
            return exited[0] != null && "exited".equals(exited[0].path("status").asText());
        });
        return exited[0];
    }

}

package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The docker and podman habits of issue #16 that ps, inspect, logs, image and the commands
 * taking several containers serve, as a user types them, against real containers.
 */
class DockerHabitsIT {
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
    void severalNamesGoOnPastAMissingOneAndFailAtTheEnd() throws Exception {
        String a = Containers.uniqueName("ma");
        String b = Containers.uniqueName("mb");
        String c = Containers.uniqueName("mc");
        for (String n : List.of(a, b, c)) {
            assertEquals(0, Jbox.run("run", "-d", "--name", n, Jbox.IMAGE, "sleep", "600").code());
        }
        Containers.awaitRunning(a);
        Containers.awaitRunning(b);
        Containers.awaitRunning(c);
        Jbox.Result inspect = Jbox.run("inspect", a, "no-such-x", b);
        assertEquals(125, inspect.code(), inspect.all());
        assertEquals("jbox: no such container or image: no-such-x\n", inspect.err());
        JsonNode both = JSON.readTree(inspect.out());
        assertEquals(2, both.size(), inspect.out());
        assertEquals(a, both.get(0).path("Name").asText());
        assertEquals(b, both.get(1).path("Name").asText());

        Jbox.Result stop = Jbox.run("stop", "-t", "0", a, b);
        assertEquals(0, stop.code(), stop.all());
        assertEquals(a + "\n" + b + "\n", stop.out());
        Jbox.Result wait = Jbox.run("wait", a, b);
        assertEquals("137\n137\n", wait.out(), "sleep as PID 1 ignores TERM: both were killed after the timeout: " + wait.all());

        Jbox.Result kill = Jbox.run("kill", c, "no-such-y");
        assertEquals(125, kill.code(), kill.all());
        assertEquals(c + "\n", kill.out());
        assertEquals("jbox: no such container: no-such-y\n", kill.err());

        Jbox.Result rm = Jbox.run("rm", "-f", a, "no-such-z", b, c);
        assertEquals(125, rm.code(), rm.all());
        assertEquals(a + "\n" + b + "\n" + c + "\n", rm.out(), "the ones after the missing one went too");
        assertEquals("jbox: no such container: no-such-z\n", rm.err());
        for (String n : List.of(a, b, c)) {
            assertEquals(null, Containers.find(n));
        }
    }

    @Test
    void psShowsDockersColumnsFiltersAndTemplates() throws Exception {
        String up = Containers.uniqueName("psup");
        String done = Containers.uniqueName("psdone");
        assertEquals(0, Jbox.run("run", "-d", "--name", up, Jbox.IMAGE, "sleep", "600").code());
        assertEquals(3, Jbox.run("run", "--name", done, Jbox.IMAGE, "sh", "-c", "exit 3").code());
        Containers.awaitRunning(up);
        Await.until("the exited one is released", () -> Jbox.run("ps", "-a", "--filter", "name=" + done).out().contains("Exited (3) "));

        Jbox.Result table = Jbox.run("ps", "-a", "--filter", "name=" + up, "--filter", "name=" + done);
        List<String> lines = table.out().lines().toList();
        assertTrue(lines.get(0).matches("CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES"), table.out());
        assertEquals(3, lines.size(), table.out());
        String doneRow = lines.stream().filter(l -> l.endsWith(done)).findFirst().orElseThrow();
        assertTrue(doneRow.matches("[0-9a-f]{12} +busybox +\"sh -c exit 3\" +.* ago +Exited \\(3\\) .* ago +" + done), doneRow);
        String upRow = lines.stream().filter(l -> l.endsWith(up)).findFirst().orElseThrow();
        assertTrue(upRow.matches("[0-9a-f]{12} +busybox +\"sleep 600\" +.* ago +Up .*" + up), upRow);

        assertFalse(Jbox.run("ps", "--filter", "name=" + done).out().contains(done), "without -a, no exited ones");
        assertEquals(done + "\n", Jbox.run("ps", "--filter", "status=exited", "--filter", "name=" + done,
                "--format", "{{.Names}}").out(), "a status filter shows stopped ones without -a");
        assertEquals(up + " running\n", Jbox.run("ps", "--filter", "name=" + up, "--filter", "ancestor=busybox:latest",
                "--format", "{{.Names}} {{.State}}").out());
        String id = Jbox.run("inspect", "--format", "{{.Id}}", up).out().trim();
        assertEquals(id.substring(0, 12) + "\n", Jbox.run("ps", "-q", "--filter", "name=" + up).out());
        assertEquals(id + "\n", Jbox.run("ps", "-q", "--no-trunc", "--filter", "name=" + up).out());
        assertEquals(1, Jbox.run("ps", "-l", "-q").out().lines().count(), "-l: the latest one");
        JsonNode rows = JSON.readTree(Jbox.run("ps", "-a", "--format", "json", "--filter", "name=" + done).out());
        assertEquals(0, rows.get(0).path("Pid").asLong(), "an exited container shows no pid");
        assertEquals(3, rows.get(0).path("ExitCode").asInt());
        JsonNode inspect = JSON.readTree(Jbox.run("inspect", done).out()).get(0);
        assertEquals(0, inspect.path("State").path("Pid").asLong());
        assertEquals("exited", inspect.path("State").path("Status").asText());
        assertEquals(3, inspect.path("State").path("ExitCode").asInt());
        assertFalse(inspect.path("State").path("FinishedAt").asText().startsWith("0001"), inspect.toString());

        Jbox.Result bad = Jbox.run("ps", "--filter", "colour=red");
        assertEquals(125, bad.code());
        assertTrue(bad.err().startsWith("jbox: invalid filter colour=red: "), bad.all());
        Jbox.run("rm", "-f", up, done);
    }

    @Test
    void aContainerWithoutNameGetsAGeneratedOne() throws Exception {
        String id = Jbox.run("run", "-d", Jbox.IMAGE, "sleep", "600").out().trim();
        String name = Jbox.run("inspect", "--format", "{{.Name}}", id).out().trim();
        assertTrue(name.matches("[a-z]+_[a-z]+[0-9]*"), name);
        assertEquals(id + "\n", Jbox.run("inspect", "--format", "{{.Id}}", name).out(), "it names the container");
        assertEquals(0, Jbox.run("rm", "-f", name).code());
    }

    @Test
    void logsKeepForegroundOutputApartWithoutChangingWhatTheCallerSees() throws Exception {
        String name = Containers.uniqueName("fglog");
        Jbox.Result run = Jbox.run("run", "--name", name, Jbox.IMAGE, "sh", "-c",
                "echo out1; echo err1 >&2; echo out2; sleep 1.2; echo last; exit 7");
        assertEquals(7, run.code(), "the exit code is the container's: " + run.all());
        assertEquals("out1\nout2\nlast\n", run.out(), run.all());
        assertEquals("err1\n", run.err(), run.all());
        Jbox.Result logs = Jbox.run("logs", name);
        assertEquals("out1\nout2\nlast\n", logs.out(), logs.all());
        assertEquals("err1\n", logs.err(), logs.all());
        assertEquals("last\n", Jbox.run("logs", "--tail", "1", name).out());
        assertEquals("", Jbox.run("logs", "--tail", "0", name).out());
        Jbox.Result stamped = Jbox.run("logs", "-t", name);
        assertTrue(stamped.out().lines().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z (out1|out2|last)")),
                stamped.out());
        String lastAt = stamped.out().lines().toList().get(2).substring(0, 30);
        assertEquals("last\n", Jbox.run("logs", "--since", lastAt, name).out(), "--since " + lastAt);
        assertEquals("", Jbox.run("logs", "--since", "2099-01-01T00:00:00Z", name).out());
        assertEquals("out1\nout2\nlast\n", Jbox.run("logs", "--since", "10m", name).out());

        // a reader that goes away: the container's writes fail as when it wrote there itself, and
        // nothing hangs (the shim never waits on a reader that is gone)
        Process p = Jbox.builder("run", "--rm", Jbox.IMAGE, "sh", "-c", "yes | head -c 50000000; echo finished >&2").start();
        p.getInputStream().readNBytes(10);
        p.getInputStream().close();
        p.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "jbox run ended after its reader left");
        Jbox.run("rm", name);
    }

    @Test
    void imagesListTagHistoryInspectAndPrune(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // its own data and state roots: prune -a must not take the other tests' images
        Path data = Path.of(Jbox.DATA + "-prune");
        Path config = Jbox.configWith(tmp, "data.root=" + data + "\nstate.root=/run/jbox-it-prune-" + ProcessHandle.current().pid());
        try {
            assertEquals(0, with(config, "image", "build-default").code());
            Jbox.Result tag = with(config, "image", "tag", "busybox", "mybox:1.0");
            assertEquals(0, tag.code(), tag.all());
            Jbox.Result ls = with(config, "image", "ls");
            List<String> lines = ls.out().lines().toList();
            assertTrue(lines.get(0).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +COMMAND"), ls.out());
            assertTrue(lines.stream().anyMatch(l -> l.matches("busybox +latest +[0-9a-f]{12} +.* ago +[0-9.]+[kMG]?B +\"/bin/sh\"")), ls.out());
            String busyboxId = with(config, "image", "inspect", "--format", "{{.Id}}", "busybox").out();
            assertEquals(busyboxId, with(config, "image", "inspect", "--format", "{{.Id}}", "mybox:1.0").out(), "a tag is the same image");
            JsonNode img = JSON.readTree(with(config, "image", "inspect", "mybox:1.0").out()).get(0);
            assertEquals("[\"mybox:1.0\"]", img.path("RepoTags").toString());
            assertEquals("[\"/bin/sh\"]", img.path("Config").path("Cmd").toString());
            assertTrue(img.path("Size").asLong() > 100_000, img.toString());
            Jbox.Result history = with(config, "image", "history", "busybox");
            assertTrue(history.out().startsWith("IMAGE "), history.all());
            assertTrue(history.out().contains("busybox-static"), history.all());

            assertEquals(0, with(config, "run", "--name", "keeps-busybox", "busybox", "true").code());
            Jbox.Result prune = with(config, "image", "prune", "-a");
            assertEquals(0, prune.code(), prune.all());
            assertEquals("deleted: mybox:1.0\n", prune.out(), "busybox is used by a (stopped) container");
            assertTrue(with(config, "image", "ls", "-q").out().lines().count() == 1);
            assertEquals(0, with(config, "rm", "keeps-busybox").code());
        } finally {
            new ProcessBuilder("rm", "-rf", "--one-file-system", data.toString(), "/run/jbox-it-prune-" + ProcessHandle.current().pid())
                    .inheritIO().start().waitFor();
        }
    }

    private static Jbox.Result with(Path config, String... args) throws Exception {
        ProcessBuilder pb = Jbox.builder(args);
        pb.environment().put("JBOX_CONFIG", config.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        return new Jbox.Result(p.waitFor(), out, err);
    }

    @Test
    void helpListsRunFirstAndAnUnknownCommandIsAnErrorEvenWithHelp() throws Exception {
        Jbox.Result bare = Jbox.run();
        Jbox.Result help = Jbox.run("--help");
        assertEquals(help.out(), bare.out());
        assertTrue(help.out().contains("Commands:\n  run "), help.out());
        Jbox.Result unknown = Jbox.run("sotp", "--help");
        assertEquals(125, unknown.code());
        assertEquals("", unknown.out());
        assertEquals("jbox: unknown command sotp (did you mean stop?) (see: jbox --help)\n", unknown.err());
        assertTrue(Files.exists(Jbox.LAUNCHER));
    }
}

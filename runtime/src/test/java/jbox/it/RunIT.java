package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `jbox run` as a command: stdio, exit codes, options, failures, and what stays behind. */
class RunIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @Test
    void exitCodePassesThrough() throws Exception {
        assertEquals(42, Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c", "exit 42").code());
        assertEquals(0, Jbox.run("run", "--rm", Jbox.IMAGE, "true").code());
        assertEquals(1, Jbox.run("run", "--rm", Jbox.IMAGE, "false").code());
    }

    @Test
    void stdinStdoutAndStderrPassThrough() throws Exception {
        Jbox.Result r = Jbox.runWithInput("from stdin\n", "run", "--rm", Jbox.IMAGE, "sh", "-c", "cat; echo to-stderr >&2");
        assertEquals("from stdin\n", r.out(), r.all());
        assertEquals("to-stderr\n", r.err(), r.all());
    }

    @Test
    void commandNotFoundIs127() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "no-such-command");
        assertEquals(127, r.code(), r.all());
        assertEquals("jbox: exec \"no-such-command\" failed: executable file not found in $PATH\n", r.err());
        Jbox.Result abs = Jbox.run("run", "--rm", Jbox.IMAGE, "/bin/missing");
        assertEquals(127, abs.code(), abs.all());
        assertTrue(abs.err().contains("no such file or directory"), abs.all());
    }

    @Test
    void commandNotExecutableIs126() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "/etc/passwd");
        assertEquals(126, r.code(), r.all());
        assertEquals("jbox: exec \"/etc/passwd\" failed: permission denied (EACCES)\n", r.err());
    }

    @Test
    void jboxOwnFailuresAre125WithOneLineNamingTheProblem() throws Exception {
        Jbox.Result image = Jbox.run("run", "--rm", "no-such-image", "true");
        assertEquals(125, image.code(), image.all());
        assertEquals(1, image.err().lines().count(), image.all());
        assertTrue(image.err().contains("image not found: no-such-image"), image.all());

        // A missing working directory is made (as docker); one that is a file cannot be.
        Jbox.Result cwd = Jbox.run("run", "--rm", "-w", "/etc/passwd/sub", Jbox.IMAGE, "true");
        assertEquals(125, cwd.code(), cwd.all());
        assertEquals("jbox: create working directory /etc/passwd failed: not a directory (ENOTDIR)\n", cwd.err());

        Jbox.Result net = Jbox.run("run", "--rm", "--net", "bogus", Jbox.IMAGE, "true");
        assertEquals(125, net.code(), net.all());
        // A lowercase name is taken for a user network (jbox network create), which does not exist.
        assertEquals("jbox: network bogus does not exist (see: jbox network ls)\n", net.err(), net.all());

        Jbox.Result option = Jbox.run("run", "--no-such-option", Jbox.IMAGE);
        assertEquals(125, option.code(), option.all());

        Jbox.Result user = Jbox.run("run", "--rm", "-u", "alice", Jbox.IMAGE, "true");
        assertEquals(125, user.code(), user.all());
        assertEquals("jbox: unable to find user alice: no matching entries in the image's /etc/passwd\n", user.err(), user.all());
        assertNoLeftovers();
    }

    @Test
    void killedBySignalGives128PlusN() throws Exception {
        String name = Containers.uniqueName("sig");
        Process p = Jbox.start("run", "--rm", "--name", name, Jbox.IMAGE, "sleep", "600");
        JsonNode s = Containers.awaitRunning(name);
        // "running" is recorded before the plan runs: a SIGKILL then stops the set-up (125), not sleep
        Containers.awaitExec(s.path("pid").asLong(), "sleep");
        Jbox.host("kill", "-KILL", s.path("pid").asText());
        assertEquals(137, Jbox.finish(p).code());
    }

    @Test
    void onlyARemovedContainersOverlayIsVolatile() throws Exception {
        // volatile (fsync=volatile since 6.x): its unmount at the exit skips syncing the host's file system
        Jbox.Result removed = Jbox.run("run", "--rm", Jbox.IMAGE, "grep", " / ", "/proc/mounts");
        assertEquals(0, removed.code(), removed.all());
        assertTrue(removed.out().startsWith("overlay / overlay ") && removed.out().contains("volatile"), removed.all());
        String name = Containers.uniqueName("kept");
        Jbox.Result kept = Jbox.run("run", "--name", name, Jbox.IMAGE, "grep", " / ", "/proc/mounts");
        Jbox.run("rm", name);
        assertEquals(0, kept.code(), kept.all());
        assertTrue(kept.out().startsWith("overlay / overlay ") && !kept.out().contains("volatile"), kept.all());
    }

    @Test
    void environmentWorkdirAndUser() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "-e", "GREETING=hi", "-w", "/tmp", "-u", "1000:1001", Jbox.IMAGE,
                "sh", "-c", "echo $GREETING; pwd; id -u; id -g; echo $PATH");
        assertEquals(0, r.code(), r.all());
        assertEquals(List.of("hi", "/tmp", "1000", "1001", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                r.out().lines().toList());
    }

    @Test
    void defaultCommandIsTheImages() throws Exception {
        Jbox.Result r = Jbox.runWithInput("echo from-default-shell\n", "run", "--rm", Jbox.IMAGE);
        assertEquals("from-default-shell\n", r.out(), r.all());
    }

    @Test
    void sigtermToJboxIsForwardedToPid1AndEverythingIsRemoved() throws Exception {
        String name = Containers.uniqueName("term");
        // PID 1 ignores SIGTERM unless it has a handler: this one installs one.
        Process p = Jbox.start("run", "--rm", "--name", name, Jbox.IMAGE, "sh", "-c",
                "trap 'echo got-term; exit 143' TERM; echo ready; sleep 60 & wait");
        JsonNode s = Containers.awaitRunning(name);
        String id = s.path("id").asText();
        waitForOutputStart(p);
        Jbox.host("kill", "-TERM", Long.toString(p.pid())); // Process.destroy() would close our pipes too
        Jbox.Result r = Jbox.finish(p);
        assertEquals(143, r.code(), r.all());
        assertTrue(r.out().contains("got-term"), r.all());
        Containers.awaitGone(s.path("pid").asLong());
        assertFalse(Containers.alive(s.path("pid").asLong()));
        assertFalse(Files.exists(Jbox.STATE.resolve(id)), "state directory left");
        assertFalse(Files.exists(Jbox.DATA.resolve("containers").resolve(id)), "container layer left");
    }

    @Test
    void aRemovedContainerIsGoneAtOnceAndItsLayerSoonAfter() throws Exception {
        String name = Containers.uniqueName("gone");
        Jbox.Result r = Jbox.run("run", "--rm", "--name", name, Jbox.IMAGE, "sh", "-c", "head -c 100000 /dev/zero > /file");
        assertEquals(0, r.code(), r.all());
        // record and name went before the reply; the layer (deleted after it) is not under its id
        assertEquals(null, Containers.find(name));
        Jbox.Result again = Jbox.run("run", "--rm", "--name", name, Jbox.IMAGE, "true");
        assertEquals(0, again.code(), again.all());
        assertNoLeftovers(); // waits until no layer is being deleted, then finds none without a container
    }

    @Test
    void pruneDeletesALayerAnEngineDidNotFinishDeletingWithoutListingIt() throws Exception {
        Path gone = Jbox.DATA.resolve("containers").resolve(".gone-" + "0".repeat(64));
        Files.createDirectories(gone.resolve("upper/etc"));
        Files.writeString(gone.resolve("upper/etc/file"), "left by a killed engine");
        Files.createSymbolicLink(gone.resolve("upper/host"), Path.of("/etc")); // never followed
        Jbox.Result prune = Jbox.run("system", "prune");
        assertEquals(0, prune.code(), prune.all());
        assertFalse(Files.exists(gone, java.nio.file.LinkOption.NOFOLLOW_LINKS), prune.all());
        assertFalse(prune.out().contains(".gone-"), "a removed container's layer is not listed again: " + prune.out());
        assertTrue(Files.exists(Path.of("/etc/passwd")), "the link's target is untouched");
    }

    @Test
    void sigtermIsIgnoredByAPid1WithoutHandler() throws Exception {
        String name = Containers.uniqueName("noterm");
        Process p = Jbox.start("run", "--rm", "--name", name, Jbox.IMAGE, "sleep", "600");
        JsonNode s = Containers.awaitRunning(name);
        Containers.awaitExec(s.path("pid").asLong(), "sleep");
        Jbox.host("kill", "-TERM", Long.toString(p.pid()));
        Thread.sleep(500);
        assertTrue(p.isAlive(), "the kernel ignores SIGTERM for a PID 1 without handler; jbox must not paper over it");
        Jbox.host("kill", "-KILL", s.path("pid").asText());
        assertEquals(137, Jbox.finish(p).code());
    }

    @Test
    void sigkillOfJboxKillsTheContainerAndPruneRemovesTheRest() throws Exception {
        String name = Containers.uniqueName("killed");
        Process p = Jbox.start("run", "--name", name, Jbox.IMAGE, "sleep", "600");
        JsonNode s = Containers.awaitRunning(name);
        String id = s.path("id").asText();
        long pid = s.path("pid").asLong();
        long shim = s.path("shimPid").asLong();
        Jbox.host("kill", "-KILL", Long.toString(p.pid())); // no clean-up code of jbox runs
        p.waitFor();
        Containers.awaitGone(pid);
        Containers.awaitGone(shim);
        assertFalse(Containers.alive(pid), "the shim must kill a container whose jbox died");
        assertFalse(Containers.alive(shim), "the shim must exit");
        // With the engine only the front end died: the engine sees its caller go and may clean up itself.
        boolean left = Files.exists(Jbox.STATE.resolve(id));
        assertTrue(left || Engines.on(), "test premise: jbox had no chance to clean up");
        Jbox.Result prune = Jbox.run("system", "prune");
        assertEquals(0, prune.code(), prune.all());
        assertTrue(!left || prune.out().contains(id.substring(0, 12)), prune.all());
        assertFalse(Files.exists(Jbox.STATE.resolve(id)));
        assertFalse(Files.exists(Jbox.DATA.resolve("containers").resolve(id)));
    }

    @Test
    void withoutRmTheStoppedContainerIsListedAndRmRemovesIt() throws Exception {
        String name = Containers.uniqueName("keep");
        assertEquals(3, Jbox.run("run", "--name", name, Jbox.IMAGE, "sh", "-c", "echo data > /kept; exit 3").code());
        JsonNode s = Containers.find(name);
        String id = s.path("id").asText();
        assertEquals("exited", s.path("status").asText());
        assertEquals(3, s.path("exitCode").asInt());
        assertTrue(Files.exists(Jbox.DATA.resolve("containers").resolve(id).resolve("upper/kept")));
        try (var layer = Files.list(Jbox.DATA.resolve("containers").resolve(id))) {
            // the overlay was mounted on the layer directory itself: no mount point to make and remove
            assertEquals(List.of("stdio.log", "upper", "work"), layer.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Jbox.Result ps = Jbox.run("ps", "-a", "--filter", "name=" + name, "--format", "{{.Names}} {{.Status}}");
        assertTrue(ps.out().startsWith(name + " Exited (3) "), ps.all());
        Jbox.Result dup = Jbox.run("run", "--rm", "--name", name, Jbox.IMAGE, "true");
        assertEquals(125, dup.code(), dup.all());
        assertTrue(dup.err().contains("already in use"), dup.all());
        assertEquals(0, Jbox.run("rm", name).code());
        assertFalse(Files.exists(Jbox.STATE.resolve(id)));
        assertFalse(Files.exists(Jbox.DATA.resolve("containers").resolve(id)));
        Jbox.Result again = Jbox.run("rm", name);
        assertEquals(125, again.code());
        assertTrue(again.err().contains("no such container: " + name), again.all());
    }

    @Test
    void dryRunPrintsTheOciConfigAndCreatesNothing() throws Exception {
        Jbox.Result r = Jbox.run("run", "--dry-run", "--hostname", "h1", Jbox.IMAGE, "echo", "x");
        assertEquals(0, r.code(), r.all());
        JsonNode spec = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals("1.0.2", spec.path("ociVersion").asText());
        assertEquals("echo", spec.path("process").path("args").get(0).asText());
        assertEquals("h1", spec.path("hostname").asText());
        assertEquals(7, spec.path("linux").path("namespaces").size());
        assertNoLeftovers();
    }

    static void waitForOutputStart(Process p) throws Exception {
        byte[] ready = new byte[6];
        int n = 0;
        while (n < ready.length) {
            int r = p.getInputStream().read(ready, n, ready.length - n);
            if (r < 0) {
                throw new AssertionError("container exited before it was ready");
            }
            n += r;
        }
        assertEquals("ready\n", new String(ready));
    }

    static void assertNoLeftovers() throws Exception {
        Jbox.awaitRemovedLayersDeleted();
        Path layers = Jbox.DATA.resolve("containers");
        if (Files.isDirectory(layers)) {
            try (var s = Files.list(layers)) {
                List<Path> left = s.filter(p -> Containers.findById(p.getFileName().toString()) == null).toList();
                assertTrue(left.isEmpty(), "layers without a container: " + left);
            }
        }
    }
}

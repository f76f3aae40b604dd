package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another local user (nobody, through setpriv) against jbox's files on the host: setuid files in
 * a container's layer, files made under root's umask 000, a state.json whose pid was pointed at a
 * host process, and jbox itself run by a non-root user. Each attack worked before jbox gave its
 * files explicit modes and checked recorded pids by start time.
 */
class LocalUserAttackIT {
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    @TempDir
    Path tmp;

    private final List<String> containers = new ArrayList<>();
    private final List<Path> roots = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String name : containers) {
            Jbox.run("rm", "-f", name);
        }
        for (Path root : roots) {
            Jbox.host("rm", "-rf", "--one-file-system", root.toString());
        }
        Jbox.cleanUp();
    }

    private static Jbox.Result asNobody(String... cmd) throws Exception {
        // Through sh: setpriv execve()s its command still holding root's capabilities (it drops
        // them at that exec), so the path of the command itself would be looked up as root.
        List<String> argv = new ArrayList<>(NOBODY);
        argv.addAll(List.of("sh", "-c", "exec \"$@\"", "sh"));
        argv.addAll(List.of(cmd));
        Process p = new ProcessBuilder(argv).start();
        return Jbox.finish(p);
    }

    /** Polls a condition the container sets up, with a deadline (never a fixed sleep). */
    private static void await(String what, java.util.function.BooleanSupplier ready) throws Exception {
        Await.until(what, ready::getAsBoolean);
    }

    /** A static program that prints its effective uid (busybox drops a setuid bit by itself). */
    private Path euidProgram() throws Exception {
        Path src = tmp.resolve("euid.c");
        Files.writeString(src, "#include <stdio.h>\n#include <unistd.h>\nint main(void){printf(\"%d\\n\",(int)geteuid());return 0;}\n");
        Path bin = tmp.resolve("euid");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", bin.toString(), src.toString()).inheritIO().start();
        assertEquals(0, gcc.waitFor(), "gcc -static");
        Files.setAttribute(tmp, "unix:mode", 0755); // the container (host root here) binds it
        return bin;
    }

    /**
     * CVE-2021-41091's pattern: a --userns host container makes a setuid-root file in its upper
     * dir. Before: data.root, containers/, ID/ and upper/ were 0755, and nobody ran it as euid 0.
     */
    @Test
    void aSetuidFileInAContainerLayerIsOutOfOtherUsersReach() throws Exception {
        euidProgram();
        String name = "suid-" + ProcessHandle.current().pid();
        containers.add(name);
        Jbox.Result r = Jbox.run("run", "-d", "--userns", "host", "--name", name, "-v", tmp + ":/src:ro", Jbox.IMAGE,
                "sh", "-c", "cp /src/euid /x && chmod 4755 /x && touch /ready && exec sleep 1000000");
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        Path upper = Jbox.DATA.resolve("containers").resolve(id).resolve("upper");
        await("the setuid copy", () -> Files.exists(upper.resolve("ready")));
        assertEquals(04755, (Integer) Files.getAttribute(upper.resolve("x"), "unix:mode") & 07777, "the container made it setuid");

        Jbox.Result attack = asNobody(upper.resolve("x").toString());
        assertNotEquals("0", attack.out().trim(), "nobody ran the container's setuid file as root: " + attack.all()
                + "\n" + Jbox.host("namei", "-l", upper.resolve("x").toString()));
        assertTrue(attack.err().contains("Permission denied"), attack.all());
        // the image's files (owned by container root, 100000) are out of reach the same way
        Jbox.Result image = asNobody("stat", Jbox.rootfs(Jbox.IMAGE).resolve("bin/busybox").toString());
        assertNotEquals(0, image.code(), image.all());
        assertTrue(image.err().contains("Permission denied"), image.all());
    }

    /**
     * Root's umask 000: before, ctl.sock was 0777, state.json and config.json (with -e values)
     * 0666 and container.log 0666. Now nothing under the roots is group/other-writable, no JSON,
     * log or socket is readable by others, and nobody reads none of them.
     */
    @Test
    void umaskZeroLeavesNothingOpenToOtherUsers() throws Exception {
        Path state = Path.of("/run/jbox-it-modes-" + ProcessHandle.current().pid());
        roots.add(state);
        Path config = Jbox.configWith(tmp, "state.root=" + state);
        String name = "umask-" + ProcessHandle.current().pid();
        ProcessBuilder pb = Jbox.builder();
        pb.environment().put("JBOX_CONFIG", config.toString());
        pb.command("sh", "-c", "umask 000; exec \"$0\" \"$@\"", Jbox.LAUNCHER.toString(), "run", "-d", "--name", name,
                "-e", "TOKEN=s3cret", Jbox.IMAGE, "sh", "-c", "echo logged; exec sleep 1000000");
        Jbox.Result r = Jbox.finish(pb.start());
        assertEquals(0, r.code(), r.all());
        String id = r.out().trim();
        Path stateDir = state.resolve(id);
        Path layer = Jbox.DATA.resolve("containers").resolve(id);
        try {
            await("config.json and the log", () -> Files.exists(stateDir.resolve("config.json"))
                    && Files.exists(layer.resolve("container.log")));
            List<String> loose = new ArrayList<>();
            Jbox.awaitRemovedLayersDeleted(); // a tree deleted while walked would fail the walk
            for (Path root : List.of(state, Jbox.DATA)) {
                try (Stream<Path> all = Files.walk(root)) {
                    all.filter(p -> !insideARootfs(root, p)).forEach(p -> {
                        int mode = mode(p);
                        boolean secret = p.toString().endsWith(".json") || p.toString().endsWith(".log")
                                || p.toString().endsWith(".sock");
                        if ((mode & 0002) != 0 && !Files.isSymbolicLink(p) || secret && (mode & 0044) != 0) {
                            loose.add(Integer.toOctalString(mode) + " " + p);
                        }
                    });
                }
            }
            assertEquals(List.of(), loose, "files others may write, or read secrets from");
            assertEquals(0711, mode(state));
            assertEquals(0710, mode(stateDir));
            assertEquals(0600, mode(stateDir.resolve("state.json")));
            assertEquals(0600, mode(stateDir.resolve("config.json")));
            assertEquals(0600, mode(layer.resolve("container.log")));
            for (Path p : List.of(stateDir.resolve("config.json"), stateDir.resolve("state.json"), layer.resolve("container.log"))) {
                Jbox.Result read = asNobody("cat", p.toString());
                assertNotEquals(0, read.code(), read.all());
                assertFalse(read.out().contains("s3cret") || read.out().contains("logged"), read.all());
            }
            // and the container still works: it logged, and jbox reads what it wrote
            ProcessBuilder lp = Jbox.builder("logs", name);
            lp.environment().put("JBOX_CONFIG", config.toString());
            Jbox.Result l = Jbox.finish(lp.start());
            assertEquals("logged", l.out().trim(), l.all());
        } finally {
            ProcessBuilder rm = Jbox.builder("rm", "-f", name);
            rm.environment().put("JBOX_CONFIG", config.toString());
            Jbox.finish(rm.start());
        }
    }

    private static boolean insideARootfs(Path root, Path p) {
        Path rel = root.relativize(p);
        // an image's rootfs and a container's upper/work hold the image's own modes (/tmp is 1777)
        return rel.getNameCount() > 3 && rel.getName(0).toString().equals("images")
                && rel.getName(1).toString().equals(".layers") && rel.getName(3).toString().equals("diff")
                || rel.getNameCount() > 2 && (rel.getName(0).toString().equals("images") && rel.getName(2).toString().equals("rootfs")
                || rel.getName(0).toString().equals("containers")
                && (rel.getName(2).toString().equals("upper") || rel.getName(2).toString().equals("work")));
    }

    private static int mode(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        } catch (IOException e) {
            return 0; // gone while we walked (a temp file): nothing to check
        }
    }

    /**
     * A state.json whose pid names a host process: before, `jbox kill` SIGKILLed it. Now kill,
     * stop and rm -f compare the pid's start time with the recorded one and leave it alone.
     */
    @Test
    void aRecordedPidThatNamesAnotherProcessIsNeverSignalled() throws Exception {
        String name = "pid-" + ProcessHandle.current().pid();
        containers.add(name);
        Jbox.Result r = Jbox.run("run", "-d", "--name", name, Jbox.IMAGE, "sleep", "1000000");
        assertEquals(0, r.code(), r.all());
        Path stateFile = Jbox.STATE.resolve(r.out().trim()).resolve("state.json");
        Map<?, ?> recorded = new com.fasterxml.jackson.databind.ObjectMapper().readValue(stateFile.toFile(), Map.class);
        long init = ((Number) recorded.get("pid")).longValue();
        Process victim = new ProcessBuilder("sleep", "infinity").start();
        try {
            String json = Files.readString(stateFile).replace("\"pid\":" + init + ",", "\"pid\":" + victim.pid() + ",");
            assertTrue(json.contains("\"pid\":" + victim.pid() + ","), json);
            Files.writeString(stateFile, json);

            Jbox.Result kill = Jbox.run("kill", name);
            assertEquals(125, kill.code(), kill.all());
            Jbox.Result stop = Jbox.run("stop", "-t", "0", name);
            assertEquals(125, stop.code(), stop.all());
            assertTrue(victim.isAlive(), "jbox signalled a process that is not its container's");
            Jbox.run("rm", "-f", name);
            assertTrue(victim.isAlive(), "jbox rm -f signalled a process that is not its container's");
        } finally {
            victim.destroyForcibly().waitFor();
            ProcessHandle.of(init).ifPresent(ProcessHandle::destroyForcibly); // the real init: its shim then finishes
            ProcessHandle.of(init).ifPresent(h -> h.onExit().join());
        }
    }

    /** Before: `jbox inspect` as nobody printed a container's config with its -e values. */
    @Test
    void aNonRootCallerGetsOneLineAndStatus125() throws Exception {
        for (String cmd : List.of("ps", "inspect")) {
            Jbox.Result r = asNobody(Jbox.LAUNCHER.toString(), cmd, "x");
            assertEquals(125, r.code(), r.all());
            assertEquals("jbox: must be run as root (uid 0)\n", r.err(), r.all());
            assertEquals("", r.out());
        }
        Jbox.Result version = asNobody(Jbox.LAUNCHER.toString(), "--version");
        assertEquals(0, version.code(), version.all());
    }
}

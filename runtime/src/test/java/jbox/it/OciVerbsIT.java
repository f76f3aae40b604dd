package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * runc's verbs beyond the lifecycle — pause, resume, update, events — run side by side with runc
 * on the same bundle: jbox must show what runc shows (state strings, exit statuses, JSON keys),
 * and the kernel (freezer, memory limit, OOM counter) must say it happened. checkpoint is refused.
 */
class OciVerbsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;
    private static Path rootfs;

    /** A runtime under test: jbox's launcher or runc, each with a state root of its own. */
    private record Runtime(String name, String binary, Path root) {
        boolean isJbox() {
            return name.equals("jbox");
        }
    }

    private static Runtime jbox;
    private static Runtime runc;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
        dir = RuncBundle.workDir("jbox-verbs-it");
        rootfs = RuncBundle.rootfs(dir);
        jbox = new Runtime("jbox", Jbox.LAUNCHER.toString(), dir.resolve("jbox-state"));
        runc = new Runtime("runc", "runc", dir.resolve("runc-state"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Runtime rt : List.of(jbox, runc)) {
            if (Files.isDirectory(rt.root())) {
                try (var s = Files.list(rt.root())) {
                    for (Path p : s.toList()) {
                        call(rt, "resume", p.getFileName().toString());
                        call(rt, "delete", "--force", p.getFileName().toString());
                    }
                }
            }
        }
        Jbox.cleanUp();
    }

    @AfterAll
    static void removeBundle() throws Exception {
        Jbox.host("rm", "-rf", "--one-file-system", dir.toString());
    }

    /** The runtime with --root; stdout and stderr through files (a detached container holds them). */
    private static Jbox.Result call(Runtime rt, String... args) throws Exception {
        return callWithInput(rt, null, args);
    }

    private static Jbox.Result callWithInput(Runtime rt, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(rt.binary(), "--root", rt.root().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = rt.isJbox() ? Jbox.builder(cmd.subList(1, cmd.size()).toArray(new String[0])) : new ProcessBuilder(cmd);
        return HeldOutput.run(pb, dir, stdin == null ? "" : stdin, Duration.ofSeconds(60), rt.name() + " " + String.join(" ", args));
    }

    /** A bundle running {@code script} with sh, root writable (the counter lives in it). */
    private static Path bundle(String name, String script, Consumer<ObjectNode> edit) throws Exception {
        Path b = dir.resolve(name);
        Files.createDirectories(b);
        ObjectNode c = (ObjectNode) JSON.readTree("""
                {"ociVersion": "1.0.2",
                 "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", ""],
                   "env": ["PATH=/bin:/sbin"], "cwd": "/",
                   "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
                   "noNewPrivileges": true},
                 "root": {"path": "../rootfs"},
                 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}],
                 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                                          {"type": "mount"}]}}
                """);
        ((ArrayNode) c.with("process").withArray("args")).set(2, c.textNode(script));
        edit.accept(c);
        Files.write(b.resolve("config.json"), JSON.writeValueAsBytes(c));
        return b;
    }

    private static void runDetached(Runtime rt, Path bundle, String id) throws Exception {
        Jbox.Result r = call(rt, "run", "--detach", "--bundle", bundle.toString(), id);
        assertEquals(0, r.code(), rt.name() + ": " + r.all());
    }

    private static JsonNode state(Runtime rt, String id) throws Exception {
        Jbox.Result r = call(rt, "state", id);
        assertEquals(0, r.code(), rt.name() + ": " + r.all());
        return JSON.readTree(r.out());
    }

    private static void waitFor(String what, CheckedCondition c) throws Exception {
        Await.until(what, c::holds);
    }

    @FunctionalInterface
    private interface CheckedCondition {
        boolean holds() throws Exception;
    }

    /** The container's directory in a v1 hierarchy, from the kernel's own word (/proc/PID/cgroup). */
    private static Path cgroupDir(long pid, String controller) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (List.of(f[1].split(",")).contains(controller)) {
                return Path.of("/sys/fs/cgroup", f[1]).resolve(f[2].substring(1));
            }
        }
        throw new IllegalStateException("pid " + pid + " is in no " + controller + " cgroup");
    }

    /** Exists and is not a zombie (a zombie waits for whoever reaps it, not for the runtime). */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    private static String counter(String name) throws Exception {
        Path f = rootfs.resolve(name);
        return Files.exists(f) ? Files.readString(f).strip() : "";
    }

    @Test
    void pauseFreezesResumeThawsAndStatusesMatchRunc() throws Exception {
        for (Runtime rt : List.of(runc, jbox)) {
            String file = "counter-" + rt.name();
            Files.deleteIfExists(rootfs.resolve(file));
            Path b = bundle("pause-" + rt.name(), "i=0; while true; do i=$((i+1)); echo $i > /" + file + "; sleep 0.01; done", c -> { });
            runDetached(rt, b, "p1");
            long pid = state(rt, "p1").get("pid").asLong();
            String first = counter(file);
            waitFor(rt.name() + "'s counter to move", () -> !counter(file).equals(first));

            Jbox.Result paused = call(rt, "pause", "p1");
            assertEquals(0, paused.code(), rt.name() + ": " + paused.all());
            assertEquals("paused", state(rt, "p1").get("status").asText(), rt.name());
            Path freezer = cgroupDir(pid, "freezer");
            assertEquals("FROZEN", Files.readString(freezer.resolve("freezer.state")).strip(), rt.name());
            // A frozen task sleeps uninterruptibly in the refrigerator.
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            assertEquals("D", stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0], rt.name() + ": " + stat);
            String whilePaused = counter(file);

            Jbox.Result again = call(rt, "pause", "p1");
            assertNotEquals(0, again.code(), rt.name() + ": pausing a paused container: " + again.all());
            Jbox.Result exec = call(rt, "exec", "p1", "true");
            assertNotEquals(0, exec.code(), rt.name() + ": exec in a paused container: " + exec.all());

            Jbox.Result resumed = call(rt, "resume", "p1");
            assertEquals(0, resumed.code(), rt.name() + ": " + resumed.all());
            assertEquals("running", state(rt, "p1").get("status").asText(), rt.name());
            assertEquals("THAWED", Files.readString(freezer.resolve("freezer.state")).strip(), rt.name());
            waitFor(rt.name() + "'s counter to move after resume", () -> !counter(file).equals(whilePaused));
            Jbox.Result notPaused = call(rt, "resume", "p1");
            assertNotEquals(0, notPaused.code(), rt.name() + ": resuming a running container: " + notPaused.all());
            if (rt.isJbox()) {
                assertEquals(125, again.code());
                assertEquals("jbox: cannot pause container p1: it is paused, not running\n", again.err());
                assertEquals(125, notPaused.code());
                assertEquals("jbox: cannot resume container p1: it is running, not paused\n", notPaused.err());
            }
            assertEquals(0, call(rt, "delete", "--force", "p1").code());
        }
    }

    @Test
    void killNineAndDeleteForceWorkOnAPausedContainer() throws Exception {
        for (Runtime rt : List.of(runc, jbox)) {
            Path b = bundle("kill-" + rt.name(), "while true; do sleep 0.05; done", c -> { });
            runDetached(rt, b, "k1");
            assertEquals(0, call(rt, "pause", "k1").code());
            Jbox.Result killed = call(rt, "kill", "k1", "KILL");
            assertEquals(0, killed.code(), rt.name() + ": " + killed.all());
            waitFor(rt.name() + "'s paused container to stop after SIGKILL",
                    () -> state(rt, "k1").get("status").asText().equals("stopped"));
            assertEquals(0, call(rt, "delete", "k1").code());

            runDetached(rt, b, "k2");
            long pid2 = state(rt, "k2").get("pid").asLong();
            Path freezer = cgroupDir(pid2, "freezer");
            assertEquals(0, call(rt, "pause", "k2").code());
            Jbox.Result deleted = call(rt, "delete", "--force", "k2");
            assertEquals(0, deleted.code(), rt.name() + ": " + deleted.all());
            assertFalse(Files.exists(rt.root().resolve("k2")), rt.name() + " left its state");
            assertFalse(Files.exists(freezer), rt.name() + " left " + freezer);
            assertFalse(alive(pid2), rt.name() + " left pid " + pid2);
        }
    }

    @Test
    void updateWritesTheCgroupAsRuncDoes() throws Exception {
        for (Runtime rt : List.of(runc, jbox)) {
            Path b = bundle("update-" + rt.name(), "while true; do sleep 0.05; done", c -> { });
            runDetached(rt, b, "u1");
            long pid = state(rt, "u1").get("pid").asLong();
            Jbox.Result r = call(rt, "update", "--memory", "50m", "--pids-limit", "40", "--cpu-quota", "50000",
                    "--cpu-period", "100000", "u1");
            assertEquals(0, r.code(), rt.name() + ": " + r.all());
            assertEquals("52428800", Files.readString(cgroupDir(pid, "memory").resolve("memory.limit_in_bytes")).strip(), rt.name());
            assertEquals("40", Files.readString(cgroupDir(pid, "pids").resolve("pids.max")).strip(), rt.name());
            assertEquals("50000", Files.readString(cgroupDir(pid, "cpu").resolve("cpu.cfs_quota_us")).strip(), rt.name());
            Jbox.Result fromJson = callWithInput(rt, "{\"memory\": {\"limit\": 62914560}, \"pids\": {\"limit\": 30}}",
                    "update", "-r", "-", "u1");
            assertEquals(0, fromJson.code(), rt.name() + ": " + fromJson.all());
            assertEquals("62914560", Files.readString(cgroupDir(pid, "memory").resolve("memory.limit_in_bytes")).strip(), rt.name());
            assertEquals("30", Files.readString(cgroupDir(pid, "pids").resolve("pids.max")).strip(), rt.name());
            if (rt.isJbox()) {
                JsonNode recorded = JSON.readTree(rt.root().resolve("u1").resolve("config.json").toFile()).path("linux").path("resources");
                assertEquals(62914560, recorded.path("memory").path("limit").asLong(), recorded.toString());
                assertEquals(30, recorded.path("pids").path("limit").asLong(), recorded.toString());
                assertEquals(50000, recorded.path("cpu").path("quota").asLong(), recorded.toString());
                Jbox.Result blkio = call(rt, "update", "--blkio-weight", "100", "u1");
                assertEquals(125, blkio.code(), blkio.all());
                assertEquals("jbox: update: --blkio-weight is not supported (jbox does not manage that setting)\n", blkio.err());
                Jbox.Result exec = call(rt, "exec", "u1", "true");
                assertEquals(0, exec.code(), "exec reads the rewritten config.json: " + exec.all());
            }
        }
    }

    @Test
    void eventsStatsHasRuncsKeysAndSaneNumbers() throws Exception {
        JsonNode[] events = new JsonNode[2];
        int i = 0;
        for (Runtime rt : List.of(runc, jbox)) {
            Path b = bundle("stats-" + rt.name(), "while true; do sleep 0.05; done",
                    c -> c.with("linux").with("resources").with("pids").put("limit", 64));
            runDetached(rt, b, "s1");
            Jbox.Result r = call(rt, "events", "--stats", "s1");
            assertEquals(0, r.code(), rt.name() + ": " + r.all());
            assertEquals(1, r.out().strip().split("\n").length, r.out());
            JsonNode e = JSON.readTree(r.out());
            assertEquals("stats", e.get("type").asText());
            assertEquals("s1", e.get("id").asText());
            JsonNode d = e.get("data");
            assertTrue(d.at("/cpu/usage/total").asLong() > 0, rt.name() + ": " + d);
            assertTrue(d.at("/memory/usage/usage").asLong() > 0, rt.name() + ": " + d);
            assertTrue(d.at("/memory/usage/limit").asLong() > 0, rt.name() + ": " + d);
            assertTrue(d.at("/pids/current").asLong() >= 1 && d.at("/pids/current").asLong() < 64, rt.name() + ": " + d);
            assertEquals(64, d.at("/pids/limit").asLong(), rt.name() + ": " + d);
            events[i++] = e;
        }
        assertEquals(keys(events[0], ""), keys(events[1], ""), "jbox's events --stats keys differ from runc's");
    }

    /** Every key path, except under memory.raw (the kernel's own list) and the per-cpu arrays' lengths. */
    private static Set<String> keys(JsonNode n, String prefix) {
        Set<String> out = new TreeSet<>();
        if (n.isObject() && !prefix.endsWith("/raw")) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
                String k = it.next();
                out.add(prefix + "/" + k);
                out.addAll(keys(n.get(k), prefix + "/" + k));
            }
        }
        return out;
    }

    @Test
    void eventsStreamReportsAnOomAndEndsWithTheContainer() throws Exception {
        for (Runtime rt : List.of(runc, jbox)) {
            String go = "go-" + rt.name();
            Files.deleteIfExists(rootfs.resolve(go));
            // tail of an endless line buffers it all: the memory limit's OOM killer takes it, sh stays.
            Path b = bundle("oom-" + rt.name(), "while [ ! -e /" + go + " ]; do sleep 0.05; done; tail /dev/zero; "
                    + "while true; do sleep 0.05; done", c -> {
                        ObjectNode m = c.with("linux").with("resources").with("memory");
                        m.put("limit", 20L << 20);
                        m.put("swap", 20L << 20);
                    });
            runDetached(rt, b, "o1");
            List<String> cmd = rt.isJbox() ? List.of("--root", rt.root().toString(), "events", "--interval", "1s", "o1")
                    : List.of(rt.binary(), "--root", rt.root().toString(), "events", "--interval", "1s", "o1");
            Process events = rt.isJbox() ? Jbox.start(cmd.toArray(new String[0]))
                    : new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread reader = new Thread(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String l; (l = in.readLine()) != null;) {
                            lines.add(l);
                        }
                    } catch (java.io.IOException done) {
                        // the stream ended
                    }
                });
                reader.setDaemon(true);
                reader.start();
                String stats = lines.poll(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS); // the first comes after one interval
                assertTrue(stats != null && JSON.readTree(stats).get("type").asText().equals("stats"), rt.name() + ": " + stats);
                Files.writeString(rootfs.resolve(go), "");
                String oom = null;
                long deadline = System.nanoTime() + Await.DEADLINE.toNanos();
                while (oom == null && System.nanoTime() < deadline) {
                    String l = lines.poll(1, TimeUnit.SECONDS);
                    if (l != null && JSON.readTree(l).get("type").asText().equals("oom")) {
                        oom = l;
                    }
                }
                assertEquals("{\"type\":\"oom\",\"id\":\"o1\"}", oom, rt.name());
                assertEquals(0, call(rt, "kill", "o1", "KILL").code());
                if (rt.isJbox()) { // jbox ends when the container stops; runc only once its cgroup is gone (delete)
                    assertTrue(events.waitFor(30, TimeUnit.SECONDS), "jbox events did not end with its container");
                }
                waitFor(rt.name() + "'s container to stop", () -> state(rt, "o1").get("status").asText().equals("stopped"));
                assertEquals(0, call(rt, "delete", "o1").code());
                assertTrue(events.waitFor(30, TimeUnit.SECONDS), rt.name() + ": events did not end with its container");
                assertEquals(0, events.exitValue(), rt.name());
            } finally {
                events.destroyForcibly();
            }
        }
    }

    @Test
    void checkpointAndRestoreAreRefusedAndFeaturesSaySo() throws Exception {
        Jbox.Result cp = call(jbox, "checkpoint", "--image-path", dir.resolve("img").toString(), "c1");
        assertEquals(125, cp.code(), cp.all());
        assertEquals("jbox: checkpoint is not supported (no CRIU)\n", cp.err());
        Jbox.Result rs = call(jbox, "restore", "c1");
        assertEquals(125, rs.code(), rs.all());
        assertEquals("jbox: restore is not supported (no CRIU)\n", rs.err());
        JsonNode f = JSON.readTree(call(jbox, "features").out());
        assertEquals("false", f.at("/annotations/dev.jbox.checkpoint.enabled").asText(), f.toString());
        List<String> commands = List.of(f.at("/annotations/dev.jbox.commands").asText().split(","));
        assertTrue(commands.containsAll(List.of("pause", "resume", "update", "events")), commands.toString());
        assertFalse(commands.contains("checkpoint") || commands.contains("restore"), commands.toString());
        // Every verb features names answers --help (it exists), and checkpoint is not among them.
        for (String verb : commands) {
            Jbox.Result help = call(jbox, verb, "--help");
            assertEquals(0, help.code(), verb + ": " + help.all());
        }
    }
}

package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The resident engine through the real front end (target/jbox), whatever mode the suite runs in:
 * each test forces JBOX_ENGINE=on with an engine directory of its own (the front end starts the
 * engine there on the first call) and stops what it started. A raw socket stands in for the front
 * end only where the front end never goes: a malformed frame, and a non-root caller (the front end
 * takes the cold path when not root).
 */
class EngineIT {
    private static final Path RAW_CLIENT = Path.of("src/test/resources/engine/raw_request.py").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path dir;
    private Path tmp;
    private Path config;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void images() throws Exception {
        Jbox.setUp();
    }

    @BeforeEach
    void privateEngine() throws Exception {
        dir = Engines.privateDir();
        tmp = Files.createTempDirectory("jbox-engine-it");
        Files.setAttribute(tmp, "unix:mode", 0755);
        config = Jbox.configWith(tmp, "engine.idle=10m");
    }

    @AfterEach
    void stopEngines() throws Exception {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        Engines.stopAll(dir);
        new ProcessBuilder("rm", "-rf", "--one-file-system", tmp.toString()).start().waitFor();
        Jbox.cleanUp();
    }

    /** jbox through the front end and this test's engine. */
    private ProcessBuilder fe(String... args) {
        ProcessBuilder pb = Jbox.builder(args);
        pb.environment().put("JBOX_ENGINE", "on");
        pb.environment().put("JBOX_ENGINE_SOCKET", dir.toString());
        pb.environment().put("JBOX_CONFIG", config.toString());
        return pb;
    }

    /** The same jbox on the cold path. */
    private ProcessBuilder cold(String... args) {
        ProcessBuilder pb = fe(args);
        pb.environment().put("JBOX_ENGINE", "off");
        return pb;
    }

    private Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private Jbox.Result run(ProcessBuilder pb) throws Exception {
        Process p = start(pb);
        p.getOutputStream().close();
        return Jbox.finish(p);
    }

    /** KEY of the test JVM's namespaces, which are the host's: the front ends below use the same. */
    private static String hostKey() throws IOException {
        StringBuilder sb = new StringBuilder();
        String[][] kinds = {{"m", "mnt"}, {"n", "net"}, {"p", "pid"}, {"u", "user"}, {"c", "cgroup"}};
        for (String[] k : kinds) {
            sb.append(sb.length() == 0 ? "" : "-").append(k[0]).append(Files.getAttribute(Path.of("/proc/self/ns", k[1]), "unix:ino"));
        }
        return sb.toString();
    }

    private Path socket() throws IOException {
        return dir.resolve(hostKey() + ".sock");
    }

    /** The host engine's pid from its pid file, or 0. */
    private long enginePid() throws IOException {
        Path pid = dir.resolve(hostKey() + ".pid");
        return Files.exists(pid) ? Long.parseLong(Files.readString(pid).trim().split(" ")[0]) : 0;
    }

    private static boolean alive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** /proc/PID/exe of a running jbox: the front end itself when the engine serves it (the cold path execs java). */
    private static Path exe(Process p) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/exe"));
    }

    @Test
    void exitStatusesAndMessagesAreTheColdPaths() throws Exception {
        Jbox.Result r = run(fe("run", "--rm", "--net", "none", Jbox.IMAGE, "sh", "-c", "echo out; echo err >&2; exit 42"));
        assertEquals(42, r.code(), r.all());
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
        long engine = enginePid();
        assertTrue(alive(engine), "the first call started the engine");
        Jbox.Result notFound = run(fe("run", "--rm", "--net", "none", Jbox.IMAGE, "nosuch"));
        assertEquals(127, notFound.code(), notFound.all());
        assertEquals(run(cold("run", "--rm", "--net", "none", Jbox.IMAGE, "nosuch")).err(), notFound.err());
        Jbox.Result notExecutable = run(fe("run", "--rm", "--net", "none", Jbox.IMAGE, "/etc"));
        assertEquals(126, notExecutable.code(), notExecutable.all());
        assertEquals(run(cold("run", "--rm", "--net", "none", Jbox.IMAGE, "/etc")).err(), notExecutable.err());
        Jbox.Result missing = run(fe("run", "--rm", "--net", "none", "no-such-image", "true"));
        assertEquals(125, missing.code(), missing.all());
        assertEquals(run(cold("run", "--rm", "--net", "none", "no-such-image", "true")).err(), missing.err(), "as the cold path words it");
        Jbox.Result badFlag = run(fe("run", "--no-such-flag", Jbox.IMAGE));
        assertEquals(125, badFlag.code(), badFlag.all());
        assertEquals(run(cold("run", "--no-such-flag", Jbox.IMAGE)).err(), badFlag.err());
        assertEquals(engine, enginePid(), "one engine served them all");
    }

    @Test
    void psInspectAndImageLsAreByteIdenticalToTheColdPath() throws Exception {
        // A state root of this test's own: other tests' containers come and go in /run/jbox meanwhile.
        // Short: a container's ID/ctl.sock under it must fit a socket address.
        Path state = Files.createDirectory(Path.of("/run/jbs-" + ProcessHandle.current().pid()));
        config = Jbox.configWith(tmp, "engine.idle=10m\nstate.root=" + state);
        try {
            Jbox.Result d = run(fe("run", "-d", "--net", "none", "--name", "engine-same", Jbox.IMAGE, "sleep", "600"));
            assertEquals(0, d.code(), d.all());
            assertEquals(0, run(fe("run", "--net", "none", "--name", "engine-exited", Jbox.IMAGE, "true")).code());
            for (List<String> args : List.of(List.of("ps"), List.of("ps", "-a"), List.of("ps", "-a", "--format", "json"),
                    List.of("inspect", "engine-same"), List.of("inspect", "engine-exited"), List.of("image", "ls"),
                    List.of("--version"))) {
                String[] a = args.toArray(String[]::new);
                // "Up 3 seconds" may turn into "Up 4 seconds" during the cold call (~0.5 s), and ps
                // prints several such durations, each from its own instant, so "just before" may match
                // one and "just after" another: the cold output must equal the engine's just before or
                // just after it with docker's human durations (only those) blanked out
                Jbox.Result before = run(fe(a));
                Jbox.Result c = run(cold(a));
                Jbox.Result after = run(fe(a));
                assertEquals(0, before.code(), before.all());
                assertEquals(0, c.code(), c.all());
                assertTrue(c.out().equals(before.out()) || c.out().equals(after.out())
                        || durationless(c.out()).equals(durationless(before.out()))
                        || durationless(c.out()).equals(durationless(after.out())),
                        args + ": cold\n" + c.out() + "engine\n" + before.out());
                assertEquals(c.err(), before.err(), args.toString());
            }
        } finally {
            run(fe("rm", "-f", "engine-same", "engine-exited"));
            Jbox.host("rm", "-rf", "--one-file-system", state.toString());
        }
    }

    /**
     * docker's human durations (go-units: "Less than a second", "2 seconds", "About a minute") as
     * "<duration>", and the table's column padding (which follows their lengths) as two spaces.
     */
    private static String durationless(String out) {
        return out.replaceAll("Less than a second|About a minute|\\b[0-9]+ (second|minute)s?\\b", "<duration>")
                .replaceAll(" {2,}", "  ");
    }

    @Test
    void fiftyConcurrentRunsOnABridgeInATestNetnsGetDistinctAddressesAndLeaveNothing() throws Exception {
        String bridge = "jbe" + Long.toHexString(System.nanoTime() & 0xffffffL);
        TestNetns net = new TestNetns(tmp, bridge, "10.91.0.0/16");
        try {
            List<Process> ps = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ProcessBuilder pb = net.jbox("run", "--rm", Jbox.IMAGE, "ip", "-4", "-o", "addr", "show", "eth0");
                pb.environment().put("JBOX_ENGINE", "on");
                pb.environment().put("JBOX_ENGINE_SOCKET", dir.toString());
                ps.add(start(pb));
            }
            Set<String> addresses = new HashSet<>();
            Pattern inet = Pattern.compile("inet (10\\.91\\.\\d+\\.\\d+)/16");
            for (Process p : ps) {
                p.getOutputStream().close();
                Jbox.Result r = Jbox.finish(p);
                assertEquals(0, r.code(), r.all());
                Matcher m = inet.matcher(r.out());
                assertTrue(m.find(), r.all());
                assertTrue(addresses.add(m.group(1)), "address given twice: " + r.out());
            }
            assertEquals(50, addresses.size());
            // The namespace's own engine served them (one env var, one engine per namespace set)
            String n = "-n" + Files.getAttribute(Path.of("/var/run/netns", net.name), "unix:ino") + "-";
            try (var files = Files.list(dir)) {
                assertEquals(1, files.filter(f -> f.toString().endsWith(".sock") && f.toString().contains(n)).count(),
                        "a socket of the netns's engine in " + dir);
            }
            assertFalse(Files.exists(socket()), "no engine of the host's namespaces was needed");
            Await.until("no veth left in " + net.name, () -> !net.inNs("ip", "-o", "link", "show").contains("vjb"));
            Path leases = Jbox.STATE.resolve("ipam-" + bridge + ".leases");
            assertTrue(!Files.exists(leases) || Files.readAllLines(leases).stream().noneMatch(l -> l.matches("\\d.*")),
                    "leases left: " + Files.readString(leases));
            assertEquals("", Jbox.finish(start(netFe(net, "ps", "-a", "-q"))).out(), "no container left");
        } finally {
            Engines.stopInNetns(dir, Path.of("/var/run/netns", net.name));
            net.remove(() -> true, () -> { });
        }
    }

    /**
     * The front end of a bridged `run` SIGKILLed: the engine ends the container and cleans up all of
     * it, though the call was interrupted (its clean-up used to fail at the lease's lock file and
     * left the lease and the namespace name for prune).
     */
    @Test
    void aFrontEndKilledMidRunLeavesNothingForPrune() throws Exception {
        String bridge = "jbk" + Long.toHexString(System.nanoTime() & 0xffffffL);
        TestNetns net = new TestNetns(tmp, bridge, "10.92.0.0/16");
        try {
            String name = Containers.uniqueName("fe-killed");
            Process fe = start(netFe(net, "run", "--rm", "--name", name, Jbox.IMAGE, "sleep", "600"));
            fe.getOutputStream().close();
            long init = Containers.awaitRunning(name).path("pid").asLong();
            Path leases = Jbox.STATE.resolve("ipam-" + bridge + ".leases");
            assertTrue(Files.readAllLines(leases).stream().anyMatch(l -> l.matches("\\d.*")), "a lease while it runs");
            fe.destroyForcibly().waitFor();
            Containers.awaitGone(init);
            Await.until("the container's record gone", () -> Containers.find(name) == null);
            Await.until("its lease released", () -> Files.readAllLines(leases).stream().noneMatch(l -> l.matches("\\d.*")));
            Jbox.Result prune = Jbox.finish(start(netFe(net, "system", "prune")));
            assertEquals(0, prune.code(), prune.all());
            assertEquals("nothing to remove\n", prune.out(), "prune found what the engine left");
        } finally {
            Engines.stopInNetns(dir, Path.of("/var/run/netns", net.name));
            net.remove(() -> true, () -> { });
        }
    }

    private ProcessBuilder netFe(TestNetns net, String... args) {
        ProcessBuilder pb = net.jbox(args);
        pb.environment().put("JBOX_ENGINE", "on");
        pb.environment().put("JBOX_ENGINE_SOCKET", dir.toString());
        return pb;
    }

    @Test
    void twentyPodmanStyleOciCyclesInParallel() throws Exception {
        Path work = RuncBundle.workDir("jbox-engine-oci");
        try {
            Path bundle = RuncBundle.write(work, work.resolve("bundle"), "sleep 600", c -> c.with("root").put("readonly", true));
            Path root = work.resolve("state");
            int n = 20;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                List<Future<String>> cycles = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String id = "engine-oci-" + i;
                    cycles.add(pool.submit(() -> ociCycle(root, bundle, id)));
                }
                for (Future<String> f : cycles) {
                    assertEquals("ok", f.get());
                }
            } finally {
                pool.shutdownNow();
            }
            if (Files.exists(root)) {
                try (var left = Files.list(root)) {
                    assertEquals(List.of(), left.filter(Files::isDirectory).toList(), "state left under --root");
                }
            }
        } finally {
            Jbox.host("rm", "-rf", "--one-file-system", work.toString());
        }
    }

    /** create (stdio to files: the init keeps them), state, start, state, kill, delete: as podman and conmon call it. */
    private String ociCycle(Path root, Path bundle, String id) throws Exception {
        File out = tmp.resolve(id + ".out").toFile();
        ProcessBuilder create = fe("--root", root.toString(), "create", "--bundle", bundle.toString(), id)
                .redirectOutput(out).redirectError(out).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process c = start(create);
        if (!c.waitFor(120, TimeUnit.SECONDS) || c.exitValue() != 0) {
            return id + " create: " + Files.readString(out.toPath());
        }
        String s = state(root, id);
        if (!s.equals("created")) {
            return id + " after create: " + s;
        }
        Jbox.Result st = run(fe("--root", root.toString(), "start", id));
        if (st.code() != 0) {
            return id + " start: " + st.all();
        }
        if (!state(root, id).equals("running")) {
            return id + " after start: " + state(root, id);
        }
        Jbox.Result k = run(fe("--root", root.toString(), "kill", id, "KILL"));
        if (k.code() != 0) {
            return id + " kill: " + k.all();
        }
        Await.until(id + " stopped", () -> state(root, id).equals("stopped"));
        Jbox.Result d = run(fe("--root", root.toString(), "delete", id));
        return d.code() == 0 ? "ok" : id + " delete: " + d.all();
    }

    private String state(Path root, String id) throws Exception {
        Jbox.Result r = run(fe("--root", root.toString(), "state", id));
        if (r.code() != 0) {
            return "state failed: " + r.all();
        }
        JsonNode s = JSON.readTree(r.out());
        return s.path("status").asText();
    }

    @Test
    void aNonRootClientIsRefused() throws Exception {
        assertEquals(0, run(fe("--version")).code());
        // The socket is 0600 in a root-only directory; open both up so the refusal has to come from SO_PEERCRED.
        Files.setAttribute(socket(), "unix:mode", 0666);
        Files.setAttribute(dir, "unix:mode", 0755);
        Path client = dir.resolve("raw_request.py");
        Files.copy(RAW_CLIENT, client);
        Files.setAttribute(client, "unix:mode", 0644);
        Jbox.Result r = Jbox.finish(new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", client.toString(), socket().toString(), "--version").start());
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: the engine serves root only, not user nobody\n", r.err());
        assertEquals("", r.out());
    }

    /**
     * A front end of another build (jbox upgraded while its engine ran: the new front end speaks a
     * newer protocol) gets FALLBACK and runs the command on its own cold path; before, it got
     * "malformed frame" and exit 125 on every call until the old engine went idle.
     */
    @Test
    void aFrontEndOfAnotherProtocolVersionIsSentToTheColdPath() throws Exception {
        assertEquals(0, run(fe("--version")).code());
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", RAW_CLIENT.toString(), socket().toString(), "--version");
        pb.environment().put("RAW_VERSION", "1");
        Jbox.Result r = Jbox.finish(pb.start());
        assertEquals(107, r.code(), "FALLBACK: " + r.all());
        assertEquals("", r.out() + r.err(), "nothing said: the cold path answers");
        assertEquals(0, run(fe("--version")).code(), "the engine still serves its own front ends");
    }

    @Test
    void aMalformedFrameIsOneLineAndExit125() throws Exception {
        assertEquals(0, run(fe("--version")).code());
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket()));
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(99).putInt(0).flip();
            ch.write(b);
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (ch.read(in) > 0) {
                // until the engine closes
            }
            in.flip().order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(102, in.getInt(), "STDERR first");
            byte[] text = new byte[in.getInt()];
            in.get(text);
            assertEquals("jbox: malformed frame from the front end: unknown frame type 99\n", new String(text, StandardCharsets.UTF_8));
            assertEquals(106, in.getInt());
            assertEquals(4, in.getInt());
            assertEquals(125, in.getInt());
            assertFalse(in.hasRemaining());
        }
        assertEquals(0, run(fe("--version")).code(), "the engine still serves");
    }

    @Test
    void anEngineKilledMidRunIsLikeAKilledJboxAndTheNextCallStartsANewOne() throws Exception {
        String detachedName = Containers.uniqueName("engine-detached");
        String attachedName = Containers.uniqueName("engine-attached");
        Jbox.Result detached = run(fe("run", "-d", "--net", "none", "--name", detachedName, Jbox.IMAGE, "sleep", "600"));
        assertEquals(0, detached.code(), detached.all());
        String id = detached.out().trim();
        Process attached = start(fe("run", "--rm", "--net", "none", "--name", attachedName, Jbox.IMAGE, "sleep", "600"));
        attached.getOutputStream().close();
        long attachedPid = Containers.awaitRunning(attachedName).path("pid").asLong();
        long engine = enginePid();
        assertTrue(alive(engine));
        ProcessHandle.of(engine).orElseThrow().destroyForcibly();
        Jbox.Result lost = Jbox.finish(attached);
        assertEquals(125, lost.code(), lost.all());
        assertEquals("jbox: lost the connection to the engine\n", lost.err());
        Containers.awaitGone(attachedPid);
        assertFalse(Containers.alive(attachedPid), "the attached container ended with its engine");
        JsonNode d = Containers.find(detachedName);
        assertNotNull(d);
        assertTrue(Containers.alive(d.path("pid").asLong()), "the detached container lives on");
        assertTrue(Files.exists(socket()), "a killed engine leaves its socket");

        Jbox.Result ps = run(fe("ps"));
        assertEquals(0, ps.code(), ps.all() + "\nengine log:\n" + Files.readString(dir.resolve(hostKey() + ".log")));
        assertTrue(ps.out().contains(detachedName), ps.out());
        long next = enginePid();
        assertNotEquals(engine, next, "a new engine replaced the stale socket");
        assertTrue(alive(next));
        assertEquals(0, run(fe("rm", "-f", id)).code());
        Jbox.Result prune = run(fe("system", "prune"));
        assertEquals(0, prune.code(), prune.all());
        assertNull(Containers.find(attachedName), "nothing of the attached container is left");
        assertNull(Containers.find(detachedName));
        assertFalse(run(fe("ps", "-a")).out().contains("engine-attached"));
    }

    @Test
    void aRebuiltJarRetiresTheEngineAndTheNextCallGetsANewOne() throws Exception {
        // A copy of the jbox home, so the new "build" is this test's alone.
        Path home = Files.createDirectory(tmp.resolve("home"));
        for (String f : List.of("jbox", "jbox-jvm", "jbox.jar", "jbox-shim")) {
            Files.copy(Jbox.LAUNCHER.resolveSibling(f), home.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        assertEquals(0, run(fromHome(home, "run", "--rm", "--net", "none", Jbox.IMAGE, "true")).code());
        long old = enginePid();
        assertTrue(alive(old));
        // An upgrade or a rebuild: the engine would go on running the old classes.
        Files.setLastModifiedTime(home.resolve("jbox.jar"), FileTime.from(Instant.now().plusSeconds(60)));
        Jbox.Result served = run(fromHome(home, "run", "--rm", "--net", "none", Jbox.IMAGE, "echo", "served"));
        assertEquals(0, served.code(), served.all());
        assertEquals("served\n", served.out(), "the cold path serves the call the old engine refuses");
        Await.until("the outdated engine exits", () -> !alive(old));
        assertEquals(0, run(fromHome(home, "run", "--rm", "--net", "none", Jbox.IMAGE, "true")).code());
        long next = enginePid();
        assertNotEquals(old, next);
        assertTrue(alive(next), "a new engine, started from the new jar, serves again");
        assertTrue(Files.readString(dir.resolve(hostKey() + ".log")).contains("jbox.jar changed since start"));
    }

    /** fe(), with the front end of a copied jbox home. */
    private ProcessBuilder fromHome(Path home, String... args) {
        ProcessBuilder pb = fe(args);
        List<String> cmd = new ArrayList<>(pb.command());
        cmd.set(0, home.resolve("jbox").toString());
        return pb.command(cmd);
    }

    @Test
    void anIdleEngineExitsAndLeavesNoSocketNorCgroup() throws Exception {
        config = Jbox.configWith(tmp, "engine.idle=1s");
        assertEquals(0, run(fe("--version")).code());
        long engine = enginePid();
        assertTrue(alive(engine));
        List<Path> cgroups = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + engine + "/cgroup"))) {
            String path = line.split(":", 3)[2];
            assertTrue(path.contains("/jbox-engine/engine-"), "the engine's own cgroup: " + line);
            String h = line.split(":", 3)[1].replace("name=", "");
            cgroups.add(Path.of("/sys/fs/cgroup", h.isEmpty() ? "unified" : h).resolve(path.substring(1)));
        }
        Await.until("the idle engine exits", () -> !alive(engine));
        assertFalse(Files.exists(socket()));
        assertFalse(Files.exists(dir.resolve(hostKey() + ".pid")));
        for (Path cg : cgroups) {
            if (Files.isDirectory(cg.getParent().getParent())) { // a hierarchy mounted here
                Await.until(cg + " removed by the engine at exit", () -> !Files.exists(cg));
            }
        }
    }

    @Test
    void sigtermToTheFrontEndReachesPid1AndItsStatusComesBack() throws Exception {
        Process p = start(fe("run", "--rm", "--net", "none", Jbox.IMAGE, "sh", "-c",
                "trap 'echo got-term; exit 143' TERM; echo ready; while true; do sleep 0.1; done"));
        p.getOutputStream().close();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        assertEquals(Jbox.LAUNCHER, exe(p), "the engine serves it: the caller's process is still the front end");
        Jbox.host("kill", "-TERM", Long.toString(p.pid()));
        assertEquals("got-term", out.readLine());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void ctrlBackslashInAForegroundRunReachesTheContainerNotAThreadDump() throws Exception {
        Pty pty = new Pty(fe(), Pty.exec(Jbox.LAUNCHER + " run --rm --net none " + Jbox.IMAGE
                + " sh -c 'trap \"echo got-quit; exit 3\" QUIT; echo ready; while true; do sleep 0.1; done'"), this::start);
        pty.await("ready\n", 0);
        pty.type("\u001c"); // Ctrl-\: the terminal sends SIGQUIT to its foreground process group, the front end
        Jbox.Result r = pty.finish();
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("got-quit"), r.out());
        assertFalse(r.out().contains("thread dump"), "a JVM answered instead: " + r.out());
    }

    @Test
    void runItThroughARealTerminal() throws Exception {
        Jbox.Result size = new Pty(fe(), "stty rows 33 cols 111; " + Jbox.LAUNCHER + " run -it --rm --net none " + Jbox.IMAGE
                + " sh -c 'tty; stty size; exit 3'", this::start).finish();
        assertEquals(3, size.code(), size.out());
        assertTrue(size.out().contains("/dev/pts/0\n"), size.out());
        assertTrue(size.out().contains("33 111\n"), size.out());
        Pty pty = new Pty(fe(), Jbox.LAUNCHER + " run -it --rm --net none " + Jbox.IMAGE + " sh", this::start);
        int at = pty.await("# ", 0);
        pty.type("echo $((6*7))\n");
        at = pty.await("42\n", at);
        pty.type("exit 5\n");
        assertEquals(5, pty.finish().code());
    }

}

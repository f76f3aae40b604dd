package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real OCI client: podman drives each runtime through conmon (create, start, kill, delete, exec),
 * and every scenario runs against runc and jbox in the same run, so a scenario that passes for runc
 * and fails for jbox is a jbox bug. {@code -Dpodman.runtimes=runc} (comma-separated: runc, crun,
 * jbox or a path) narrows the set; the default is runc and jbox.
 *
 * <p>Isolation: podman's storage, run and tmp dirs live in a temp dir of ours (vfs driver, so no
 * overlay mounts); every container has {@code --network none} (podman never creates a bridge or
 * touches iptables) and {@code --cgroup-parent /jbox-podman-it-PID}, so all cgroups podman and the
 * runtime create (conmon's too: PARENT/conmon) sit in one sub-tree that {@link #tearDown} empties
 * and removes in every hierarchy ({@link ClientSandbox}).
 */
class PodmanIT {
    private static final String PODMAN = "/usr/bin/podman";
    private static final String CONMON = "/usr/bin/conmon";
    private static final String RUNC = "/usr/sbin/runc";
    private static final String IMAGE = "localhost/jbox-podman-it-bb";
    private static final String CGROUP_PARENT = "/jbox-podman-it-" + ProcessHandle.current().pid();
    private static final long TIMEOUT_S = 90;
    private static final String[] APPLETS = {"sh", "echo", "cat", "id", "hostname", "ps", "sleep", "pwd", "touch", "ls",
        "true", "false", "kill", "env", "grep"};

    private static Path tmp;
    private static Path conf;
    private static final Set<String> usedRuntimes = new LinkedHashSet<>();

    record Out(int code, String out, String err) {
        String all() {
            return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    /** The runtimes under test: runc and jbox unless -Dpodman.runtimes says otherwise. */
    static Stream<String> runtimes() {
        String p = System.getProperty("podman.runtimes", "");
        if (p.isBlank()) {
            p = "runc,jbox";
        }
        return Arrays.stream(p.split(",")).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** The runtime binary podman is given with --runtime. */
    static String path(String runtime) {
        return switch (runtime) {
            case "runc" -> RUNC;
            case "crun" -> "/usr/bin/crun";
            case "jbox" -> jboxRuntime.toString();
            default -> Path.of(runtime).toAbsolutePath().toString();
        };
    }

    /** What podman runs as jbox: the launcher, in a wrapper giving it this run's engine settings. */
    private static Path jboxRuntime = Jbox.LAUNCHER;

    /**
     * podman runs its runtime with an environment of its own (conmon's: LC_*, LANG, PATH, HOME;
     * start, kill and delete with hardly more than XDG_RUNTIME_DIR), so JBOX_ENGINE and
     * JBOX_ENGINE_SOCKET would not reach jbox and it would start an engine in /run/jbox/engine: a
     * wrapper named jbox sets them and execs the launcher (the same process: exec).
     */
    private static Path jboxWrapper(Path dir) throws IOException {
        StringBuilder sh = new StringBuilder("#!/bin/sh\n");
        for (String k : List.of("JBOX_ENGINE", "JBOX_ENGINE_SOCKET")) {
            String v = System.getenv(k);
            if (v != null) {
                sh.append("export ").append(k).append("='").append(v.replace("'", "'\\''")).append("'\n");
            }
        }
        sh.append("exec '").append(Jbox.LAUNCHER).append("' \"$@\"\n");
        Path w = Files.createDirectories(dir.resolve("runtime")).resolve("jbox");
        Files.writeString(w, sh);
        Files.setAttribute(w, "unix:mode", 0755);
        return w;
    }

    /** runc's default state root: the runc half makes it; the test removes it again if it made it. */
    private static final Path RUNC_ROOT = Path.of("/run/runc");
    private static boolean runcRootExisted;

    @BeforeAll
    static void setUp() throws Exception {
        for (String bin : List.of(PODMAN, CONMON, RUNC)) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of(bin)), bin + " is not installed (scripts/install-deps.sh)");
        }
        runcRootExisted = Files.exists(RUNC_ROOT);
        tmp = Files.createTempDirectory("jbox-podman-it-");
        jboxRuntime = jboxWrapper(tmp);
        conf = tmp.resolve("containers.conf");
        // This host has no systemd as init and cgroup v1: cgroupfs and a file event log, and no
        // default ulimits (podman's defaults exceed this host's hard limits).
        Files.writeString(conf, """
                [containers]
                default_ulimits = []
                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                """);
        Files.writeString(tmp.resolve("storage.conf"), "[storage]\ndriver = \"vfs\"\nrunroot = \"" + tmp.resolve("run")
                + "\"\ngraphroot = \"" + tmp.resolve("storage") + "\"\n");
        Files.createDirectories(tmp.resolve("logs"));
        Files.createDirectories(tmp.resolve("tmp"));
        Path busybox = Stream.of("/bin/busybox", "/usr/bin/busybox").map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("a static busybox is needed to build the test image"));
        Path rootfs = tmp.resolve("rootfs");
        for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp", "data")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        host("chmod", "1777", rootfs.resolve("tmp").toString());
        Files.copy(busybox, rootfs.resolve("bin/busybox"));
        for (String a : APPLETS) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(a), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("bin/not-executable"), "#!/bin/sh\necho should not run\n");
        Path tar = tmp.resolve("bb.tar");
        expectOk(host("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", rootfs.toString(), "-cf", tar.toString(), "."));
        expectOk(podman(runtimes().findFirst().orElse("runc"), "import", tar.toString(), IMAGE));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (tmp == null) {
            return;
        }
        try {
            for (String rt : usedRuntimes) {
                podman(rt, "rm", "-af", "-t", "0");
            }
            podman(usedRuntimes.isEmpty() ? "runc" : usedRuntimes.iterator().next(), "system", "reset", "-f");
        } finally {
            // Whatever podman could not remove (a runtime that failed delete, a stuck conmon):
            // kill it, unmount it, rmdir its cgroups, delete the store.
            new ClientSandbox(tmp, CGROUP_PARENT).cleanUp();
            if (!runcRootExisted) { // runc's state root, made by the runc half of the test; empty by now
                try {
                    Files.deleteIfExists(RUNC_ROOT);
                } catch (java.nio.file.DirectoryNotEmptyException inUse) {
                    // someone else's runc containers live there
                }
            }
            // Not through exec(): its output files live in the directory being removed.
            new ProcessBuilder("rm", "-rf", "--one-file-system", tmp.toString()).inheritIO().start().waitFor();
        }
    }

    // ---- scenarios ---------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void runEchoesToStdout(String rt) throws Exception {
        Out r = run(rt, "--rm", IMAGE, "echo", "hello", "podman");
        assertEquals(0, r.code(), r.all());
        assertEquals("hello podman\n", r.out(), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void exitCodesPassThrough(String rt) throws Exception {
        Out three = run(rt, "--rm", IMAGE, "sh", "-c", "exit 3");
        assertEquals(3, three.code(), three.all());
        Out f = run(rt, "--rm", IMAGE, "false");
        assertEquals(1, f.code(), f.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void environment(String rt) throws Exception {
        Out r = run(rt, "--rm", "-e", "FOO=bar", IMAGE, "env");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().lines().anyMatch("FOO=bar"::equals), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void hostname(String rt) throws Exception {
        Out r = run(rt, "--rm", "--hostname", "h1", IMAGE, "hostname");
        assertEquals(0, r.code(), r.all());
        assertEquals("h1\n", r.out(), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void bindMountReadAndWrite(String rt) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bind-" + rt.replaceAll("[^a-z0-9]", "_")));
        Files.writeString(dir.resolve("in.txt"), "from-host\n");
        Out r = run(rt, "--rm", "-v", dir + ":/data", IMAGE, "sh", "-c", "cat /data/in.txt && echo from-container > /data/out.txt");
        assertEquals(0, r.code(), r.all());
        assertEquals("from-host\n", r.out(), r.all());
        assertEquals("from-container\n", Files.readString(dir.resolve("out.txt")), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void workloadIsPid1(String rt) throws Exception {
        Out r = run(rt, "--rm", IMAGE, "sh", "-c", "echo $$");
        assertEquals(0, r.code(), r.all());
        assertEquals("1\n", r.out(), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void networkNoneHasOnlyLoopback(String rt) throws Exception {
        Out r = run(rt, "--rm", IMAGE, "cat", "/proc/net/dev");
        assertEquals(0, r.code(), r.all());
        List<String> ifaces = r.out().lines().skip(2).map(l -> l.substring(0, l.indexOf(':')).trim()).toList();
        assertEquals(List.of("lo"), ifaces, r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void user(String rt) throws Exception {
        Out r = run(rt, "--rm", "--user", "1000:1000", IMAGE, "sh", "-c", "id -u; id -g");
        assertEquals(0, r.code(), r.all());
        assertEquals("1000\n1000\n", r.out(), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void readOnlyRoot(String rt) throws Exception {
        Out r = run(rt, "--rm", "--read-only", IMAGE, "touch", "/x");
        assertNotEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("Read-only file system") || r.out().contains("Read-only file system"), r.all());
        // podman mounts a tmpfs on /tmp of a read-only container; the runtime must mount it.
        Out t = run(rt, "--rm", "--read-only", IMAGE, "touch", "/tmp/x");
        assertEquals(0, t.code(), t.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void workdir(String rt) throws Exception {
        Out r = run(rt, "--rm", "-w", "/tmp", IMAGE, "pwd");
        assertEquals(0, r.code(), r.all());
        assertEquals("/tmp\n", r.out(), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void detachedExecPsStopRm(String rt) throws Exception {
        String name = name(rt, "detached");
        try {
            Out d = run(rt, "-d", "--name", name, IMAGE, "sleep", "1000");
            assertEquals(0, d.code(), d.all());
            // podman really used the runtime under test (it records the --runtime it was given).
            Out used = podman(rt, "inspect", "--format", "{{.OCIRuntime}}", name);
            assertEquals(path(rt), used.out().trim(), used.all());

            Out hi = podman(rt, "exec", name, "echo", "hi");
            assertEquals(0, hi.code(), hi.all());
            assertEquals("hi\n", hi.out(), hi.all());
            Out five = podman(rt, "exec", name, "sh", "-c", "exit 5");
            assertEquals(5, five.code(), five.all());

            Out ps = podman(rt, "exec", name, "ps");
            assertEquals(0, ps.code(), ps.all());
            assertTrue(ps.out().lines().anyMatch(l -> l.trim().matches("1\\s+.*sleep 1000")), ps.all());

            Out list = podman(rt, "ps", "--format", "{{.Names}} {{.Status}}");
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(name + " Up")), list.all());

            Out stop = podman(rt, "stop", "-t", "2", name);
            assertEquals(0, stop.code(), stop.all());
            Out status = podman(rt, "inspect", "--format", "{{.State.Status}}", name);
            assertEquals("exited", status.out().trim(), status.all());

            Out rm = podman(rt, "rm", name);
            assertEquals(0, rm.code(), rm.all());
            Out all = podman(rt, "ps", "-a", "--format", "{{.Names}}");
            assertTrue(all.out().lines().noneMatch(name::equals), all.all());
        } finally {
            podman(rt, "rm", "-f", "-t", "0", name);
        }
    }

    /** --pid/--ipc/--uts/--network container:X: the config names X's namespaces by path, the runtime joins them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void namespacesOfAnotherContainerAreJoined(String rt) throws Exception {
        String name = name(rt, "share");
        try {
            Out d = run(rt, "-d", "--name", name, "--hostname", "sharer", IMAGE, "sleep", "1000");
            assertEquals(0, d.code(), d.all());
            List<String> join = new ArrayList<>(List.of("run", "--rm", "--cgroup-parent", CGROUP_PARENT));
            for (String ns : List.of("--pid", "--ipc", "--uts", "--network")) {
                join.add(ns);
                join.add("container:" + name);
            }
            join.addAll(List.of(IMAGE, "sh", "-c", "ps -o pid,args; hostname"));
            Out r = podman(rt, join.toArray(String[]::new));
            assertEquals(0, r.code(), r.all());
            assertTrue(r.out().lines().anyMatch(l -> l.trim().matches("1\\s+sleep 1000")), "the other container's PID 1: " + r.all());
            assertTrue(r.out().endsWith("sharer\n"), r.all());
        } finally {
            podman(rt, "rm", "-f", "-t", "0", name);
        }
    }

    /** -t: conmon passes --console-socket; the runtime hands it the master of the container's terminal. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void terminalThroughTheConsoleSocket(String rt) throws Exception {
        Out r = run(rt, "--rm", "-t", IMAGE, "sh", "-c", "tty; exit 4");
        assertEquals(4, r.code(), r.all());
        assertEquals("/dev/pts/0\r\n", r.out(), r.all());
        String name = name(rt, "tty");
        try {
            Out d = run(rt, "-d", "--name", name, IMAGE, "sleep", "1000");
            assertEquals(0, d.code(), d.all());
            Out e = podman(rt, "exec", "-t", name, "sh", "-c", "tty; exit 6");
            assertEquals(6, e.code(), e.all());
            assertTrue(e.out().startsWith("/dev/pts/"), e.all());
        } finally {
            podman(rt, "rm", "-f", "-t", "0", name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void memoryLimit(String rt) throws Exception {
        String name = name(rt, "mem");
        try {
            Out d = run(rt, "-d", "--name", name, "--memory", "64m", IMAGE, "sleep", "1000");
            assertEquals(0, d.code(), d.all());
            long pid = pid(rt, name);
            String cg = ClientSandbox.cgroupOf(pid, "memory");
            assertTrue(cg.startsWith(CGROUP_PARENT + "/"), "container cgroup " + cg + " is not under --cgroup-parent");
            assertEquals("67108864", read(ClientSandbox.memoryLimit(cg)));
        } finally {
            podman(rt, "rm", "-f", "-t", "0", name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void pidsLimit(String rt) throws Exception {
        String name = name(rt, "pids");
        try {
            Out d = run(rt, "-d", "--name", name, "--pids-limit", "50", IMAGE, "sleep", "1000");
            assertEquals(0, d.code(), d.all());
            String cg = ClientSandbox.cgroupOf(pid(rt, name), "pids");
            assertTrue(cg.startsWith(CGROUP_PARENT + "/"), "container cgroup " + cg + " is not under --cgroup-parent");
            assertEquals("50", read(ClientSandbox.hostDir("pids", cg).resolve("pids.max")));
        } finally {
            podman(rt, "rm", "-f", "-t", "0", name);
        }
    }

    /**
     * The container sees its own limits in its cgroup mounts (v1: /sys/fs/cgroup/CONTROLLER is the
     * container's own cgroup; v2: /sys/fs/cgroup is), as a JVM or a Go runtime inside reads them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void limitsReadInsideTheContainer(String rt) throws Exception {
        String show = ClientSandbox.isV2() ? "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max"
                : "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max";
        Out r = run(rt, "--rm", "--memory", "64m", "--pids-limit", "50", IMAGE, "sh", "-c", show);
        assertEquals(0, r.code(), r.all());
        assertEquals("67108864\n50\n", r.out(), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void pauseAndUnpause(String rt) throws Exception {
        String name = name(rt, "pause");
        try {
            Out d = run(rt, "-d", "--name", name, IMAGE, "sleep", "1000");
            assertEquals(0, d.code(), d.all());
            Out pause = podman(rt, "pause", name);
            assertEquals(0, pause.code(), pause.all());
            assertEquals("paused", status(rt, name));
            Out unpause = podman(rt, "unpause", name);
            assertEquals(0, unpause.code(), unpause.all());
            assertEquals("running", status(rt, name));
            Out hi = podman(rt, "exec", name, "echo", "awake");
            assertEquals("awake\n", hi.out(), hi.all());
        } finally {
            podman(rt, "rm", "-f", "-t", "0", name);
        }
    }

    /** podman update --memory: the runtime's update verb rewrites the running container's limit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void updateMemory(String rt) throws Exception {
        String name = name(rt, "update");
        try {
            Out d = run(rt, "-d", "--name", name, "--memory", "64m", IMAGE, "sleep", "1000");
            assertEquals(0, d.code(), d.all());
            Out u = podman(rt, "update", "--memory", "128m", name);
            assertEquals(0, u.code(), u.all());
            String cg = ClientSandbox.cgroupOf(pid(rt, name), "memory");
            assertEquals("134217728", read(ClientSandbox.memoryLimit(cg)));
        } finally {
            podman(rt, "rm", "-f", "-t", "0", name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void top(String rt) throws Exception {
        String name = name(rt, "top");
        try {
            Out d = run(rt, "-d", "--name", name, IMAGE, "sleep", "1000");
            assertEquals(0, d.code(), d.all());
            Out top = podman(rt, "top", name, "pid", "args");
            assertEquals(0, top.code(), top.all());
            assertTrue(top.out().lines().anyMatch(l -> l.trim().matches("1\\s+sleep 1000")), top.all());
        } finally {
            podman(rt, "rm", "-f", "-t", "0", name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void capDrop(String rt) throws Exception {
        long netRaw = 1L << 13;
        long chown = 1L << 0;
        Out r = run(rt, "--rm", "--cap-drop", "NET_RAW", IMAGE, "grep", "^Cap", "/proc/self/status");
        assertEquals(0, r.code(), r.all());
        long eff = capField(r.out(), "CapEff");
        long bnd = capField(r.out(), "CapBnd");
        assertEquals(0, eff & netRaw, r.all());
        assertEquals(0, bnd & netRaw, r.all());
        assertEquals(chown, eff & chown, "the rest of podman's default set stays: " + r.all());
        Out all = run(rt, "--rm", "--cap-drop", "ALL", IMAGE, "grep", "^Cap", "/proc/self/status");
        assertEquals(0, capField(all.out(), "CapEff"), all.all());
        assertEquals(0, capField(all.out(), "CapBnd"), all.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void killGives137(String rt) throws Exception {
        String name = name(rt, "kill");
        try {
            Out d = run(rt, "-d", "--name", name, IMAGE, "sleep", "1000");
            assertEquals(0, d.code(), d.all());
            Out k = podman(rt, "kill", name);
            assertEquals(0, k.code(), k.all());
            Out w = podman(rt, "wait", name);
            assertEquals(0, w.code(), w.all());
            assertEquals("137", w.out().trim(), w.all());
        } finally {
            podman(rt, "rm", "-f", "-t", "0", name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void missingCommandIs127(String rt) throws Exception {
        // podman turns any failed create into 126, and into 127 only when the runtime's error text
        // says "executable file not found" or "no such file or directory": the text must name it.
        Out r = run(rt, "--rm", IMAGE, "no-such-command");
        assertEquals(127, r.code(), r.all());
        assertTrue(r.err().contains("no-such-command"), r.all());
        Out abs = run(rt, "--rm", IMAGE, "/bin/no-such-file");
        assertEquals(127, abs.code(), abs.all());
        assertTrue(abs.err().contains("/bin/no-such-file"), abs.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void nonExecutableIs126(String rt) throws Exception {
        // 126 is also what podman reports for any runtime failure, so the message must name the
        // file and say "permission denied" (podman matches that text).
        Out r = run(rt, "--rm", IMAGE, "/bin/not-executable");
        assertEquals(126, r.code(), r.all());
        assertTrue(r.err().contains("/bin/not-executable") && r.err().contains("permission denied"), r.all());
    }

    // ---- podman --------------------------------------------------------------------------------

    /** podman run with the isolation every container of this class must have. */
    private static Out run(String rt, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("run", "--network", "none", "--cgroup-parent", CGROUP_PARENT));
        a.addAll(Arrays.asList(args));
        return podman(rt, a.toArray(String[]::new));
    }

    private static Out podman(String rt, String... args) throws Exception {
        usedRuntimes.add(rt);
        List<String> cmd = new ArrayList<>(List.of(PODMAN, "--root", tmp.resolve("storage").toString(),
                "--runroot", tmp.resolve("run").toString(), "--tmpdir", tmp.resolve("libpod").toString(),
                "--storage-driver", "vfs", "--runtime", path(rt)));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CONTAINERS_CONF", conf.toString());
        pb.environment().put("CONTAINERS_STORAGE_CONF", tmp.resolve("storage.conf").toString());
        pb.environment().put("TMPDIR", tmp.resolve("tmp").toString());
        return exec(pb);
    }

    private static Out host(String... cmd) throws Exception {
        return exec(new ProcessBuilder(cmd));
    }

    private static int seq;

    /** Output goes to files: a full pipe can never block the child, and nothing is lost. */
    private static Out exec(ProcessBuilder pb) throws Exception {
        int n = ++seq;
        File out = tmp.resolve("logs").resolve(n + ".out").toFile();
        File err = tmp.resolve("logs").resolve(n + ".err").toFile();
        pb.redirectInput(new File("/dev/null")).redirectOutput(out).redirectError(err);
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", pb.command()) + " did not finish in " + TIMEOUT_S + " s; stderr: "
                    + Files.readString(err.toPath()));
        }
        return new Out(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    private static void expectOk(Out r) {
        if (r.code() != 0) {
            throw new IllegalStateException("podman test set-up failed: " + r.all());
        }
    }

    private static String name(String rt, String what) {
        return "jbox-podman-it-" + Path.of(rt).getFileName().toString().replaceAll("[^a-zA-Z0-9]", "") + "-" + what;
    }

    private static String status(String rt, String name) throws Exception {
        Out r = podman(rt, "inspect", "--format", "{{.State.Status}}", name);
        assertEquals(0, r.code(), r.all());
        return r.out().trim();
    }

    private static long pid(String rt, String name) throws Exception {
        Out r = podman(rt, "inspect", "--format", "{{.State.Pid}}", name);
        assertEquals(0, r.code(), r.all());
        long pid = Long.parseLong(r.out().trim());
        assertTrue(pid > 0, r.all());
        return pid;
    }

    // ---- cgroups, processes -------------------------------------------------------------------

    private static String read(Path p) throws IOException {
        return Files.readString(p).trim();
    }

    private static long capField(String status, String field) {
        return status.lines().filter(l -> l.startsWith(field + ":")).findFirst()
                .map(l -> Long.parseUnsignedLong(l.substring(field.length() + 1).trim(), 16))
                .orElseThrow(() -> new AssertionError("no " + field + " in " + status));
    }
}

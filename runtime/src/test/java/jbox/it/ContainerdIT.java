package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real OCI client: containerd's runc shim (io.containerd.runc.v2) drives each runtime, chosen per
 * container with {@code ctr run --runc-binary}, and every scenario runs against runc and jbox in the
 * same run, so a scenario that passes for runc and fails for jbox is a jbox bug.
 * {@code -Dcontainerd.runtimes=runc} (comma-separated: runc, jbox or a path) narrows the set.
 *
 * <p>Isolation: the test starts a containerd of its own (root, state, sockets in a temp dir; CRI,
 * and with it CNI, disabled; the "opt" plugin, which would make /opt/containerd, disabled) and stops
 * it afterwards; the host's containerd, if any, is never addressed. Each runtime gets its own state
 * root ({@code --runc-root}) in the temp dir, every container its cgroup under
 * /jbox-containerd-it-PID ({@code --cgroup}) and, without {@code --with-ns}, a network namespace of
 * its own holding only loopback (ctr makes one and, without --cni, configures nothing).
 */
class ContainerdIT {
    private static final String CONTAINERD = "/usr/bin/containerd";
    private static final String CTR = "/usr/bin/ctr";
    private static final String RUNC = "/usr/sbin/runc";
    private static final String NAMESPACE = "jbox-it";
    private static final String IMAGE = "busybox:latest";
    private static final String CGROUP_PARENT = "/jbox-containerd-it-" + ProcessHandle.current().pid();
    private static final String NETNS = "jbox-containerd-it-" + ProcessHandle.current().pid();
    private static final long TIMEOUT_S = 90;
    /** containerd's built-in state dir: its shims' sockets go to s/ and ctr makes fifo/, whatever the config says. */
    private static final Path CONTAINERD_RUN = Path.of("/run/containerd");

    private static Path tmp;
    private static ClientSandbox sandbox;
    private static Process containerd;
    private static boolean containerdRunExisted;
    private static boolean netnsMade;

    record Out(int code, String out, String err) {
        String all() {
            return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    /** The runtimes under test: runc and jbox unless -Dcontainerd.runtimes says otherwise. */
    static Stream<String> runtimes() {
        String p = System.getProperty("containerd.runtimes", "");
        if (p.isBlank()) {
            p = "runc,jbox";
        }
        return Arrays.stream(p.split(",")).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** The runtime binary the shim is given with --runc-binary. */
    static String path(String runtime) {
        return switch (runtime) {
            case "runc" -> RUNC;
            case "jbox" -> Jbox.LAUNCHER.toString();
            default -> Path.of(runtime).toAbsolutePath().toString();
        };
    }

    @BeforeAll
    static void setUp() throws Exception {
        for (String bin : List.of(CONTAINERD, CTR, RUNC)) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of(bin)), bin + " is not installed (scripts/install-deps.sh)");
        }
        Jbox.setUp();
        containerdRunExisted = Files.exists(CONTAINERD_RUN);
        tmp = Files.createTempDirectory("jbox-containerd-it-");
        sandbox = new ClientSandbox(tmp, CGROUP_PARENT);
        Files.createDirectories(tmp.resolve("logs"));
        Files.createDirectories(tmp.resolve("fifo"));
        Path config = tmp.resolve("containerd.toml");
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
                  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
                  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
                [grpc]
                  address = "%1$s/containerd.sock"
                [ttrpc]
                  address = "%1$s/containerd.sock.ttrpc"
                [debug]
                  address = "%1$s/debug.sock"
                  level = "info"
                [metrics]
                  address = ""
                """.formatted(tmp));
        // The shims inherit containerd's environment and pass it on to the runtime: jbox gets the
        // test's config (its state root is the one CI's leak check looks at).
        ProcessBuilder pb = new ProcessBuilder(CONTAINERD, "--config", config.toString())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(tmp.resolve("containerd.log").toFile())
                .redirectErrorStream(true);
        pb.environment().put("JBOX_CONFIG", Jbox.configWith(tmp, "").toString());
        containerd = pb.start();
        awaitContainerd();

        Path tar = tmp.resolve("busybox.tar");
        Jbox.Result export = Jbox.run("image", "export", Jbox.IMAGE, tar.toString());
        assertEquals(0, export.code(), export.all());
        expectOk(ctr("images", "import", tar.toString()));
        expectOk(host("ip", "netns", "add", NETNS));
        netnsMade = true;
    }

    /** containerd answers on its socket (a fresh root takes a moment to set up its plugins). */
    private static void awaitContainerd() throws Exception {
        Out[] v = {null};
        boolean up = Await.within(Await.DEADLINE, () -> !containerd.isAlive() || (v[0] = ctr("version")).code() == 0);
        if (!up || !containerd.isAlive()) {
            throw new IllegalStateException("containerd did not answer within " + Await.DEADLINE.toSeconds() + " s: "
                    + (v[0] == null ? "" : v[0].all()) + "\nlog: " + Files.readString(tmp.resolve("containerd.log")));
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (tmp == null) {
            return;
        }
        try {
            if (containerd != null && containerd.isAlive()) {
                // Tasks first: a shim exits once its task is deleted, and outlives containerd otherwise.
                for (String id : ctr("tasks", "ls", "-q").out().lines().toList()) {
                    ctr("tasks", "kill", "-s", "KILL", id);
                    awaitStatus(id, "STOPPED");
                    ctr("tasks", "delete", "--force", id);
                }
                for (String id : ctr("containers", "ls", "-q").out().lines().toList()) {
                    ctr("containers", "delete", id);
                }
                ctr("images", "rm", IMAGE);
            }
        } finally {
            if (containerd != null) {
                containerd.destroy();
                if (!containerd.waitFor(30, TimeUnit.SECONDS)) {
                    containerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            sandbox.cleanUp();
            if (netnsMade) {
                host("ip", "netns", "delete", NETNS);
            }
            if (!containerdRunExisted) { // made by our containerd and ctr; empty once the shims are gone
                for (Path d : List.of(CONTAINERD_RUN.resolve("s"), CONTAINERD_RUN.resolve("fifo"), CONTAINERD_RUN)) {
                    try {
                        Files.deleteIfExists(d);
                    } catch (java.nio.file.DirectoryNotEmptyException inUse) {
                        // another containerd lives here now
                    }
                }
            }
            new ProcessBuilder("rm", "-rf", "--one-file-system", tmp.toString()).inheritIO().start().waitFor();
        }
    }

    // ---- scenarios ---------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void runWithOutputAndExitCode(String rt) throws Exception {
        Out r = run(rt, "out", List.of(), "sh", "-c", "echo hello containerd; exit 3");
        assertEquals(3, r.code(), r.all());
        assertEquals("hello containerd\n", r.out(), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void environmentAndWorkingDirectory(String rt) throws Exception {
        Out r = run(rt, "env", List.of("--env", "FOO=bar", "--cwd", "/tmp"), "sh", "-c", "echo $FOO; pwd");
        assertEquals(0, r.code(), r.all());
        assertEquals("bar\n/tmp\n", r.out(), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void workloadIsPid1(String rt) throws Exception {
        Out r = run(rt, "pid1", List.of(), "sh", "-c", "echo $$");
        assertEquals(0, r.code(), r.all());
        assertEquals("1\n", r.out(), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void readOnlyRoot(String rt) throws Exception {
        Out r = run(rt, "ro", List.of("--read-only"), "touch", "/x");
        assertNotEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("Read-only file system"), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void capDrop(String rt) throws Exception {
        long netRaw = 1L << 13;
        long chown = 1L << 0;
        Out r = run(rt, "caps", List.of("--cap-drop", "CAP_NET_RAW"), "grep", "^Cap", "/proc/self/status");
        assertEquals(0, r.code(), r.all());
        assertEquals(0, capField(r.out(), "CapEff") & netRaw, r.all());
        assertEquals(0, capField(r.out(), "CapBnd") & netRaw, r.all());
        assertEquals(chown, capField(r.out(), "CapEff") & chown, "the rest of containerd's default set stays: " + r.all());
    }

    /** Without --with-ns the container gets a netns of its own with loopback only; with it, the one named. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void networkNamespaces(String rt) throws Exception {
        String show = "readlink /proc/self/ns/net; tail -n +3 /proc/net/dev | cut -d: -f1";
        Path named = Path.of("/var/run/netns", NETNS);
        Out own = run(rt, "net", List.of(), "sh", "-c", show);
        assertEquals(0, own.code(), own.all());
        List<String> ownLines = own.out().lines().map(String::trim).toList();
        assertEquals(List.of("lo"), ownLines.subList(1, ownLines.size()), own.all());
        assertNotEquals(netnsLink(Path.of("/proc/self/ns/net")), ownLines.get(0), "not the host's netns: " + own.all());

        Out joined = run(rt, "netns", List.of("--with-ns", "network:" + named), "sh", "-c", show);
        assertEquals(0, joined.code(), joined.all());
        List<String> lines = joined.out().lines().map(String::trim).toList();
        assertEquals(netnsLink(named), lines.get(0), joined.all());
        assertEquals(List.of("lo"), lines.subList(1, lines.size()), joined.all());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void memoryLimitOnTheHost(String rt) throws Exception {
        String id = id(rt, "mem");
        try {
            expectOk(runDetached(rt, id, List.of("--memory-limit", "67108864")));
            long pid = taskPid(id);
            String cg = ClientSandbox.cgroupOf(pid, "memory");
            assertEquals(CGROUP_PARENT + "/" + id, cg, "the cgroup ctr run --cgroup named");
            assertEquals("67108864", Files.readString(ClientSandbox.memoryLimit(cg)).trim());
        } finally {
            remove(id);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void detachedExecAndPs(String rt) throws Exception {
        String id = id(rt, "exec");
        try {
            expectOk(runDetached(rt, id, List.of()));
            // The shim really called the runtime under test, with the state root it was given.
            Path bundle = tmp.resolve("state/io.containerd.runtime.v2.task").resolve(NAMESPACE).resolve(id);
            assertTrue(Files.readString(bundle.resolve("options.json")).contains("\"binary_name\":\"" + path(rt) + "\""),
                    Files.readString(bundle.resolve("options.json")));
            assertTrue(Files.exists(runtimeRoot(rt).resolve(NAMESPACE).resolve(id).resolve("state.json")),
                    "state under --runc-root " + runtimeRoot(rt));

            Out four = ctr("tasks", "exec", "--exec-id", "e1", id, "sh", "-c", "echo in; exit 4");
            assertEquals(4, four.code(), four.all());
            assertEquals("in\n", four.out(), four.all());

            long pid = taskPid(id);
            Out ps = ctr("tasks", "ps", id);
            assertEquals(0, ps.code(), ps.all());
            assertTrue(ps.out().lines().skip(1).anyMatch(l -> l.trim().split("\\s+")[0].equals(Long.toString(pid))), ps.all());
        } finally {
            remove(id);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void pauseAndResume(String rt) throws Exception {
        String id = id(rt, "pause");
        try {
            expectOk(runDetached(rt, id, List.of()));
            Out pause = ctr("tasks", "pause", id);
            assertEquals(0, pause.code(), pause.all());
            assertEquals("PAUSED", status(id));
            Out resume = ctr("tasks", "resume", id);
            assertEquals(0, resume.code(), resume.all());
            assertEquals("RUNNING", status(id));
            // Really running again: it still answers an exec.
            Out hi = ctr("tasks", "exec", "--exec-id", "e1", id, "echo", "awake");
            assertEquals("awake\n", hi.out(), hi.all());
        } finally {
            remove(id);
        }
    }

    /** A foreground ctr run reports the task's exit status: SIGKILL → 137. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void killGives137(String rt) throws Exception {
        String id = id(rt, "kill");
        Process fg = null;
        try {
            List<String> cmd = ctrCommand(runArgs(rt, id, List.of("--rm"), "sleep", "1000"));
            fg = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                    .redirectOutput(tmp.resolve("logs").resolve(id + ".out").toFile())
                    .redirectError(tmp.resolve("logs").resolve(id + ".err").toFile()).start();
            awaitStatus(id, "RUNNING");
            Out k = ctr("tasks", "kill", "-s", "KILL", id);
            assertEquals(0, k.code(), k.all());
            assertTrue(fg.waitFor(TIMEOUT_S, TimeUnit.SECONDS), "ctr run did not return after the kill");
            assertEquals(137, fg.exitValue(), Files.readString(tmp.resolve("logs").resolve(id + ".err")));
        } finally {
            if (fg != null && fg.isAlive()) {
                fg.destroyForcibly();
            }
            remove(id);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void missingCommandFails(String rt) throws Exception {
        String id = id(rt, "missing");
        Out r = run(rt, "missing", List.of(), "no-such-command");
        assertNotEquals(0, r.code(), r.all());
        // The shim reads the runtime's error back from log.json; ctr shows it.
        assertTrue(r.err().contains("\"no-such-command\"") && r.err().contains("executable file not found"), r.all());
        assertTrue(ctr("containers", "ls", "-q").out().lines().noneMatch(id::equals), "run --rm removed the container");
    }

    // ---- ctr -----------------------------------------------------------------------------------

    private static Path runtimeRoot(String rt) {
        return tmp.resolve("runtime-root-" + Path.of(rt).getFileName().toString().replaceAll("[^a-zA-Z0-9]", ""));
    }

    private static String id(String rt, String what) {
        return Path.of(rt).getFileName().toString().replaceAll("[^a-zA-Z0-9]", "") + "-" + what;
    }

    /** ctr run with the isolation every container of this class must have. */
    private static List<String> runArgs(String rt, String id, List<String> opts, String... cmd) {
        List<String> a = new ArrayList<>(List.of("run", "--runc-binary", path(rt), "--runc-root", runtimeRoot(rt).toString(),
                "--fifo-dir", tmp.resolve("fifo").toString(), "--cgroup", CGROUP_PARENT + "/" + id));
        a.addAll(opts);
        a.add(IMAGE);
        a.add(id);
        a.addAll(Arrays.asList(cmd));
        return a;
    }

    /** A foreground {@code ctr run --rm}: its exit status is the task's. */
    private static Out run(String rt, String what, List<String> opts, String... cmd) throws Exception {
        List<String> o = new ArrayList<>(List.of("--rm"));
        o.addAll(opts);
        return ctr(runArgs(rt, id(rt, what), o, cmd).toArray(String[]::new));
    }

    private static Out runDetached(String rt, String id, List<String> opts) throws Exception {
        List<String> o = new ArrayList<>(List.of("--detach", "--null-io"));
        o.addAll(opts);
        Out r = ctr(runArgs(rt, id, o, "sleep", "1000").toArray(String[]::new));
        if (r.code() == 0) {
            awaitStatus(id, "RUNNING");
        }
        return r;
    }

    /** Kills and deletes the task, then the container; quiet if either is already gone. */
    private static void remove(String id) throws Exception {
        if (!status(id).isEmpty()) {
            ctr("tasks", "kill", "-s", "KILL", id);
            awaitStatus(id, "STOPPED");
            ctr("tasks", "delete", id);
        }
        ctr("containers", "delete", id);
    }

    private static List<String> ctrCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(CTR, "--address", tmp.resolve("containerd.sock").toString(),
                "--namespace", NAMESPACE));
        cmd.addAll(args);
        return cmd;
    }

    private static Out ctr(String... args) throws Exception {
        return exec(new ProcessBuilder(ctrCommand(Arrays.asList(args))));
    }

    /** The task's STATUS column in {@code ctr tasks ls}, or "" without a task. */
    private static String status(String id) throws Exception {
        return taskColumn(id, 2);
    }

    private static long taskPid(String id) throws Exception {
        return Long.parseLong(taskColumn(id, 1));
    }

    private static String taskColumn(String id, int column) throws Exception {
        Out ls = ctr("tasks", "ls");
        return ls.out().lines().skip(1).map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length == 3 && f[0].equals(id)).map(f -> f[column]).findFirst().orElse("");
    }

    private static void awaitStatus(String id, String want) throws Exception {
        Await.within(Await.DEADLINE, () -> want.equals(status(id)));
        assertEquals(want, status(id), "task " + id + " status");
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
            throw new IllegalStateException("containerd test step failed: " + r.all());
        }
    }

    private static String netnsLink(Path ns) throws Exception {
        return "net:[" + Files.getAttribute(ns, "unix:ino") + "]";
    }

    private static long capField(String status, String field) {
        return status.lines().filter(l -> l.startsWith(field + ":")).findFirst()
                .map(l -> Long.parseUnsignedLong(l.substring(field.length() + 1).trim(), 16))
                .orElseThrow(() -> new AssertionError("no " + field + " in " + status));
    }
}

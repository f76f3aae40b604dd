package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import jbox.it.RuncBundle.Both;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "A config runc runs, jbox runs the same way": the same bundle run by runc and by jbox in one test
 * run, starting from the config `runc spec` writes, and the workload's view of itself compared.
 * Cgroups live in this test's own sub-tree (/jbox-conformance-it-PID), removed afterwards.
 */
class OciConformanceIT {
    private static final String CGROUP_PARENT = "jbox-conformance-it-" + ProcessHandle.current().pid();
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
        dir = Files.createTempDirectory("jbox-conformance-it");
        RuncBundle.copyRootfs(dir);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        Jbox.host("rm", "-rf", "--one-file-system", dir.toString());
        RuncBundle.removeCgroups(CGROUP_PARENT);
    }

    /** A bundle with runc's own default config.json (`runc spec`), changed by {@code edit}, running {@code script}. */
    private static Path bundle(String name, String script, Consumer<ObjectNode> edit) throws Exception {
        return RuncBundle.write(dir, dir.resolve(name), script, edit);
    }

    /** `runc run` and `jbox run --bundle` of the same bundle, each with a state root of its own. */
    private static Both runBoth(Path bundle, String id) throws Exception {
        return RuncBundle.runBoth(dir, bundle, bundle, id);
    }

    /** runc spec's config raises ambient capabilities it leaves out of the inheritable set: runc ignores that refusal. */
    @Test
    void theConfigRuncSpecWritesRunsAsWithRunc() throws Exception {
        Path b = bundle("default", "grep -E '^Cap(Eff|Bnd|Amb)' /proc/self/status; hostname; id", c -> { });
        Both r = runBoth(b, "default");
        RuncBundle.sameSuccess(r);
        assertTrue(r.jbox().out().contains("CapBnd:\t0000000020000420\n"), r.jbox().out());
    }

    /** exec --user as runc does it: the config's capability sets, as the kernel leaves them for that user. */
    @Test
    void execAsAnotherUserKeepsTheConfigsCapabilitiesAsWithRunc() throws Exception {
        Path b = bundle("exec-user", "sleep 600", c -> { });
        String runc = exec(b, List.of("runc", "--root", dir.resolve("runc-state").toString()), "eu-runc");
        String jbox = exec(b, List.of(Jbox.LAUNCHER.toString(), "--root", dir.resolve("jbox-state").toString()), "eu-jbox");
        assertTrue(runc.contains("CapBnd:\t0000000020000420"), runc);
        assertEquals(runc, jbox);
    }

    /** create (stdio to files: the init keeps them), start, exec -u 1000 grep Cap, delete --force. */
    private static String exec(Path bundle, List<String> runtime, String id) throws Exception {
        List<String> create = new java.util.ArrayList<>(runtime);
        create.addAll(List.of("create", "--bundle", bundle.toString(), id));
        ProcessBuilder pb = Jbox.builder().command(create).redirectOutput(dir.resolve(id + ".out").toFile())
                .redirectError(dir.resolve(id + ".err").toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        assertEquals(0, p.waitFor(), id + " create: " + Files.readString(dir.resolve(id + ".err")));
        try {
            List<String> start = new java.util.ArrayList<>(runtime);
            start.addAll(List.of("start", id));
            assertEquals(0, Jbox.finish(Jbox.builder().command(start).start()).code());
            List<String> exec = new java.util.ArrayList<>(runtime);
            exec.addAll(List.of("exec", "--user", "1000:1000", id, "grep", "^Cap[EPB]", "/proc/self/status"));
            Jbox.Result r = Jbox.finish(Jbox.builder().command(exec).start());
            assertEquals(0, r.code(), id + ": " + r.all());
            return r.out();
        } finally {
            List<String> delete = new java.util.ArrayList<>(runtime);
            delete.addAll(List.of("delete", "--force", id));
            Jbox.finish(Jbox.builder().command(delete).start());
        }
    }

    /** config.md: ociVersion is SemVer; the spec stays compatible within 1.x. Extensibility: unknown properties are ignored. */
    @Test
    void aNewer1xVersionAndUnknownPropertiesRunAsWithRunc() throws Exception {
        Path b = bundle("newer", "echo ok", c -> {
            c.put("ociVersion", "1.3.0");
            c.putObject("org.example.extension").put("enabled", true);
            c.with("process").put("someFutureField", "x");
            c.with("linux").putObject("futureKnob").put("depth", 2);
        });
        RuncBundle.sameSuccess(runBoth(b, "newer"));
    }

    /**
     * A cgroupsPath naming an existing cgroup is joined; the container is in it in every hierarchy
     * the host mounts (name=systemd and the hybrid cgroup2 included); a cgroup mount without a cgroup
     * namespace shows the container's own cgroup (its own memory limit), not the host's root.
     */
    @Test
    void anExistingCgroupsPathIsJoinedInEveryHierarchyAndShownAsTheContainersOwn() throws Exception {
        for (String runtime : List.of("runc", "jbox")) {
            Files.createDirectories(Path.of("/sys/fs/cgroup/pids", CGROUP_PARENT, runtime));
        }
        String script = "sed 's/" + CGROUP_PARENT + "\\/[a-z]*/C/' /proc/self/cgroup;"
                + " cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; ls /sys/fs/cgroup";
        for (String runtime : List.of("runc", "jbox")) {
            Path b = bundle("cgroup-" + runtime, script, c -> {
                c.with("linux").put("cgroupsPath", "/" + CGROUP_PARENT + "/" + runtime);
                c.with("linux").with("resources").putObject("memory").put("limit", 64L << 20);
                c.with("linux").with("resources").putObject("pids").put("limit", 42);
                RuncBundle.mountCgroups(c);
            });
            Jbox.Result r = runtime.equals("runc") ? RuncBundle.runcRun(dir, b, "cg-runc") : RuncBundle.jboxRun(dir, b, "cg-jbox");
            assertEquals(0, r.code(), runtime + ": " + r.all());
            String out = r.out();
            assertTrue(out.contains("67108864\n42\n"), runtime + " shows the container's own limits: " + out);
            for (String line : out.lines().filter(l -> l.matches("\\d+:.*")).toList()) {
                assertTrue(line.endsWith(":/C"), runtime + " joins every hierarchy: " + out);
            }
            assertTrue(out.contains("systemd\n") || !Files.isDirectory(Path.of("/sys/fs/cgroup/systemd")), out);
            if (runtime.equals("jbox")) {
                assertFalse(Files.exists(Path.of("/sys/fs/cgroup/memory", CGROUP_PARENT, "jbox")), "the leaf goes at delete");
            }
        }
    }
}

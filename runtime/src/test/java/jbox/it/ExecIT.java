package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jbox exec: a process in all the namespaces of a running container, as confined as its init. */
class ExecIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    private static String[] start(String name, String... extra) throws Exception {
        String[] args = new String[7 + extra.length];
        System.arraycopy(new String[] {"run", "-d", "--rm", "--name", name, "--hostname", "exhost"}, 0, args, 0, 7);
        System.arraycopy(extra, 0, args, 7, extra.length);
        Jbox.Result r = Jbox.run(args);
        assertEquals(0, r.code(), r.all());
        return new String[] {r.out().trim()};
    }

    @Test
    void execJoinsEveryNamespaceOfTheContainer() throws Exception {
        String name = Containers.uniqueName("exec");
        start(name, "-e", "FROM_RUN=1", Jbox.IMAGE, "sleep", "60");
        JsonNode s = Containers.awaitRunning(name);
        long init = s.path("pid").asLong();
        StringBuilder cmd = new StringBuilder("echo $$; hostname; echo $FROM_RUN; ps -o pid= | wc -l;");
        List<String> types = List.of("cgroup", "ipc", "mnt", "net", "pid", "user", "uts");
        for (String t : types) {
            cmd.append("readlink /proc/self/ns/").append(t).append(';');
        }
        Jbox.Result r = Jbox.run("exec", name, "sh", "-c", cmd.toString());
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        assertTrue(Integer.parseInt(lines.get(0)) > 1, "not PID 1, but inside the PID namespace: " + lines.get(0));
        assertEquals("exhost", lines.get(1));
        assertEquals("1", lines.get(2), "the init's environment");
        assertTrue(Integer.parseInt(lines.get(3).trim()) <= 4, "only the container's processes: " + r.out());
        for (int i = 0; i < types.size(); i++) {
            String initNs = Files.readSymbolicLink(Path.of("/proc/" + init + "/ns/" + types.get(i))).toString();
            assertEquals(initNs, lines.get(4 + i), types.get(i));
        }
        Jbox.run("kill", name);
    }

    @Test
    void exitCodesUserWorkdirAndEnvironment() throws Exception {
        String name = Containers.uniqueName("exec2");
        start(name, Jbox.IMAGE, "sleep", "60");
        Containers.awaitRunning(name);
        assertEquals(7, Jbox.run("exec", name, "sh", "-c", "exit 7").code());
        assertEquals("1000 1001\n", Jbox.run("exec", "-u", "1000:1001", name, "sh", "-c", "echo $(id -u) $(id -g)").out());
        assertEquals("/tmp\n", Jbox.run("exec", "-w", "/tmp", name, "pwd").out());
        assertEquals("v\n", Jbox.run("exec", "-e", "K=v", name, "sh", "-c", "echo $K").out());
        Jbox.Result missing = Jbox.run("exec", name, "no-such-command");
        assertEquals(127, missing.code(), missing.all());
        Jbox.run("kill", name);
    }

    @Test
    void execIsAsConfinedAsTheInit() throws Exception {
        String name = Containers.uniqueName("exec3");
        start(name, Jbox.PROBE_IMAGE, "sleep", "60");
        Containers.awaitRunning(name);
        Jbox.Result r = Jbox.run("exec", name, "sh", "-c",
                "grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; /bin/jbox-probe try keyctl mount");
        assertEquals(List.of("CapBnd:\t" + SecurityIT.DEFAULT_CAPS, "NoNewPrivs:\t1", "Seccomp:\t2", "keyctl EPERM", "mount EPERM"),
                r.out().lines().toList(), r.all());
        Jbox.run("kill", name);
    }

    /**
     * exec used to rebuild the process from the init's /proc status: the default filter whenever
     * the init had one, no rlimits, root in "/". A stricter profile than the default (mkdir denied:
     * the default allows it) and --ulimit were lost for everything exec'd.
     */
    @Test
    void execKeepsTheContainersOwnSeccompProfileRlimitsUserAndWorkdir(@TempDir Path dir) throws Exception {
        Path profile = dir.resolve("no-mkdir.json");
        Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
                """);
        String name = Containers.uniqueName("exec5");
        start(name, "--security-opt", "seccomp=" + profile, "--ulimit", "nofile=100:100", "-u", "1000:1000", "-w", "/tmp",
                Jbox.IMAGE, "sh", "-c", "if mkdir /tmp/by-init; then echo made; else echo denied; fi >/tmp/init-mkdir; exec sleep 60");
        Containers.awaitRunning(name);
        String initSaw = "";
        for (long deadline = System.nanoTime() + 60_000_000_000L; initSaw.isEmpty() && System.nanoTime() < deadline; ) {
            initSaw = Jbox.run("exec", name, "cat", "/tmp/init-mkdir").out().trim();
        }
        assertEquals("denied", initSaw, "the workload runs under the profile");
        Jbox.Result r = Jbox.run("exec", name, "sh", "-c",
                "if mkdir /tmp/by-exec; then echo made; else echo denied; fi; ulimit -n; id -u; pwd");
        assertEquals(List.of("denied", "100", "1000", "/tmp"), r.out().lines().toList(), r.all());
        Jbox.Result asRoot = Jbox.run("exec", "-u", "0", "-w", "/", name, "sh", "-c",
                "if mkdir /by-root; then echo made; else echo denied; fi; ulimit -n; id -u; pwd");
        assertEquals(List.of("denied", "100", "0", "/"), asRoot.out().lines().toList(), "-u and -w over the container's: "
                + asRoot.all());
        Jbox.run("kill", name);
    }

    @Test
    void execIntoAStoppedOrUnknownContainerFailsClearly() throws Exception {
        String name = Containers.uniqueName("exec4");
        assertEquals(0, Jbox.run("run", "--name", name, Jbox.IMAGE, "true").code());
        Jbox.Result r = Jbox.run("exec", name, "true");
        assertEquals(125, r.code());
        assertEquals("jbox: container " + name + " is not running\n", r.err());
        assertEquals(0, Jbox.run("rm", name).code());
        Jbox.Result unknown = Jbox.run("exec", "nope-" + name, "true");
        assertEquals(125, unknown.code());
        assertTrue(unknown.err().contains("no such container"), unknown.all());
    }
}

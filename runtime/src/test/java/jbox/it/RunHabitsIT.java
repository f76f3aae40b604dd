package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a docker or podman user reaches for on `run`, on the real kernel: -t with a pipe, names in
 * -u, -w that does not exist yet, --entrypoint, --env-file, -l, --add-host/--dns, --shm-size,
 * --device, --privileged, and how a run stopped by a limit says so (issue 16).
 */
class RunHabitsIT {
    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @Test
    void itWithAPipeIsRefusedAndTWithAPipeEndsWhenTimeoutSignalsJbox() throws Exception {
        Jbox.Result it = Jbox.runWithInput("x\n", "run", "--rm", "-it", Jbox.IMAGE, "sh");
        assertEquals(125, it.code(), it.all());
        assertEquals("jbox: the input device is not a TTY: -it needs a terminal on stdin (drop -t to pipe input)\n", it.err());

        // cat (PID 1, no handler) ignores the SIGTERM jbox forwards; timeout.grace (2s) later it is killed.
        ProcessBuilder pb = Jbox.builder("run", "--rm", "-t", Jbox.IMAGE, "cat");
        List<String> cmd = new ArrayList<>(List.of("timeout", "2"));
        cmd.addAll(pb.command());
        pb.command(cmd);
        Process p = pb.start();
        p.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertTrue(ended, "jbox run -t outlived timeout");
        assertEquals(124, p.exitValue());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertFalse(out.contains("hi"), "-t without -i attaches no pipe to the terminal, as docker: " + out);
    }

    @Test
    void userAndGroupNamesComeFromTheImage() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "-u", "nobody", Jbox.IMAGE, "sh", "-c", "id; echo $HOME");
        assertEquals("uid=65534(nobody) gid=65534(nogroup)\n/nonexistent\n", r.out(), r.all());
        r = Jbox.run("run", "--rm", "-u", "nobody:tty", "--group-add", "root", Jbox.IMAGE, "id");
        assertEquals("uid=65534(nobody) gid=5(tty) groups=0(root)\n", r.out(), r.all());
        r = Jbox.run("run", "--rm", "-u", "nosuch", Jbox.IMAGE, "id");
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: unable to find user nosuch: no matching entries in the image's /etc/passwd\n", r.err());
    }

    @Test
    void aMissingWorkdirIsMadeForTheUser() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "-u", "nobody", "-w", "/data/sub", Jbox.IMAGE,
                "sh", "-c", "pwd; stat -c '%u:%g %a' /data /data/sub /; touch mine");
        assertEquals(0, r.code(), r.all());
        assertEquals("/data/sub\n65534:65534 755\n65534:65534 755\n0:0 755\n", r.out(), "the image's / is left alone");
    }

    @Test
    void entrypointReplacesOrClears() throws Exception {
        assertEquals("a b\n", Jbox.run("run", "--rm", "--entrypoint", "/bin/echo", Jbox.IMAGE, "a", "b").out());
        assertEquals("x\n", Jbox.run("run", "--rm", "--entrypoint", "", Jbox.IMAGE, "echo", "x").out());
        Jbox.Result none = Jbox.run("run", "--rm", "--entrypoint=", Jbox.IMAGE);
        assertEquals(125, none.code(), none.all());
    }

    @Test
    void envFileIsTheCallersAndMinusEWins() throws Exception {
        Files.writeString(tmp.resolve("app.env"), "# settings\nA=from file\nB=file\nC\n");
        ProcessBuilder pb = Jbox.builder("run", "--rm", "--env-file", "app.env", "-e", "B=flag", Jbox.IMAGE,
                "sh", "-c", "echo \"$A|$B|$C\"");
        pb.directory(tmp.toFile());
        pb.environment().put("C", "caller's");
        Jbox.Result r = Jbox.finish(pb.start());
        assertEquals("from file|flag|caller's\n", r.out(), r.all());
    }

    @Test
    void labelsAreKeptInTheRecord() throws Exception {
        String name = Containers.uniqueName("labels");
        Jbox.Result d = Jbox.run("run", "-d", "--name", name, "-l", "team=web", "-l", "tier", Jbox.IMAGE, "sleep", "60");
        assertEquals(0, d.code(), d.all());
        try {
            // docker's place for them: Config.Labels
            JsonNode ann = new ObjectMapper().readTree(Jbox.run("inspect", name).out()).path(0).path("Config").path("Labels");
            assertEquals("web", ann.path("team").asText(), ann.toString());
            assertTrue(ann.path("tier").isTextual(), ann.toString());
            assertEquals("", ann.path("tier").asText(), ann.toString());
        } finally {
            Jbox.run("rm", "-f", name);
        }
    }

    @Test
    void addHostDnsAndShmSize() throws Exception {
        // grep -w: the container's own line names its short id, whose hex may hold "db"
        Jbox.Result r = Jbox.run("run", "--rm", "--add-host", "db:10.1.2.3", "--dns", "192.0.2.53", "--shm-size", "16m",
                Jbox.IMAGE, "sh", "-c", "grep -w db /etc/hosts; grep nameserver /etc/resolv.conf; df -k /dev/shm | tail -1");
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("10.1.2.3\tdb", "nameserver 192.0.2.53"), lines.subList(0, 2), r.all());
        assertTrue(lines.get(2).matches("shm\\s+16384\\s.*"), r.all());
    }

    @Test
    void theRunHabitsStayWhenANamedVolumeIsResolved() throws Exception {
        // Resolving -v NAME:/path (or :U) rebuilt the options without them: the entrypoint was lost.
        String volume = Containers.uniqueName("habitvol");
        try {
            Jbox.Result r = Jbox.run("run", "--rm", "--entrypoint", "/bin/echo", "-v", volume + ":/data", Jbox.IMAGE, "hi");
            assertEquals(0, r.code(), r.all());
            assertEquals("hi\n", r.out(), r.all());
        } finally {
            Jbox.run("volume", "rm", volume);
        }
    }

    @Test
    void addHostAndDnsStayAcrossAStart() throws Exception {
        String name = Containers.uniqueName("extras");
        Jbox.Result r = Jbox.run("run", "--name", name, "--add-host", "db:10.1.2.3", "--add-host", "v6:fd00::7",
                "--dns", "192.0.2.53", Jbox.IMAGE, "sh", "-c", "grep -w -e db -e v6 /etc/hosts; grep nameserver /etc/resolv.conf");
        try {
            assertEquals(0, r.code(), r.all());
            String first = r.out();
            assertEquals(List.of("10.1.2.3\tdb", "fd00::7\tv6", "nameserver 192.0.2.53"), first.lines().toList(), r.all());
            Jbox.Result again = Jbox.run("start", "-a", name);
            assertEquals(0, again.code(), again.all());
            assertEquals(first, again.out(), "the files are made anew on a start, from what run was given");
        } finally {
            Jbox.run("rm", "-f", name);
        }
    }

    @Test
    void aDeviceIsUsableAndNarrowPermissionsAreTheCgroupsRules() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--device", "/dev/null:/dev/mynull", Jbox.IMAGE,
                "sh", "-c", "echo x > /dev/mynull && echo written");
        assertEquals("written\n", r.out(), r.all());
        String name = Containers.uniqueName("device");
        Jbox.Result d = Jbox.run("run", "-d", "--name", name, "--device", "/dev/kmsg:/dev/k:r", Jbox.IMAGE, "sleep", "60");
        assertEquals(0, d.code(), d.all());
        try {
            String id = Containers.awaitRunning(name).path("id").asText();
            Path list = Path.of("/sys/fs/cgroup/devices/jbox", id, "devices.list");
            if (Files.exists(Path.of("/sys/fs/cgroup/devices"))) { // cgroup v1; v2 has no file to read the rules from
                List<String> rules = Files.readAllLines(list);
                assertTrue(rules.contains("c 1:11 r"), "kmsg read-only: " + rules);
                assertFalse(rules.contains("a *:* rwm"), "every other device denied: " + rules);
                assertTrue(rules.contains("c 1:3 rwm"), "jbox's default nodes stay: " + rules);
            }
        } finally {
            Jbox.run("rm", "-f", name);
        }
    }

    @Test
    void privilegedTurnsTheProtectionsOff() throws Exception {
        String probe = "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status; grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1;"
                + " test -c /dev/kmsg && echo kmsg";
        Jbox.Result plain = Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c", probe);
        assertTrue(plain.out().contains("NoNewPrivs:\t1") && plain.out().contains("Seccomp:\t2") && plain.out().contains("\nro\n"),
                plain.all());
        assertFalse(plain.out().contains("kmsg"), plain.all());
        Jbox.Result p = Jbox.run("run", "--rm", "--privileged", Jbox.IMAGE, "sh", "-c", probe);
        assertEquals(0, p.code(), p.all());
        assertTrue(p.out().contains("CapEff:\t000001ffffffffff") || p.out().matches("(?s).*CapEff:\t0000003fffffffff.*"), p.all());
        assertTrue(p.out().contains("NoNewPrivs:\t0") && p.out().contains("Seccomp:\t0"), p.all());
        assertTrue(p.out().contains("\nrw\n") && p.out().contains("kmsg"), p.all());
    }

    @Test
    void aLimitThatStopsTheRunSaysSoOnStderr() throws Exception {
        Jbox.Result oom = Jbox.run("run", "--rm", "-m", "16m", "--memory-swap", "16m", Jbox.IMAGE,
                "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived");
        assertEquals(137, oom.code(), oom.all());
        assertTrue(oom.err().contains("jbox: container was killed: out of memory (memory limit 16 MiB)\n")
                || oom.err().contains("jbox: out of memory: the kernel killed"), oom.all());
        Jbox.Result timeout = Jbox.run("run", "--rm", "--timeout", "1s", Jbox.IMAGE, "sleep", "30");
        assertEquals("jbox: container stopped: --timeout 1s reached\n", timeout.err(), timeout.all());
    }

    @Test
    void aForkBombThatExitsZeroReportsExitedWithThePidsLimitAsAnEvent() throws Exception {
        Path report = tmp.resolve("r.json");
        Jbox.Result r = Jbox.run("run", "--rm", "--pids-limit", "8", "--report", report.toString(), Jbox.IMAGE,
                "sh", "-c", "sh -c 'for i in $(seq 20); do sleep 5 & done' 2>/dev/null; exit 0");
        assertEquals(0, r.code(), r.all());
        JsonNode j = new ObjectMapper().readTree(report.toFile());
        assertEquals("exited", j.path("reason").asText(), j.toString());
        assertEquals(0, j.path("exitCode").asInt());
        assertEquals("[\"pids_limit_hit\"]", j.path("events").toString());
        assertEquals("", r.err(), "a clean exit needs no note");
    }

    @Test
    void anUnwritableReportFailsBeforeTheContainerRuns() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Jbox.Result r = Jbox.run("run", "--rm", "-v", out + ":/out", "--report", tmp.resolve("no/dir/r.json").toString(),
                Jbox.IMAGE, "touch", "/out/ran");
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: cannot write the run report " + tmp.resolve("no/dir/r.json") + ": no such file or directory\n", r.err());
        assertFalse(Files.exists(out.resolve("ran")), "the container must not have run");
    }
}

package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containment with real cgroups (v1 on this host) and the run report: each limit is hit for real
 * and the report names it. Cgroups live under jbox/ID and must be gone afterwards.
 */
class LimitsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
        assertNoJboxCgroups();
    }

    private JsonNode report(Path file) throws Exception {
        return JSON.readTree(file.toFile());
    }

    @Test
    void aForkBombStopsAtThePidsLimitAndTheHostStaysResponsive() throws Exception {
        Path rep = tmp.resolve("bomb.json");
        long t0 = System.nanoTime();
        Jbox.Result r = Jbox.run("run", "--rm", "--pids-limit", "20", "--timeout", "5s", "--report", rep.toString(),
                Jbox.IMAGE, "sh", "-c", "bomb() { bomb | bomb & }; bomb; sleep 2; echo still-here");
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "took too long");
        assertEquals("0\n", Jbox.host("sh", "-c", "echo $((1-1))"), "the host can still fork");
        JsonNode j = report(rep);
        assertTrue(j.path("pidsLimitHits").asLong() > 0, j.toString() + "\n" + r.all());
    }

    @Test
    void aMemoryHogIsOomKilledAndReportedSo() throws Exception {
        Path rep = tmp.resolve("oom.json");
        Jbox.Result r = Jbox.run("run", "--rm", "--memory", "32m", "--memory-swap", "32m", "--report", rep.toString(),
                Jbox.IMAGE, "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived");
        assertEquals(137, r.code(), r.all());
        JsonNode j = report(rep);
        assertEquals("oom_killed", j.path("reason").asText(), j.toString());
        assertTrue(j.path("oomKills").asLong() >= 1, j.toString());
        assertTrue(j.path("peakMemoryBytes").asLong() <= 32L << 20, j.toString());
    }

    @Test
    void aBusyLoopEndsAtTheTimeoutAndIsReportedSo() throws Exception {
        Path rep = tmp.resolve("timeout.json");
        long t0 = System.nanoTime();
        Jbox.Result r = Jbox.run("run", "--rm", "--timeout", "1s", "--report", rep.toString(),
                Jbox.IMAGE, "sh", "-c", "while :; do :; done");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // PID 1 ignores SIGTERM, so the SIGKILL after the grace (timeout.grace, 2 s) ends it
        assertEquals(137, r.code(), r.all());
        // at least the timeout; the upper bound only tells "ended by the timeout" from "never ended", so it
        // is far above timeout + grace + a slow machine's JVM and container start
        assertTrue(ms >= 1000 && ms < 60_000, ms + " ms");
        assertEquals("timeout", report(rep).path("reason").asText());
    }

    @Test
    void cpuTimeLimitIsReportedAsCpuLimit() throws Exception {
        Path rep = tmp.resolve("cpu.json");
        Jbox.Result r = Jbox.run("run", "--rm", "--cpu-time", "1", "--report", rep.toString(),
                Jbox.IMAGE, "sh", "-c", "while :; do :; done");
        assertEquals(137, r.code(), r.all());
        JsonNode j = report(rep);
        assertEquals("cpu_limit", j.path("reason").asText(), j.toString());
        assertTrue(j.path("cpuUserMs").asDouble() + j.path("cpuSystemMs").asDouble() >= 900, j.toString());
    }

    @Test
    void theReportCountsSyscallsTheFilterDenied() throws Exception {
        Path rep = tmp.resolve("seccomp.json");
        Jbox.Result r = Jbox.run("run", "--rm", "--report", rep.toString(), Jbox.PROBE_IMAGE,
                "/bin/jbox-probe", "try", "keyctl", "keyctl", "mount");
        assertEquals(0, r.code(), r.all());
        JsonNode d = report(rep).path("deniedSyscalls");
        assertEquals(2, d.path("keyctl").asInt(), d.toString());
        assertEquals(1, d.path("mount").asInt(), d.toString());
    }

    @Test
    void aFailedStartIsReportedWithItsStepAndErrno() throws Exception {
        Path rep = tmp.resolve("failed.json");
        Jbox.Result r = Jbox.run("run", "--rm", "-w", "/etc/passwd", "--report", rep.toString(), Jbox.IMAGE, "true");
        assertEquals(125, r.code(), r.all());
        JsonNode j = report(rep);
        assertEquals("setup_failed", j.path("reason").asText());
        assertEquals("create working directory /etc/passwd", j.path("failedStep").asText());
        assertEquals("ENOTDIR", j.path("errno").asText());
        Jbox.run("run", "--rm", "--report", rep.toString(), Jbox.IMAGE, "no-such-tool");
        assertEquals("not_found", report(rep).path("reason").asText());
    }

    @Test
    void theContainerSeesItsOwnCgroupAsRootAndTheLimitsInIt() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--memory", "64m", "--pids-limit", "33", "--cpus", "0.5", Jbox.IMAGE, "sh", "-c",
                "grep -E ':(memory|pids):' /proc/self/cgroup");
        assertEquals(List.of("4:memory:/", "8:pids:/").size(), r.out().lines().count(), r.all());
        for (String line : r.out().lines().toList()) {
            assertTrue(line.endsWith(":/"), "not the cgroup namespace's root: " + line);
        }
    }

    @Test
    void sandboxPresetIsTight() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--sandbox", Jbox.IMAGE, "sh", "-c",
                "grep CapEff /proc/self/status; ls /sys/class/net; touch /root/x 2>&1; touch /tmp/ok && echo tmp-writable; ulimit -n; ulimit -f");
        List<String> lines = r.out().lines().toList();
        assertEquals("CapEff:\t0000000000000000", lines.get(0), r.all());
        assertEquals("lo", lines.get(1), "no network but loopback: " + r.all());
        assertTrue(lines.get(2).contains("Read-only file system"), r.all());
        assertEquals("tmp-writable", lines.get(3));
        assertEquals("256", lines.get(4));
        assertEquals(String.valueOf((64L << 20) / 512), lines.get(5), "ulimit -f counts 512-byte blocks");
    }

    @Test
    void aDetachedContainersReportIsInInspect() throws Exception {
        String name = Containers.uniqueName("detoom");
        Jbox.run("run", "-d", "--name", name, "--memory", "32m", "--memory-swap", "32m", Jbox.PROBE_IMAGE, "sh", "-c",
                "/bin/jbox-probe try keyctl >/dev/null; x=$(head -c 200000000 /dev/zero | tr '\\0' a)");
        assertEquals("137\n", Jbox.run("wait", name).out());
        JsonNode inspected = JSON.readTree(Jbox.run("inspect", name).out()).get(0);
        assertTrue(inspected.path("State").path("OOMKilled").asBoolean(), inspected.toString());
        JsonNode report = inspected.path("Report");
        assertEquals("oom_killed", report.path("reason").asText(), report.toString());
        assertEquals(1, report.path("deniedSyscalls").path("keyctl").asInt(), report.toString());
        assertTrue(report.path("wallTimeMs").asDouble() > 0, report.toString());
        Jbox.run("rm", name);
    }

    static void assertNoJboxCgroups() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : s.toList()) {
                Path j = h.resolve("jbox");
                assertFalse(Files.exists(j) && Files.list(j).anyMatch(Files::isDirectory), "cgroup left under " + j);
            }
        }
    }
}

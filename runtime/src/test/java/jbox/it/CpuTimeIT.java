package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --cpu-time is the container's budget, not each process's: RLIMIT_CPU alone let four busy
 * children use about four times the limit.
 */
class CpuTimeIT {
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
    }

    /** jbox with a cgroup parent of this test's own: no other test's clean-up can take its cgroup. */
    private Jbox.Result run(String... args) throws Exception {
        Path config = Jbox.configWith(tmp, "cgroup.parent=jbox-it-cpu-" + ProcessHandle.current().pid());
        ProcessBuilder pb = Jbox.builder(args);
        pb.environment().put("JBOX_CONFIG", config.toString());
        return Jbox.finish(pb.start());
    }

    @Test
    void fourBusyChildrenShareOneCpuTimeLimit() throws Exception {
        Path rep = tmp.resolve("cpu.json");
        Jbox.Result r = run("run", "--rm", "--cpu-time", "1s", "--report", rep.toString(), Jbox.IMAGE,
                "sh", "-c", "for i in 1 2 3 4; do (while :; do :; done) & done; wait");
        assertEquals(137, r.code(), r.all());
        JsonNode j = JSON.readTree(rep.toFile());
        assertEquals("cpu_limit", j.path("reason").asText(), j.toString());
        // The cgroup's figures: every process of the container. The watch reads them every
        // cpu_time.poll (100 ms) on 2 cores, so the overrun stays far below 4 x 1 s.
        double cpuMs = j.path("cpuUserMs").asDouble() + j.path("cpuSystemMs").asDouble();
        assertTrue(cpuMs >= 1000 && cpuMs < 2500, cpuMs + " ms of CPU: " + j);
    }

    @Test
    void cpuTimeNeedsAWaitingJbox() throws Exception {
        Jbox.Result r = Jbox.run("run", "-d", "--cpu-time", "1s", Jbox.IMAGE, "true");
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: --cpu-time needs jbox to wait: it does not work with --detach yet\n", r.err(), r.all());
    }
}

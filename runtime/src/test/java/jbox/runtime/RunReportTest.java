package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.cgroup.CgroupUsage;
import jbox.spec.ContainerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run ended: the report's reason agrees with its exit, and a limit that ended it is said on stderr. */
class RunReportTest {
    @TempDir
    Path dir;

    private static final int KILLED = 9; // wait status of a SIGKILLed process

    static ContainerRunner.Outcome outcome(int waitStatus, boolean timedOut) {
        return new ContainerRunner.Outcome(waitStatus, 0, 0, 0, timedOut, Map.of());
    }

    static ContainerSpec spec(Long memoryLimit) {
        return new ContainerSpec(ContainerSpec.OCI_VERSION,
                new ContainerSpec.Process(false, new ContainerSpec.User(0, 0, null), List.of("sh"), List.of(), "/"),
                new ContainerSpec.Root("/", false), "h", List.of(),
                new ContainerSpec.Linux(List.of(), null, null,
                        memoryLimit == null ? null : new ContainerSpec.Resources(new ContainerSpec.Memory(memoryLimit, null), null, null),
                        null, null, null, null), Map.of());
    }

    static CgroupUsage usage(long oomKills, long pidsHits) {
        return new CgroupUsage(0, oomKills, pidsHits, 0, 0);
    }

    @Test
    void aCleanExitIsExitedAndTheLimitsItMetAreEvents() {
        assertEquals("exited", RunReport.reason(outcome(0, false), spec(null), usage(0, 3)), "fork bomb, exit 0");
        assertEquals(List.of("pids_limit_hit"), RunReport.events(usage(0, 3)));
        assertEquals("pids_limit_hit", RunReport.reason(outcome(2 << 8, false), spec(null), usage(0, 3)), "exit 2: the limit is why");
        assertEquals("exited", RunReport.reason(outcome(0, false), spec(null), usage(1, 0)), "a child OOM-killed, exit 0");
        assertEquals("oom_killed", RunReport.reason(outcome(KILLED, false), spec(null), usage(1, 0)));
        assertEquals(List.of("oom_kill", "pids_limit_hit"), RunReport.events(usage(1, 1)));
        assertEquals("timeout", RunReport.reason(outcome(0, true), spec(null), usage(0, 0)), "stopped by --timeout, whatever its status");
    }

    @Test
    void aLimitThatEndedTheRunIsOneLine() {
        assertEquals("container was killed: out of memory (memory limit 64 MiB)",
                RunReport.stopNote(outcome(KILLED, false), spec(64L << 20), usage(1, 0), false, null, null));
        assertEquals("out of memory: the kernel killed 2 process(es) of the container (memory limit 1.5 GiB)",
                RunReport.stopNote(outcome(1 << 8, false), spec(3L << 29), usage(2, 0), false, null, null));
        assertEquals("container stopped: --timeout 2s reached",
                RunReport.stopNote(outcome(KILLED, true), spec(null), null, false, "2s", null));
        assertEquals("container stopped: its CPU time limit of 5s was used up",
                RunReport.stopNote(outcome(KILLED, false), spec(null), null, true, null, "5"));
        assertNull(RunReport.stopNote(outcome(0, false), spec(null), usage(0, 4), false, null, null), "exit 0 needs no words");
        assertNull(RunReport.stopNote(outcome(15, false), spec(null), usage(0, 0), false, null, null), "a plain signal");
    }

    @Test
    void anUnwritableReportIsRefusedBeforeTheRunAndLeavesNothing() throws Exception {
        JboxException e = assertThrows(JboxException.class, () -> RunReport.checkWritable(dir.resolve("no/such/r.json")));
        assertEquals("cannot write the run report " + dir.resolve("no/such/r.json") + ": no such file or directory", e.getMessage());
        assertThrows(JboxException.class, () -> RunReport.checkWritable(dir));
        RunReport.checkWritable(dir.resolve("r.json"));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the probe leaves no file");
        }
        assertFalse(Files.exists(dir.resolve("r.json")));
    }
}

package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.config.Config;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import jbox.state.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill and forced removal of recorded containers, with real processes standing in for their inits
 * (no cgroup recorded: the init alone): the recorded one gets its signal, a pid that names another
 * process now (reused, or a state.json someone edited) never does.
 */
class ContainerStopTest {
    @TempDir
    Path tmp;
    private StateStore store;
    private ContainerStop stop;

    @BeforeEach
    void setUp() throws Exception {
        store = StateStore.ofOci(tmp.resolve("root"));
        stop = new ContainerStop(store, new ContainerCgroups(Config.load(null)));
    }

    private static ContainerRecord recorded(Process p, long startTimeDelta) {
        return ContainerRecord.ofBundle("c", "/b", null).withRunning(p.pid(), ProcFile.startTime(p.pid()) + startTimeDelta, 0, 0);
    }

    @Test
    void theRecordedInitGetsTheSignal() throws Exception {
        Process p = new ProcessBuilder("sleep", "1000").start();
        try {
            ContainerRecord s = recorded(p, 0);
            assertEquals(Status.RUNNING, stop.status(s));
            stop.kill(s, "TERM", true); // --all without a cgroup: the init alone
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(143, p.exitValue());
            JboxException e = assertThrows(JboxException.class, () -> stop.kill(s, "TERM", false));
            assertEquals("cannot kill container c: it is stopped", e.getMessage());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aReusedPidIsNeitherKilledNorForceKilled() throws Exception {
        Process victim = new ProcessBuilder("sleep", "1000").start();
        try {
            ContainerRecord s = recorded(victim, -1); // what a reused pid looks like: another process's start time
            assertEquals(Status.STOPPED, stop.status(s));
            assertThrows(JboxException.class, () -> stop.kill(s, "KILL", false));
            stop.forceKill(s, Status.RUNNING); // as if the status had been read a moment before the pid was reused
            assertTrue(victim.isAlive(), "a process that is not the container's was signalled");
        } finally {
            victim.destroyForcibly().waitFor();
        }
    }

    @Test
    void aForcedRemovalKillsTheInitAndWaitsForIt() throws Exception {
        Process p = new ProcessBuilder("sleep", "1000").start();
        try {
            ContainerRecord s = recorded(p, 0);
            stop.forceKill(s, stop.status(s));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "SIGKILL");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}

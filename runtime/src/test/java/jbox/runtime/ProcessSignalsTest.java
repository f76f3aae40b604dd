package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import jbox.JboxException;
import jbox.ProcFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Signals to real child processes, through a pidfd and through the kill(2) fallback. */
class ProcessSignalsTest {
    private static Process sleeper() throws Exception {
        return new ProcessBuilder("sleep", "1000").start();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aRecordedProcessGetsItsSignal(boolean pidfd) throws Exception {
        ProcessSignals.usePidfd = pidfd;
        Process p = sleeper();
        try {
            ProcessSignals.sendRecorded(p.pid(), ProcFile.startTime(p.pid()), "SIGTERM");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(143, p.exitValue(), "killed by TERM");
        } finally {
            p.destroyForcibly();
            ProcessSignals.usePidfd = true;
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aPidWhoseStartTimeDiffersIsNeverSignalled(boolean pidfd) throws Exception {
        ProcessSignals.usePidfd = pidfd;
        Process p = sleeper();
        try {
            long other = ProcFile.startTime(p.pid()) - 1; // what a reused pid looks like: another process's start
            JboxException e = assertThrows(JboxException.class, () -> ProcessSignals.sendRecorded(p.pid(), other, "KILL"));
            assertTrue(e.getMessage().contains("is no longer the recorded process"), e.getMessage());
            assertTrue(p.isAlive());
            assertThrows(JboxException.class, () -> ProcessSignals.sendRecorded(p.pid(), 0, "KILL"), "nothing recorded");
            assertTrue(p.isAlive());
        } finally {
            p.destroyForcibly().waitFor();
            ProcessSignals.usePidfd = true;
        }
    }

    @Test
    void anExitedProcessIsNoLongerTheRecordedOne() throws Exception {
        Process p = new ProcessBuilder("true").start();
        long start = ProcFile.startTime(p.pid());
        p.waitFor();
        assertThrows(JboxException.class, () -> ProcessSignals.sendRecorded(p.pid(), start, "TERM"));
        ProcessSignals.send(List.of(p.pid()), "TERM"); // pids read from a cgroup may be gone: no error
    }

    @Test
    void signalNamesAndNumbers() throws Exception {
        assertEquals(15, ProcessSignals.number("TERM"));
        assertEquals(15, ProcessSignals.number("sigterm"));
        assertEquals(9, ProcessSignals.number("9"));
        assertEquals(10, ProcessSignals.number("SIGUSR1"));
        assertEquals(28, ProcessSignals.number("WINCH"));
        assertEquals(36, ProcessSignals.number("RTMIN+2"));
        assertEquals(63, ProcessSignals.number("SIGRTMAX-1"));
        for (String bad : List.of("NOPE", "0", "65", "", "TERM;rm")) {
            JboxException e = assertThrows(JboxException.class, () -> ProcessSignals.number(bad));
            assertEquals("invalid signal " + bad, e.getMessage());
        }
    }
}

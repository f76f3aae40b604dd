package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import jbox.Operation;
import jbox.process.Plan;
import jbox.process.Protocol;
import org.junit.jupiter.api.Test;

/** FAILED(step index, errno, exit status) from the shim becomes one precise message; the exit status is the shim's. */
class StepFailureTest {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int E2BIG = 7;
    static final int ENOEXEC = 8;
    static final int EACCES = 13;
    static final int EBUSY = 16;

    static Plan plan(String cmd) {
        return new Plan()
                .add(Protocol.OP_SETSID, "start a new session")
                .mount("proc", "/r/proc", "proc", 14, "", "mount proc on /proc")
                .mkdir("/r/data", 0755, "create mountpoint /data")
                .exec(List.of(cmd, "-x"), List.of("PATH=/bin"), "exec " + cmd);
    }

    @Test
    void aCommandNotFoundOnThePathIs127() {
        JboxException e = StartFailures.stepFailure(plan("nosuchcmd"), 3, ENOENT, 127);
        assertEquals(JboxException.NOT_FOUND, e.exitCode());
        assertEquals("exec \"nosuchcmd\" failed: executable file not found in $PATH", e.getMessage());
    }

    @Test
    void aMissingPathIs127WithNoSuchFile() {
        JboxException e = StartFailures.stepFailure(plan("/bin/nope"), 3, ENOENT, 127);
        assertEquals(127, e.exitCode());
        assertEquals("exec \"/bin/nope\" failed: no such file or directory", e.getMessage());
        assertEquals(127, StartFailures.stepFailure(plan("./run.sh"), 3, ENOENT, 127).exitCode());
    }

    @Test
    void aCommandThatCannotBeExecutedIs126() {
        JboxException e = StartFailures.stepFailure(plan("/etc/passwd"), 3, EACCES, 126);
        assertEquals(JboxException.NOT_EXECUTABLE, e.exitCode());
        assertEquals("exec \"/etc/passwd\" failed: permission denied (EACCES)", e.getMessage());
        assertEquals(126, StartFailures.stepFailure(plan("/bin/x"), 3, ENOEXEC, 126).exitCode());
    }

    @Test
    void otherExecErrorsAre125WithTheStepDescription() {
        JboxException e = StartFailures.stepFailure(plan("sh"), 3, E2BIG, 125);
        assertEquals(JboxException.FAILED, e.exitCode());
        assertEquals("exec sh failed: argument list too long (E2BIG)", e.getMessage());
    }

    @Test
    void setupStepsAre125WithTheirDescriptionAndErrno() {
        JboxException e = StartFailures.stepFailure(plan("sh"), 2, EACCES, 125);
        assertEquals(125, e.exitCode());
        assertEquals("create mountpoint /data failed: permission denied (EACCES)", e.getMessage());
    }

    @Test
    void aNonExecEnoentIsNotMistakenForAMissingCommand() {
        JboxException e = StartFailures.stepFailure(plan("sh"), 2, ENOENT, 125);
        assertEquals(125, e.exitCode());
        assertEquals("create mountpoint /data failed: no such file or directory (ENOENT)", e.getMessage());
    }

    @Test
    void mountFailuresCarryAHint() {
        JboxException e = StartFailures.stepFailure(plan("sh"), 1, EPERM, 125);
        assertTrue(e.getMessage().startsWith("mount proc on /proc failed: operation not permitted (EPERM); "),
                e.getMessage());
        assertTrue(StartFailures.stepFailure(plan("sh"), 1, EBUSY, 125).getMessage().contains("still mounted"));
    }

    @Test
    void theHintFollowsTheStepsCallNotItsWords() {
        // A bind mount named "mask ...": the bind-mount hint for EACCES, though no word says "bind-mount".
        Plan masked = new Plan()
                .add(Protocol.OP_MOUNT | Protocol.OPTIONAL_STEP, "mask /proc/kcore", "/dev/null", "/r/proc/kcore", "", 4096L, "")
                .mount("", "/r/x", "", 4096L | 32L, "", "bind-mount again with new flags")
                .mkdir("/r/mount", 0755, "mount point /mount");
        JboxException bind = StartFailures.stepFailure(masked, 0, EACCES, 125);
        assertEquals(Operation.BIND_MOUNT, bind.operation());
        assertEquals(EACCES, bind.errno());
        assertTrue(bind.getMessage().startsWith("mask /proc/kcore failed: permission denied (EACCES); "
                + "the container's root is an unprivileged host user"), bind.getMessage());
        // A remount (MS_BIND | MS_REMOUNT) is a mount, not a bind of a host path: no EACCES hint.
        assertEquals("bind-mount again with new flags failed: permission denied (EACCES)",
                StartFailures.stepFailure(masked, 1, EACCES, 125).getMessage());
        // A mkdir whose words begin with "mount" gets no mount hint.
        assertEquals("mount point /mount failed: operation not permitted (EPERM)",
                StartFailures.stepFailure(masked, 2, EPERM, 125).getMessage());
    }

    @Test
    void anUnknownStepIndexIsReportedAsSuch() {
        JboxException e = StartFailures.stepFailure(plan("sh"), 7, ENOEXEC, 125);
        assertEquals(125, e.exitCode());
        assertEquals("the container init failed at step 7 of 4: exec format error (ENOEXEC)", e.getMessage());
    }

    @Test
    void anUnknownErrnoIsShownByNumber() {
        JboxException e = StartFailures.stepFailure(plan("sh"), 0, 999, 125);
        assertEquals("start a new session failed: errno 999", e.getMessage());
    }
}

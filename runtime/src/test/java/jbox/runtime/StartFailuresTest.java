package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import jbox.process.Plan;
import jbox.process.Protocol;
import jbox.process.ShimMessage;
import org.junit.jupiter.api.Test;

/** The shim's own steps (before the init exists) get their words here; the exit status stays the shim's. */
class StartFailuresTest {
    static final int ENOENT = 2;
    static final int EAGAIN = 11;
    static final int EPERM = 1;
    static final int ECONNREFUSED = 111;
    static final int EPROTO = 71;
    static final int EMFILE = 24;

    static final Plan PLAN = StepFailureTest.plan("sh");
    static final CloneRequest OCI = CloneRequest.clone(0, List.of("/proc/9/ns/ipc")).withRecord(Path.of("/run/jbox/c1"))
            .handedOver("/run/jbox-oci/c1/exec.fifo", "/tmp/console.sock");

    static JboxException words(long step, int errno) {
        return new StartFailures(PLAN, "CLONE_NEWPID", List.of("the ipc namespace /proc/9/ns/ipc"), OCI)
                .describe(new ShimMessage.Failed(step, errno, 125));
    }

    @Test
    void preCloneFailuresNameTheirStepAndPath() {
        assertEquals("connecting to the console socket /tmp/console.sock failed: connection refused (ECONNREFUSED)",
                words(Protocol.STEP_CONSOLE, ECONNREFUSED).getMessage());
        assertEquals("making the start FIFO /run/jbox-oci/c1/exec.fifo failed: no such file or directory (ENOENT)",
                words(Protocol.STEP_START_FIFO, ENOENT).getMessage());
        assertEquals("taking the monitor lock /run/jbox/c1/monitor.lock (is another shim monitoring this container?) failed:"
                + " resource temporarily unavailable (EAGAIN)", words(Protocol.STEP_MONITOR_LOCK, EAGAIN).getMessage());
        assertEquals("joining the ipc namespace /proc/9/ns/ipc failed: operation not permitted (EPERM)",
                words(Protocol.STEP_JOIN, EPERM).getMessage());
        assertEquals("setting up the shim's signal handling (sigprocmask, signalfd) failed: too many open files (EMFILE)",
                words(Protocol.STEP_SIGNALFD, EMFILE).getMessage());
        assertEquals("making the shim's socketpair to the container init failed: too many open files (EMFILE)",
                words(Protocol.STEP_SOCKETPAIR, EMFILE).getMessage());
        assertEquals(125, words(Protocol.STEP_CONSOLE, ECONNREFUSED).exitCode());
        CloneRequest logged = CloneRequest.clone(0, List.of()).withOutputLog(Path.of("/var/lib/jbox/containers/c1/stdio.log"));
        assertEquals("opening the output log /var/lib/jbox/containers/c1/stdio.log (or its pipes) failed: too many open files (EMFILE)",
                new StartFailures(PLAN, "CLONE_NEWPID", List.of(), logged).describe(new ShimMessage.Failed(Protocol.STEP_LOG, EMFILE, 125))
                        .getMessage());
    }

    @Test
    void aMalformedFrameIsAProtocolErrorNotAStart() {
        assertEquals("shim protocol error: the container init sent a malformed message (protocol error (EPROTO))",
                words(Protocol.STEP_PROTOCOL, EPROTO).getMessage());
    }

    @Test
    void theRunReportGetsTheFailingStep() {
        StartFailures f = new StartFailures(PLAN, "CLONE_NEWPID", List.of(), OCI);
        f.describe(new ShimMessage.Failed(1, EPERM, 125));
        assertEquals(new StartFailures.Summary("mount proc on /proc", "EPERM"), f.summary());
        f.describe(new ShimMessage.Failed(Protocol.STEP_CLONE, EPERM, 125));
        assertEquals(new StartFailures.Summary("clone", "EPERM"), f.summary());
    }

    @Test
    void theExitStatusIsTheShimsNotReguessedFromTheErrno() {
        // The shim said 125 for an EXEC ENOENT (e.g. an old rule): Java does not turn it into 127.
        JboxException e = new StartFailures(PLAN, "", List.of(), OCI).describe(new ShimMessage.Failed(3, ENOENT, 125));
        assertEquals(125, e.exitCode());
        assertEquals(127, new StartFailures(PLAN, "", List.of(), OCI).describe(new ShimMessage.Failed(3, ENOENT, 127)).exitCode());
    }
}

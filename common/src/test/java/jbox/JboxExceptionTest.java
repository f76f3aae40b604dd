package jbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import jbox.io.IoReason;
import org.junit.jupiter.api.Test;

/** The one error type: its message from its fields, its hint from (operation, errno). */
class JboxExceptionTest {

    @Test
    void theMessageIsWhatThenTheErrnosWordsThenTheHint() {
        JboxException e = JboxException.builder("clone(user, pid) failed").operation(Operation.CLONE).errno(Errno.EPERM).build();
        assertEquals("clone(user, pid) failed: operation not permitted (EPERM); are user namespaces allowed?"
                + " check /proc/sys/user/max_user_namespaces (jbox doctor)", e.getMessage());
        assertEquals(Operation.CLONE, e.operation());
        assertEquals(Errno.EPERM, e.errno());
        assertEquals(JboxException.FAILED, e.exitCode());
    }

    @Test
    void theHintDependsOnTheOperationNotOnTheWords() {
        // Same words, same errno: only the operation decides.
        assertEquals("mount x failed: device or resource busy (EBUSY); something is still mounted there",
                JboxException.builder("mount x failed").operation(Operation.MOUNT).errno(Errno.EBUSY).build().getMessage());
        assertEquals("mount x failed: device or resource busy (EBUSY)",
                JboxException.builder("mount x failed").errno(Errno.EBUSY).build().getMessage());
        assertEquals("mount x failed: device or resource busy (EBUSY)",
                JboxException.builder("mount x failed").operation(Operation.CLONE).errno(Errno.EBUSY).build().getMessage());
    }

    @Test
    void aGivenReasonReplacesTheErrnosWordsAndKeepsTheHint() {
        JboxException e = JboxException.builder("cannot write +cpu to /sys/fs/cgroup/a/cgroup.subtree_control")
                .operation(Operation.DELEGATE_CONTROLLERS).errno(Errno.EBUSY).reason("device or resource busy")
                .path("/sys/fs/cgroup/a/cgroup.subtree_control").build();
        assertEquals("cannot write +cpu to /sys/fs/cgroup/a/cgroup.subtree_control: device or resource busy;"
                + " processes in that cgroup itself keep it from delegating controllers"
                + " (cgroup v2's no-internal-processes rule)", e.getMessage());
        assertEquals(List.of("/sys/fs/cgroup/a/cgroup.subtree_control"), e.paths());
    }

    @Test
    void theFieldsAreOptional() {
        IOException cause = new IOException("x");
        JboxException e = new JboxException("no such image: busybox", cause);
        assertNull(e.operation());
        assertEquals(0, e.errno());
        assertEquals(List.of(), e.paths());
        assertSame(cause, e.getCause());
        assertEquals("exec \"x\" failed: no such file or directory",
                JboxException.builder("exec \"x\" failed").reason("no such file or directory").exitCode(127).build().getMessage());
    }

    @Test
    void aMessageIsOneLineWhateverItEmbeds() {
        String m = new JboxException("refused entry a\nb\rc").getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), m);
        assertEquals("refused entry a b c", m);
    }

    @Test
    void theErrnoOfAFileErrorIsRecoveredFromTheJdksWords() {
        assertEquals(Errno.ENOENT, IoReason.errno(new NoSuchFileException("/x")));
        assertEquals(Errno.EBUSY, IoReason.errno(new FileSystemException("/x", null, "Device or resource busy")));
        assertEquals(Errno.ENOSPC, IoReason.errno(new IOException("No space left on device")));
        assertEquals(0, IoReason.errno(new IOException("something else")));
        assertEquals(0, Errno.fromText(null));
    }
}

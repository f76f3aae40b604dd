package jbox.process;

import static jbox.process.PlanBuilderTest.indexOfWhat;
import static jbox.process.PlanBuilderTest.what;
import static jbox.process.PlanBuilderTest.whats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import jbox.spec.ContainerSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** linux.devices as plan steps: mknod without a user namespace, the host's node bound inside one, as runc. */
class PlanBuilderDevicesTest {
    @TempDir
    Path tmp;
    TestSpecs s;

    @BeforeEach
    void setUp() throws IOException {
        s = new TestSpecs(tmp);
        s.mount("/dev", "tmpfs", "tmpfs", "mode=755");
    }

    private ContainerSpec with(boolean userns, ContainerSpec.Device... devices) {
        if (!userns) {
            s.namespaces.remove("user");
        }
        ContainerSpec spec = s.build();
        ContainerSpec.Linux l = spec.linux();
        List<ContainerSpec.IdMapping> maps = userns ? List.of(new ContainerSpec.IdMapping(0, 100000, 65536)) : null;
        return new ContainerSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), spec.mounts(),
                new ContainerSpec.Linux(l.namespaces(), maps, maps, null, null, null, null, null, null, null,
                        List.of(devices)), spec.annotations(), spec.hooks());
    }

    @Test
    void withoutAUserNamespaceTheNodeIsMadeWithTheConfigsModeAndOwnerBeforePivotRoot() throws JboxException {
        Plan p = PlanBuilder.build(with(false,
                new ContainerSpec.Device("/dev/fuse", "c", 10L, 229L, 0640, 1000L, 100L),
                new ContainerSpec.Device("/dev/sub/loopx", "b", 7L, 200L, null, null, null),
                new ContainerSpec.Device("/dev/myfifo", "p", null, null, null, null, null)));
        Plan.Step fuse = what(p, "create device /dev/fuse (c 10:229)");
        assertEquals(Protocol.OP_MKNOD, fuse.op());
        assertEquals(List.of(s.merged + "/dev/fuse", 0020640L, 10L, 229L, 1000L, 100L), fuse.args());
        assertEquals(List.of(s.merged + "/dev/sub/loopx", 0060666L, 7L, 200L, 0L, 0L),
                what(p, "create device /dev/sub/loopx (b 7:200)").args(), "runc's defaults: 0666, root");
        assertEquals(List.of(s.merged + "/dev/myfifo", 0010666L, 0L, 0L, 0L, 0L), what(p, "create device /dev/myfifo (p fifo)").args());
        int sub = indexOfWhat(p, "create directory /dev/sub for device /dev/sub/loopx");
        assertTrue(indexOfWhat(p, "mount tmpfs on /dev") < sub && sub < indexOfWhat(p, "create device /dev/sub/loopx (b 7:200)"));
        assertTrue(indexOfWhat(p, "create device /dev/myfifo (p fifo)") < indexOfWhat(p, "pivot_root into " + s.merged));
    }

    @Test
    void inAUserNamespaceTheHostsNodeIsBound() throws JboxException {
        Plan p = PlanBuilder.build(with(true, new ContainerSpec.Device("/dev/null", "c", 1L, 3L, 0600, null, null)));
        Plan.Step bind = what(p, "bind-mount the host's /dev/null on /dev/null");
        assertEquals(List.of("/dev/null", s.merged + "/dev/null", "", MountOptions.MS_BIND, ""), bind.args());
        assertEquals(1, whats(p).stream().filter(w -> w.contains("/dev/null on /dev/null")).count(),
                "the config's node replaces jbox's default one: " + whats(p));
        assertTrue(PlanBuilderTest.ops(p, Protocol.OP_MKNOD).isEmpty());
    }

    @Test
    void inAUserNamespaceANodeTheHostLacksIsRefusedByName() {
        JboxException e = assertThrows(JboxException.class, () -> PlanBuilder.build(with(true,
                new ContainerSpec.Device("/dev/jbox-no-such-node", "c", 10L, 229L, null, null, null))));
        assertEquals("config.json: linux.devices[0]: /dev/jbox-no-such-node does not exist on the host (in a user"
                + " namespace mknod is refused and the host's node is bind-mounted, as runc does)", e.getMessage());
    }

    @Test
    void aRelativePathIsUnderTheRootAndPtmxIsLeftToThePtsInstance() throws JboxException {
        Plan p = PlanBuilder.build(with(false, new ContainerSpec.Device("dev/fuse", "c", 10L, 229L, null, null, null),
                new ContainerSpec.Device("/dev/ptmx", "c", 5L, 2L, null, null, null)));
        assertEquals(s.merged + "/dev/fuse", what(p, "create device /dev/fuse (c 10:229)").args().get(0));
        assertFalse(whats(p).stream().anyMatch(w -> w.startsWith("create device /dev/ptmx")), whats(p).toString());
    }

    @Test
    void aBoundDevGetsNoNodes() throws JboxException {
        s.mounts.clear();
        s.mount("/dev", "bind", "/dev", "rbind");
        Plan p = PlanBuilder.build(with(false, new ContainerSpec.Device("/dev/fuse", "c", 10L, 229L, null, null, null)));
        assertTrue(PlanBuilderTest.ops(p, Protocol.OP_MKNOD).isEmpty(), "runc creates none when /dev is bound");
    }
}

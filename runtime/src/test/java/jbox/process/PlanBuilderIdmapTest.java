package jbox.process;

import static jbox.process.PlanBuilderTest.indexOfWhat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import jbox.Operation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An idmap/ridmap bind becomes a MSG_IDMAP for the shim and an OP_MOVE_MOUNT at its place in the plan. */
class PlanBuilderIdmapTest {
    @TempDir
    Path tmp;
    TestSpecs s;

    @BeforeEach
    void setUp() throws IOException {
        s = new TestSpecs(tmp);
    }

    @Test
    void aRecursiveIdmapIsMovedIntoPlaceAndRemountedWithItsFlags() throws JboxException, IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        s.mount("/a", "bind", a.toString(), "rbind", "nosuid", "ridmap");
        s.mount("/b", "bind", b.toString(), "bind", "idmap");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(List.of(new Plan.Idmap(a.toString(), true), new Plan.Idmap(b.toString(), false)), p.idmaps());
        int i = indexOfWhat(p, "idmap-mount " + a + " on /a");
        Plan.Step move = p.steps().get(i);
        assertEquals(Protocol.OP_MOVE_MOUNT, move.op());
        assertEquals(List.of(0L, s.merged.resolve("a").toString()), move.args());
        assertEquals(Operation.IDMAP_MOUNT, move.operation());
        assertEquals("remount /a rbind,nosuid,ridmap", p.steps().get(i + 1).what());
        assertEquals(List.of(1L, s.merged.resolve("b").toString()), p.steps().get(indexOfWhat(p, "idmap-mount " + b + " on /b")).args());
        assertTrue(p.steps().stream().noneMatch(st -> st.what().startsWith("bind-mount " + a)), "no plain bind as well");
    }

    @Test
    void theShimsMessageIsFlagsThenTheNulTerminatedPath() {
        ByteBuffer b = ByteBuffer.wrap(new Plan.Idmap("/srv/x", true).encode()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(MountOptions.AT_RECURSIVE, b.getInt());
        byte[] rest = new byte[b.remaining()];
        b.get(rest);
        assertEquals("/srv/x\0", new String(rest, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(0, ByteBuffer.wrap(new Plan.Idmap("/y", false).encode()).order(ByteOrder.LITTLE_ENDIAN).getInt());
    }

    @Test
    void idmapNeedsAUserNamespaceAndABind() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        s.namespaces.remove("user");
        s.mount("/a", "bind", a.toString(), "rbind", "idmap");
        JboxException e = assertThrows(JboxException.class, () -> PlanBuilder.build(s.build()));
        assertTrue(e.getMessage().contains("an idmapped mount needs a user namespace"), e.getMessage());
        s.namespaces.add("user");
        s.mounts.clear();
        s.mount("/t", "tmpfs", "tmpfs", "idmap");
        e = assertThrows(JboxException.class, () -> PlanBuilder.build(s.build()));
        assertEquals("mount on /t: idmap needs a bind mount, not type tmpfs", e.getMessage());
    }

    @Test
    void moreIdmapsThanTheShimTakesAreRefusedBeforeAnyStarts() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        for (int i = 0; i <= Protocol.MAX_MOUNT_FDS; i++) {
            s.mount("/m" + i, "bind", a.toString(), "rbind", "ridmap");
        }
        JboxException e = assertThrows(JboxException.class, () -> PlanBuilder.build(s.build()));
        assertTrue(e.getMessage().startsWith("too many idmapped mounts: at most 64"), e.getMessage());
    }
}

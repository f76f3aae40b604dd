package jbox.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plan.encode() produces exactly the bytes protocol.h describes and steps.c decodes. */
class PlanEncodeTest {

    @Test
    void emptyPlanIsJustAZeroCount() {
        assertArrayEquals(new byte[] {0, 0, 0, 0}, new Plan().encode());
    }

    @Test
    void headerFieldsAreLittleEndianU32() {
        byte[] b = new Plan().add(Protocol.OP_EXEC, "x", 0x01020304L).encode();
        // count = 1, op = 10, argc = 1, arg length = 8
        assertArrayEquals(new byte[] {1, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0},
                Arrays.copyOfRange(b, 0, 16));
        assertArrayEquals(new byte[] {4, 3, 2, 1, 0, 0, 0, 0}, Arrays.copyOfRange(b, 16, 24));
        assertEquals(24, b.length);
    }

    @Test
    void opsAndArgcAreEncodedPerStepInOrder() {
        Plan p = new Plan()
                .add(Protocol.OP_SETSID, "start a new session")
                .add(Protocol.OP_SETHOSTNAME, "set hostname h", "h")
                .mkdir("/r/proc", 0755, "create mountpoint /proc")
                .mount("proc", "/r/proc", "proc", 14, "", "mount proc on /proc");
        List<PlanDecoder.Step> steps = PlanDecoder.decode(p.encode());
        assertEquals(List.of(Protocol.OP_SETSID, Protocol.OP_SETHOSTNAME, Protocol.OP_MKDIR, Protocol.OP_MOUNT),
                steps.stream().map(PlanDecoder.Step::op).toList());
        assertEquals(List.of(0, 1, 2, 5), steps.stream().map(s -> s.args().size()).toList());
    }

    @Test
    void stringsCarryTheirTerminatingNul() {
        PlanDecoder.Step s = PlanDecoder.decode(new Plan().symlink("pts/ptmx", "/r/dev/ptmx", "x").encode()).get(0);
        assertArrayEquals("pts/ptmx\0".getBytes(), s.args().get(0));
        assertEquals("/r/dev/ptmx", s.string(1));
    }

    @Test
    void emptyStringIsASingleNulNotZeroBytes() {
        // steps.c's str() rejects a zero-length argument: "" must be sent as one NUL byte.
        PlanDecoder.Step s = PlanDecoder.decode(new Plan().mount("", "/", "", 0, "", "x").encode()).get(0);
        assertArrayEquals(new byte[] {0}, s.args().get(0));
        assertArrayEquals(new byte[] {0}, s.args().get(2));
        assertArrayEquals(new byte[] {0}, s.args().get(4));
    }

    @Test
    void stringsAreUtf8AndTheLengthCountsBytesNotChars() {
        PlanDecoder.Step s = PlanDecoder.decode(new Plan().add(Protocol.OP_CHDIR, "x", "/caf\u00e9").encode()).get(0);
        assertEquals(7, s.args().get(0).length); // "/caf" + 2-byte é + NUL
        assertEquals("/caf\u00e9", s.string(0));
    }

    @Test
    void longsAreEightBytesLittleEndian() {
        PlanDecoder.Step s = PlanDecoder.decode(new Plan()
                .add(Protocol.OP_SETID, "x", 0x0102030405060708L, -1L, 1L << 40).encode()).get(0);
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, s.args().get(0));
        assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}, s.args().get(1));
        assertEquals(1L << 40, s.u64(2));
    }

    @Test
    void mountArgsAreSourceTargetTypeFlagsData() {
        PlanDecoder.Step s = PlanDecoder.decode(new Plan()
                .mount("tmpfs", "/r/dev", "tmpfs", MountOptions.MS_NOSUID | MountOptions.MS_STRICTATIME, "mode=755", "x")
                .encode()).get(0);
        assertEquals(Protocol.OP_MOUNT, s.op());
        assertEquals("tmpfs", s.string(0));
        assertEquals("/r/dev", s.string(1));
        assertEquals("tmpfs", s.string(2));
        assertEquals(MountOptions.MS_NOSUID | MountOptions.MS_STRICTATIME, s.u64(3));
        assertEquals("mode=755", s.string(4));
    }

    @Test
    void execSendsArgcFirstThenArgvThenEnv() {
        Plan p = new Plan().exec(List.of("sh", "-c", "echo hi"), List.of("PATH=/bin", "A=b"), "exec sh");
        PlanDecoder.Step s = PlanDecoder.decode(p.encode()).get(0);
        assertEquals(Protocol.OP_EXEC, s.op());
        assertEquals(6, s.args().size());
        assertEquals(3, s.u64(0));
        assertEquals(List.of("sh", "-c", "echo hi", "PATH=/bin", "A=b"),
                List.of(s.string(1), s.string(2), s.string(3), s.string(4), s.string(5)));
    }

    @Test
    void execWithEmptyEnvHasOnlyArgcAndArgv() {
        PlanDecoder.Step s = PlanDecoder.decode(new Plan().exec(List.of("true"), List.of(), "x").encode()).get(0);
        assertEquals(2, s.args().size());
        assertEquals(1, s.u64(0));
        assertEquals("true", s.string(1));
    }

    @Test
    void argumentsOtherThanStringOrLongAreRefused() {
        // An int (0755 instead of 0755L) would otherwise be silently mis-encoded.
        assertThrows(IllegalArgumentException.class, () -> new Plan().add(Protocol.OP_MKDIR, "x", "/a", 0755));
        assertThrows(IllegalArgumentException.class, () -> new Plan().add(Protocol.OP_CHDIR, "x", (Object) null));
    }

    @Test
    void stepLookupByIndexIsBoundsChecked() {
        Plan p = new Plan().add(Protocol.OP_SETSID, "a").add(Protocol.OP_CHDIR, "b", "/");
        assertSame(p.steps().get(1), p.step(1));
        assertEquals("b", p.step(1).what());
        assertNull(p.step(2));
        assertNull(p.step(-1));
        assertNull(p.step(Protocol.STEP_CLONE));
    }

    @Test
    void stepsViewIsReadOnly() {
        Plan p = new Plan().add(Protocol.OP_SETSID, "a");
        assertThrows(UnsupportedOperationException.class, () -> p.steps().clear());
    }
}

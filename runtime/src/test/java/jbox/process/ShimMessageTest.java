package jbox.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** Each frame decodes once into its own type; a payload of the wrong size is refused. */
class ShimMessageTest {
    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void everyMessageTheShimSendsDecodesToItsType() throws JboxException {
        assertEquals(new ShimMessage.Pid(0xfffffffeL, 7), ShimMessage.decode(Protocol.MSG_PID, le(8).putInt(-2).putInt(7).flip()));
        assertEquals(new ShimMessage.Failed(Protocol.STEP_CONSOLE, 111, 125),
                ShimMessage.decode(Protocol.MSG_FAILED, le(12).putInt((int) Protocol.STEP_CONSOLE).putInt(111).putInt(125).flip()));
        assertEquals(new ShimMessage.Denied(Map.of(165, 3L, 2, 1L)),
                ShimMessage.decode(Protocol.MSG_DENIED, le(16).putInt(165).putInt(3).putInt(2).putInt(1).flip()));
        assertEquals(new ShimMessage.Exited(0x0900, 10, 20, 30),
                ShimMessage.decode(Protocol.MSG_EXITED, le(32).putInt(0x0900).putInt(0).putLong(10).putLong(20).putLong(30).flip()));
        assertEquals(new ShimMessage.Started(), ShimMessage.decode(Protocol.MSG_STARTED, le(0)));
        assertEquals(new ShimMessage.Created(), ShimMessage.decode(Protocol.MSG_CREATED, le(0)));
    }

    @Test
    void aPayloadOfTheWrongSizeIsRefused() {
        assertEquals("shim protocol error: a malformed FAILED of 8 bytes",
                assertThrows(JboxException.class, () -> ShimMessage.decode(Protocol.MSG_FAILED, le(8))).getMessage());
        assertThrows(JboxException.class, () -> ShimMessage.decode(Protocol.MSG_PID, le(4)));
        assertThrows(JboxException.class, () -> ShimMessage.decode(Protocol.MSG_STARTED, le(1)));
        assertThrows(JboxException.class, () -> ShimMessage.decode(Protocol.MSG_DENIED, le(12)));
        assertThrows(JboxException.class, () -> ShimMessage.decode(Protocol.MSG_DENIED, le(0)));
        assertThrows(JboxException.class, () -> ShimMessage.decode(Protocol.MSG_EXITED, le(24)));
    }

    @Test
    void messagesTheJvmNeverReceivesAreProtocolErrors() {
        for (int type : new int[] {Protocol.MSG_CLONE, Protocol.MSG_PLAN, Protocol.MSG_SIGNAL, Protocol.MSG_NOTIFY_FD,
            Protocol.MSG_PTY_FD, 99}) {
            assertThrows(JboxException.class, () -> ShimMessage.decode(type, le(0)), Protocol.messageName(type));
        }
    }

    @Test
    void namesAreTheProtocolsNames() {
        for (Class<?> c : ShimMessage.class.getPermittedSubclasses()) {
            @SuppressWarnings("unchecked")
            Class<? extends ShimMessage> m = (Class<? extends ShimMessage>) c;
            String name = ShimMessage.name(m);
            int type;
            try {
                type = Protocol.class.getField("MSG_" + name).getInt(null);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("no MSG_" + name + " in Protocol", e);
            }
            assertEquals(name, Protocol.messageName(type));
        }
    }
}

package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jbox.JboxException;
import jbox.process.Protocol;
import org.junit.jupiter.api.Test;

/** MSG_CLONE's payload as protocol.h describes it. */
class CloneRequestTest {
    @Test
    void withoutAJoinItIsFlagsAndZeroOptions() throws JboxException {
        byte[] b = ContainerRunner.cloneRequest(0x7c020000L, null);
        assertArrayEquals(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7c020000).putInt(0).array(), b);
    }

    @Test
    void aJoinAddsTheOptionAndTheNulTerminatedPath() throws JboxException {
        byte[] b = ContainerRunner.cloneRequest(0x3c020000L, "/proc/42/ns/net");
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x3c020000, bb.getInt());
        assertEquals(Protocol.SHIM_OPT_JOIN_NETNS, bb.getInt());
        assertEquals("/proc/42/ns/net\0", new String(b, 8, b.length - 8, StandardCharsets.UTF_8));
    }
}

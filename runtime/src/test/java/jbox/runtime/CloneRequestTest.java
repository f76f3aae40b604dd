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
        byte[] b = CloneRequest.clone(0x7c020000L, java.util.List.of()).encode();
        assertArrayEquals(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7c020000).putInt(0).array(), b);
    }

    @Test
    void aJoinAddsTheOptionAndTheNulTerminatedPath() throws JboxException {
        byte[] b = CloneRequest.clone(0x3c020000L, java.util.List.of("/proc/42/ns/net")).encode();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x3c020000, bb.getInt());
        assertEquals(Protocol.SHIM_OPT_JOIN, bb.getInt());
        assertEquals("1\0/proc/42/ns/net\0", new String(b, 8, b.length - 8, StandardCharsets.UTF_8));
    }

    @Test
    void optionsAppearInTheHeadersOrder() throws JboxException {
        byte[] b = CloneRequest.clone(0, java.util.List.of("/a", "/b")).handedOver("/s/exec.fifo", "/c.sock").encode();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.getInt();
        assertEquals(Protocol.SHIM_OPT_JOIN | Protocol.SHIM_OPT_START_FIFO | Protocol.SHIM_OPT_CONSOLE | Protocol.SHIM_OPT_HANDOVER,
                bb.getInt());
        assertEquals("2\0/a\0/b\0/s/exec.fifo\0/c.sock\0", new String(b, 8, b.length - 8, StandardCharsets.UTF_8));
    }

    @Test
    void theAttachSocketComesAfterTheLogAndBeforeTheOnExitCommandAndStdinAddsNoString() throws JboxException {
        byte[] b = CloneRequest.clone(0, java.util.List.of()).withOutputLog(java.nio.file.Path.of("/l"))
                .withAttachSocket(java.nio.file.Path.of("/s/attach.sock")).withOnExit(java.util.List.of("/f", "x"))
                .withOpenStdin().encode();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.getInt();
        assertEquals(Protocol.SHIM_OPT_LOG | Protocol.SHIM_OPT_ATTACH | Protocol.SHIM_OPT_STDIN | Protocol.SHIM_OPT_DETACH
                | Protocol.SHIM_OPT_ON_EXIT,
                bb.getInt());
        assertEquals("/l\0/s/attach.sock\0/f\0x\0", new String(b, 8, b.length - 8, StandardCharsets.UTF_8));
    }

    @Test
    void aStateDirectoryTooLongForASocketGetsNoAttachSocket() {
        assertEquals(java.nio.file.Path.of("/run/jbox/c1/attach.sock"), ContainerRunner.attachSocket(java.nio.file.Path.of("/run/jbox/c1")));
        assertEquals(null, ContainerRunner.attachSocket(java.nio.file.Path.of("/" + "d".repeat(100))));
    }
}

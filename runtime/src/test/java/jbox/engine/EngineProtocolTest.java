package jbox.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The front end's frames as crafted bytes: every limit and shape check fails with one named reason. */
class EngineProtocolTest {
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u32(long v) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        Bytes u16(int v) {
            out.write(v);
            out.write(v >>> 8);
            return this;
        }

        Bytes string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u32(b.length);
            out.writeBytes(b);
            return this;
        }

        Bytes raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static Bytes request(int version, List<String> args, List<String> env) {
        Bytes b = new Bytes().u32(version).u32(0b011).u16(24).u16(80).u32(4242).string("m1-n2-p3-u4-c5").string("/home/u")
                .u32(args.size());
        args.forEach(b::string);
        b.u32(env.size());
        env.forEach(b::string);
        return b;
    }

    private static byte[] frame(int type, byte[] payload) {
        return new Bytes().u32(type).u32(payload.length).raw(payload).bytes();
    }

    private static EngineProtocol.Frame read(byte[] bytes) throws Exception {
        return EngineProtocol.read(new ByteArrayInputStream(bytes));
    }

    private static String malformed(byte[] bytes) {
        return assertThrows(EngineProtocol.Malformed.class, () -> {
            EngineProtocol.Frame f = read(bytes);
            if (f != null && f.type() == EngineProtocol.REQUEST) {
                EngineProtocol.decodeRequest(f.payload());
            }
        }).getMessage();
    }

    @Test
    void aWellFormedRequestDecodesWhole() throws Exception {
        EngineProtocol.Frame f = read(frame(1, request(EngineProtocol.VERSION, List.of("run", "--rm", "bü"), List.of("A=1", "PATH=/bin")).bytes()));
        EngineProtocol.Hello h = EngineProtocol.decodeRequest(f.payload());
        assertEquals(List.of("run", "--rm", "bü"), h.args());
        assertEquals(List.of("A=1", "PATH=/bin"), h.env());
        assertEquals("/home/u", h.cwd());
        assertEquals("m1-n2-p3-u4-c5", h.nsKey());
        assertEquals(4242, h.frontEndPid());
        assertEquals(24, h.rows());
        assertEquals(80, h.cols());
        assertTrue(h.tty(0) && h.tty(1) && !h.tty(2));
    }

    @Test
    void eofBetweenFramesIsTheEndAndInsideOneIsMalformed() throws Exception {
        assertNull(read(new byte[0]));
        assertEquals("a frame header cut after 5 bytes", malformed(new byte[5]));
        assertEquals("SIGNAL cut after 2 of 4 bytes", malformed(new Bytes().u32(3).u32(4).u16(15).bytes()));
    }

    @Test
    void unknownTypesAndOversizedFramesAreRefusedBeforeTheirPayloadIsRead() {
        assertEquals("unknown frame type 99", malformed(frame(99, new byte[0])));
        assertEquals("unknown frame type 101", malformed(frame(101, new byte[0])), "the engine's own types never come in");
        // only the header: a length over the limit is refused without reading (or allocating) the body
        assertEquals("REQUEST of 1048577 bytes (at most 1048576)", malformed(new Bytes().u32(1).u32((1 << 20) + 1).bytes()));
        assertEquals("REQUEST of 4294967295 bytes (at most 1048576)", malformed(new Bytes().u32(1).u32(0xffffffffL).bytes()));
        assertEquals("STDIN of 65537 bytes (at most 65536)", malformed(new Bytes().u32(2).u32(65537).bytes()));
        assertEquals("SIGNAL of 8 bytes (at most 4)", malformed(frame(3, new byte[8])));
        assertEquals("SPAWNED of 2 bytes (expected 4)", malformed(frame(4, new byte[2])));
        assertEquals("CHILD_EXITED of 4 bytes (expected 8)", malformed(frame(6, new byte[4])));
    }

    @Test
    void aRequestsFieldsAreCheckedAgainstTheLimits() {
        assertEquals("REQUEST version 1 (this engine speaks 2)", malformed(frame(1, request(1, List.of(), List.of()).bytes())));
        Map<String, byte[]> cases = Map.of(
                "REQUEST cut in its rows", new Bytes().u32(EngineProtocol.VERSION).u32(0).raw(new byte[1]).bytes(),
                "REQUEST cut in its cwd", new Bytes().u32(EngineProtocol.VERSION).u32(0).u16(0).u16(0).u32(1).string("k").u32(10).raw(new byte[3]).bytes(),
                "REQUEST: argc 4097 (at most 4096)", new Bytes().u32(EngineProtocol.VERSION).u32(0).u16(0).u16(0).u32(1).string("k").string("/")
                        .u32(4097).bytes(),
                "REQUEST: envc 4097 (at most 4096)", new Bytes().u32(EngineProtocol.VERSION).u32(0).u16(0).u16(0).u32(1).string("k").string("/")
                        .u32(0).u32(4097).bytes(),
                "REQUEST: cwd of 262145 bytes (at most 262144)", new Bytes().u32(EngineProtocol.VERSION).u32(0).u16(0).u16(0).u32(1).string("k")
                        .u32(256 * 1024 + 1).bytes(),
                "REQUEST cut in its arg[1]'s length", new Bytes().u32(EngineProtocol.VERSION).u32(0).u16(0).u16(0).u32(1).string("k").string("/").u32(2)
                        .string("a").bytes(),
                "REQUEST: 3 bytes after its last field", request(EngineProtocol.VERSION, List.of("a"), List.of()).raw(new byte[3]).bytes());
        cases.forEach((message, payload) -> assertEquals(message, malformed(frame(1, payload))));
    }

    @Test
    void outgoingFramesHaveTheTableShapes() {
        byte[] exit = EngineProtocol.u32Frame(EngineProtocol.EXIT, 42);
        assertArrayEquals(new Bytes().u32(106).u32(4).u32(42).bytes(), exit);
        byte[] spawn = EngineProtocol.spawn(1, "/log", "/proc/9/fd/3", List.of("/shim", "sock"), List.of("A=1"));
        assertArrayEquals(frame(104, new Bytes().u32(1).string("/log").string("/proc/9/fd/3").u32(2).string("/shim")
                .string("sock").u32(1).string("A=1").bytes()), spawn);
        byte[] data = EngineProtocol.frame(EngineProtocol.STDOUT, "xhiy".getBytes(StandardCharsets.UTF_8), 1, 2);
        assertArrayEquals(frame(101, "hi".getBytes(StandardCharsets.UTF_8)), data);
    }

    @Test
    void theCallersLocaleDecidesTheOutputEncoding() {
        assertEquals(StandardCharsets.UTF_8, Session.charset(Map.of("LANG", "en_US.UTF-8")));
        assertEquals(StandardCharsets.UTF_8, Session.charset(Map.of("LC_ALL", "C.utf8", "LANG", "C")));
        assertEquals(StandardCharsets.US_ASCII, Session.charset(Map.of("LC_ALL", "C", "LANG", "en_US.UTF-8")));
        assertEquals(StandardCharsets.US_ASCII, Session.charset(Map.of()));
        assertEquals(StandardCharsets.ISO_8859_1, Session.charset(Map.of("LANG", "de_DE.ISO-8859-1")));
    }
}

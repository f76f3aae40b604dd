// The frames between the native front end (jbox) and the engine: one table, docs/engine.md's.
package jbox.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames are u32 type, u32 length, then length bytes, little-endian; a string is u32 length and
 * its bytes. Everything from the front end is untrusted: each frame is checked against the limits
 * and its type's exact shape before anything reads it, and a violation is one {@link Malformed}
 * naming what is wrong.
 */
final class EngineProtocol {
    static final int VERSION = 2;

    // front end → engine
    static final int REQUEST = 1;
    static final int STDIN = 2;
    static final int SIGNAL = 3;
    static final int SPAWNED = 4;
    static final int SPAWN_FAILED = 5;
    static final int CHILD_EXITED = 6;
    // engine → front end
    static final int STDOUT = 101;
    static final int STDERR = 102;
    static final int WANT_STDIN = 103;
    static final int SPAWN = 104;
    static final int KILL_CHILD = 105;
    static final int EXIT = 106;
    static final int FALLBACK = 107;

    static final int MAX_FRAME = 1 << 20;
    static final int MAX_ARGS = 4096;
    static final int MAX_ENV = 4096;
    static final int MAX_STRING = 256 * 1024;
    static final int MAX_DATA = 64 * 1024;

    /** SPAWN's modes: the front end's fds 0..2, or detached with output appended to a log. */
    static final int SPAWN_INHERIT = 0;
    static final int SPAWN_DETACHED = 1;

    private EngineProtocol() {
    }

    /** A frame that breaks the protocol; the message says how, in a few lowercase words. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    record Frame(int type, byte[] payload) {
    }

    /** REQUEST's fields. */
    record Hello(int version, int ttys, int rows, int cols, long frontEndPid, String nsKey, String cwd, List<String> args,
            List<String> env) {
        boolean tty(int fd) {
            return (ttys & (1 << fd)) != 0;
        }
    }

    /**
     * The next frame, or null at EOF where a frame would start. EOF inside a frame, an unknown
     * type or a length over the limits is Malformed.
     */
    static Frame read(InputStream in) throws IOException, Malformed {
        byte[] head = new byte[8];
        int n = in.readNBytes(head, 0, 8);
        if (n == 0) {
            return null;
        }
        if (n < 8) {
            throw new Malformed("a frame header cut after " + n + " bytes");
        }
        ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt();
        long length = Integer.toUnsignedLong(h.getInt());
        long max = switch (type) {
            case REQUEST -> MAX_FRAME;
            case STDIN -> MAX_DATA;
            case SIGNAL, SPAWNED, SPAWN_FAILED -> 4;
            case CHILD_EXITED -> 8;
            default -> throw new Malformed("unknown frame type " + Integer.toUnsignedString(type));
        };
        if (length > max) {
            throw new Malformed(name(type) + " of " + length + " bytes (at most " + max + ")");
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new Malformed(name(type) + " cut after " + payload.length + " of " + length + " bytes");
        }
        if ((type == SIGNAL || type == SPAWNED || type == SPAWN_FAILED) && length != 4
                || type == CHILD_EXITED && length != 8) {
            throw new Malformed(name(type) + " of " + length + " bytes (expected " + (type == CHILD_EXITED ? 8 : 4) + ")");
        }
        return new Frame(type, payload);
    }

    /** A REQUEST that starts with a version other than this engine's (one too short to hold it is just malformed). */
    static boolean otherVersion(byte[] payload) {
        return payload.length >= 4 && u32(payload, 0) != VERSION;
    }

    /** REQUEST's payload, checked whole: version, counts and string sizes within the limits, no trailing bytes. */
    static Hello decodeRequest(byte[] payload) throws Malformed {
        Reader r = new Reader(payload, "REQUEST");
        int version = r.u32("version");
        if (version != VERSION) {
            throw new Malformed("REQUEST version " + Integer.toUnsignedString(version) + " (this engine speaks " + VERSION + ")");
        }
        int ttys = r.u32("ttys");
        int rows = r.u16("rows");
        int cols = r.u16("cols");
        long pid = Integer.toUnsignedLong(r.u32("front-end pid"));
        String nsKey = r.string("ns key");
        String cwd = r.string("cwd");
        List<String> args = r.strings("argc", MAX_ARGS);
        List<String> env = r.strings("envc", MAX_ENV);
        r.end();
        return new Hello(version, ttys, rows, cols, pid, nsKey, cwd, args, env);
    }

    static int u32(byte[] payload, int offset) {
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }

    static byte[] frame(int type, byte[] payload, int offset, int length) {
        ByteBuffer b = ByteBuffer.allocate(8 + length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(length).put(payload, offset, length);
        return b.array();
    }

    static byte[] frame(int type, byte[] payload) {
        return frame(type, payload, 0, payload.length);
    }

    static byte[] u32Frame(int type, int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return frame(type, b.array());
    }

    /** SPAWN: mode, log path, argv (argv[0] absolute), env. */
    static byte[] spawn(int mode, String log, String exec, List<String> argv, List<String> env) {
        Writer w = new Writer();
        w.u32(mode).string(log).string(exec).u32(argv.size());
        argv.forEach(w::string);
        w.u32(env.size());
        env.forEach(w::string);
        return frame(SPAWN, w.bytes());
    }

    static String name(int type) {
        return switch (type) {
            case REQUEST -> "REQUEST";
            case STDIN -> "STDIN";
            case SIGNAL -> "SIGNAL";
            case SPAWNED -> "SPAWNED";
            case SPAWN_FAILED -> "SPAWN_FAILED";
            case CHILD_EXITED -> "CHILD_EXITED";
            default -> "frame type " + Integer.toUnsignedString(type);
        };
    }

    /** A bounded cursor over one payload. */
    private static final class Reader {
        private final ByteBuffer b;
        private final String frame;

        Reader(byte[] payload, String frame) {
            this.b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            this.frame = frame;
        }

        int u32(String what) throws Malformed {
            need(4, what);
            return b.getInt();
        }

        int u16(String what) throws Malformed {
            need(2, what);
            return Short.toUnsignedInt(b.getShort());
        }

        String string(String what) throws Malformed {
            long len = Integer.toUnsignedLong(u32(what + "'s length"));
            if (len > MAX_STRING) {
                throw new Malformed(frame + ": " + what + " of " + len + " bytes (at most " + MAX_STRING + ")");
            }
            need((int) len, what);
            byte[] s = new byte[(int) len];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        List<String> strings(String count, int max) throws Malformed {
            long n = Integer.toUnsignedLong(u32(count));
            if (n > max) {
                throw new Malformed(frame + ": " + count + " " + n + " (at most " + max + ")");
            }
            List<String> out = new ArrayList<>((int) n);
            for (int i = 0; i < n; i++) {
                out.add(string(count.substring(0, 3) + "[" + i + "]"));
            }
            return out;
        }

        void end() throws Malformed {
            if (b.hasRemaining()) {
                throw new Malformed(frame + ": " + b.remaining() + " bytes after its last field");
            }
        }

        private void need(int n, String what) throws Malformed {
            if (b.remaining() < n) {
                throw new Malformed(frame + " cut in its " + what);
            }
        }
    }

    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer u32(int v) {
            out.write(v);
            out.write(v >>> 8);
            out.write(v >>> 16);
            out.write(v >>> 24);
            return this;
        }

        Writer string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u32(b.length);
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

}

package jbox.process;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An independent reader of the plan wire format as protocol.h describes it (u32 count, then per
 * step u32 op, u32 argc, argc × (u32 length, bytes)), so tests check Plan.encode() against the
 * format rather than against itself. Fails on trailing or missing bytes, as steps.c does.
 */
final class PlanDecoder {
    record Step(int op, List<byte[]> args) {
        String string(int i) {
            byte[] a = args.get(i);
            if (a.length == 0 || a[a.length - 1] != 0) {
                throw new AssertionError("argument " + i + " of op " + op + " is not NUL-terminated: " + Arrays.toString(a));
            }
            return new String(a, 0, a.length - 1, java.nio.charset.StandardCharsets.UTF_8);
        }

        long u64(int i) {
            byte[] a = args.get(i);
            if (a.length != 8) {
                throw new AssertionError("argument " + i + " of op " + op + " is " + a.length + " bytes, not 8");
            }
            long v = 0;
            for (int b = 7; b >= 0; b--) {
                v = v << 8 | (a[b] & 0xff);
            }
            return v;
        }
    }

    private PlanDecoder() {
    }

    static List<Step> decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long count = u32(b);
        List<Step> steps = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            int op = (int) u32(b);
            long argc = u32(b);
            List<byte[]> args = new ArrayList<>();
            for (long a = 0; a < argc; a++) {
                long len = u32(b);
                if (len > b.remaining()) {
                    throw new AssertionError("argument length " + len + " runs past the end of the plan");
                }
                byte[] arg = new byte[(int) len];
                b.get(arg);
                args.add(arg);
            }
            steps.add(new Step(op, args));
        }
        if (b.hasRemaining()) {
            throw new AssertionError(b.remaining() + " trailing bytes after " + count + " steps");
        }
        return steps;
    }

    private static long u32(ByteBuffer b) {
        if (b.remaining() < 4) {
            throw new AssertionError("plan truncated at byte " + b.position());
        }
        return Integer.toUnsignedLong(b.getInt());
    }
}

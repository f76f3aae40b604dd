package jbox.process;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jbox.JboxException;

/**
 * A message from the shim to the JVM (protocol.h), decoded once into its own type. A payload of
 * the wrong size is refused here, so no caller reads a field that is not there.
 */
public sealed interface ShimMessage {
    /** The container init exists: its pid and the shim's own, as the host sees them. */
    record Pid(long initPid, long shimPid) implements ShimMessage {
    }

    /** The init reached OP_WAIT_START: created, waiting for `jbox start`. */
    record Created() implements ShimMessage {
    }

    /** The workload was execve()d. */
    record Started() implements ShimMessage {
    }

    /**
     * A step failed: a plan index, or one of Protocol.STEP_* for failures outside the plan; the
     * exit status is docker's 125/126/127 as the shim decided it (failure_exit_status in steps.c).
     */
    record Failed(long step, int errno, int exitStatus) implements ShimMessage {
    }

    /** Syscalls the seccomp filter sent to the shim: syscall number to count. */
    record Denied(Map<Integer, Long> counts) implements ShimMessage {
        public Denied {
            counts = Collections.unmodifiableMap(new TreeMap<>(counts));
        }
    }

    /** The init's wait status and wait4's rusage (µs of CPU, KiB of peak RSS). */
    record Exited(int waitStatus, long cpuUserMicros, long cpuSystemMicros, long maxRssKib) implements ShimMessage {
    }

    /** The protocol's name of a message type (PID, FAILED...), for "expected X, got Y". */
    static String name(Class<? extends ShimMessage> type) {
        return type.getSimpleName().toUpperCase(Locale.ROOT);
    }

    default String name() {
        return name(getClass());
    }

    /** Decodes one frame's type and payload (little endian); anything else is a protocol error. */
    static ShimMessage decode(int type, ByteBuffer payload) throws JboxException {
        ByteBuffer p = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int len = p.remaining();
        switch (type) {
            case Protocol.MSG_PID:
                size(type, len, 8);
                return new Pid(Integer.toUnsignedLong(p.getInt(0)), Integer.toUnsignedLong(p.getInt(4)));
            case Protocol.MSG_CREATED:
                size(type, len, 0);
                return new Created();
            case Protocol.MSG_STARTED:
                size(type, len, 0);
                return new Started();
            case Protocol.MSG_FAILED:
                size(type, len, Protocol.FAILED_MSG_LEN);
                return new Failed(Integer.toUnsignedLong(p.getInt(0)), p.getInt(4), p.getInt(8));
            case Protocol.MSG_DENIED:
                if (len == 0 || len % 8 != 0) {
                    throw malformed(type, len);
                }
                Map<Integer, Long> counts = new TreeMap<>();
                for (int off = 0; off < len; off += 8) {
                    counts.put(p.getInt(off), Integer.toUnsignedLong(p.getInt(off + 4)));
                }
                return new Denied(counts);
            case Protocol.MSG_EXITED:
                size(type, len, 32);
                return new Exited(p.getInt(0), p.getLong(8), p.getLong(16), p.getLong(24));
            default:
                throw new JboxException("shim protocol error: " + Protocol.messageName(type)
                        + " is not a message the shim sends to jbox");
        }
    }

    private static void size(int type, int len, int want) throws JboxException {
        if (len != want) {
            throw malformed(type, len);
        }
    }

    private static JboxException malformed(int type, int len) {
        return new JboxException("shim protocol error: a malformed " + Protocol.messageName(type) + " of " + len + " bytes");
    }
}

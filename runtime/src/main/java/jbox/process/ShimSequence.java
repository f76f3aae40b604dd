package jbox.process;

import java.util.Map;
import jbox.JboxException;

/**
 * The order of a container start as the shim reports it, and nothing else (no sockets, no
 * processes: unit-tested with a fake channel). PID comes first; after the plan either STARTED or,
 * when the init waits for `jbox start`, CREATED; then at most one DENIED, only before EXITED. A
 * FAILED where another message was due becomes the step's own error (worded by the caller, who
 * knows the plan), a message out of order is "expected X, got Y", and EOF is an error naming what
 * was awaited, never a silent success.
 */
public final class ShimSequence {
    /** Where messages come from: the shim's socket, or a test's list. */
    public interface Channel {
        /** The next message; EOF or a read error throws, naming {@code awaited}. */
        ShimMessage receive(String awaited) throws JboxException;
    }

    /** Turns a FAILED into the error the user reads: `mount proc on /proc failed: ...`. */
    public interface FailureWords {
        JboxException describe(ShimMessage.Failed failed);
    }

    private enum Phase { CLONE, PLAN, START, RUN, DONE }

    private final Channel channel;
    private final FailureWords words;
    private Phase phase = Phase.CLONE;

    public ShimSequence(Channel channel, FailureWords words) {
        this.channel = channel;
        this.words = words;
    }

    /** The next message, if it is a {@code type}; a FAILED becomes its error; anything else is a protocol error. */
    public static <T extends ShimMessage> T expect(Channel channel, Class<T> type, FailureWords words) throws JboxException {
        ShimMessage m = channel.receive(ShimMessage.name(type));
        if (type.isInstance(m)) {
            return type.cast(m);
        }
        if (m instanceof ShimMessage.Failed f) {
            throw words.describe(f);
        }
        throw unexpected(ShimMessage.name(type), m);
    }

    /** First: the init exists. */
    public ShimMessage.Pid pid() throws JboxException {
        enter(Phase.CLONE, Phase.PLAN);
        return expect(channel, ShimMessage.Pid.class, words);
    }

    /** The plan went to the shim; the next report is how its start ended. */
    public void planSent() {
        enter(Phase.PLAN, Phase.START);
    }

    /**
     * STARTED, or CREATED when {@code created} (create: the init waits for `jbox start`; then the
     * sequence is over, as the shim leaves or keeps the init waiting).
     */
    public ShimMessage start(boolean created) throws JboxException {
        enter(Phase.START, created ? Phase.DONE : Phase.RUN);
        if (!created) {
            return expect(channel, ShimMessage.Started.class, words);
        }
        return expect(channel, ShimMessage.Created.class, words);
    }

    /** The end of a monitored run: EXITED, with the DENIED counts that may precede it. */
    public Ended exit() throws JboxException {
        enter(Phase.RUN, Phase.DONE);
        ShimMessage m = channel.receive("EXITED");
        Map<Integer, Long> denied = Map.of();
        if (m instanceof ShimMessage.Denied d) {
            denied = d.counts();
            m = channel.receive("EXITED");
        }
        if (m instanceof ShimMessage.Exited e) {
            return new Ended(e, denied);
        }
        throw unexpected("EXITED", m);
    }

    /** EXITED and the syscalls denied on the way (empty when none). */
    public record Ended(ShimMessage.Exited exited, Map<Integer, Long> denied) {
    }

    private void enter(Phase from, Phase to) {
        if (phase != from) {
            throw new IllegalStateException("shim sequence: " + to + " asked for in phase " + phase);
        }
        phase = to;
    }

    private static JboxException unexpected(String wanted, ShimMessage got) {
        return new JboxException("shim protocol error: expected " + wanted + ", got " + got.name());
    }
}

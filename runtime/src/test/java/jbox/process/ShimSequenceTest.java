package jbox.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** The order of a start, checked against a fake channel: no shim, no fork. */
class ShimSequenceTest {
    /** Hands out the given messages, then EOF as ShimConnection reports it; records what was awaited. */
    static final class FakeChannel implements ShimSequence.Channel {
        final Deque<ShimMessage> messages;
        final List<String> awaited = new ArrayList<>();

        FakeChannel(ShimMessage... messages) {
            this.messages = new ArrayDeque<>(List.of(messages));
        }

        @Override
        public ShimMessage receive(String what) throws JboxException {
            awaited.add(what);
            if (messages.isEmpty()) {
                throw new JboxException("the shim exited unexpectedly while jbox awaited " + what + " (status 125)");
            }
            return messages.poll();
        }
    }

    static final JboxException STEP_WORDS = new JboxException("mount proc on /proc failed: operation not permitted (EPERM)");
    static final ShimSequence.FailureWords WORDS = f -> STEP_WORDS;

    static final ShimMessage.Pid PID = new ShimMessage.Pid(42, 7);
    static final ShimMessage.Exited EXITED = new ShimMessage.Exited(0x0700, 1, 2, 3);

    @Test
    void aRunIsPidThenStartedThenExited() throws JboxException {
        FakeChannel ch = new FakeChannel(PID, new ShimMessage.Started(), EXITED);
        ShimSequence s = new ShimSequence(ch, WORDS);
        assertEquals(PID, s.pid());
        s.planSent();
        assertInstanceOf(ShimMessage.Started.class, s.start(false));
        ShimSequence.Ended end = s.exit();
        assertEquals(EXITED, end.exited());
        assertEquals(Map.of(), end.denied());
        assertEquals(List.of("PID", "STARTED", "EXITED"), ch.awaited);
    }

    @Test
    void deniedComesOnlyJustBeforeExited() throws JboxException {
        ShimMessage.Denied denied = new ShimMessage.Denied(Map.of(165, 2L));
        ShimSequence s = new ShimSequence(new FakeChannel(PID, new ShimMessage.Started(), denied, EXITED), WORDS);
        s.pid();
        s.planSent();
        s.start(false);
        assertEquals(Map.of(165, 2L), s.exit().denied());

        ShimSequence twice = started(denied, denied, EXITED);
        assertEquals("shim protocol error: expected EXITED, got DENIED",
                assertThrows(JboxException.class, twice::exit).getMessage());

        ShimSequence early = new ShimSequence(new FakeChannel(PID, denied), WORDS);
        early.pid();
        early.planSent();
        assertEquals("shim protocol error: expected STARTED, got DENIED",
                assertThrows(JboxException.class, () -> early.start(false)).getMessage());
    }

    @Test
    void startedOrCreatedBeforePidIsAProtocolError() {
        ShimSequence s = new ShimSequence(new FakeChannel(new ShimMessage.Started()), WORDS);
        assertEquals("shim protocol error: expected PID, got STARTED", assertThrows(JboxException.class, s::pid).getMessage());
        ShimSequence c = new ShimSequence(new FakeChannel(new ShimMessage.Created()), WORDS);
        assertEquals("shim protocol error: expected PID, got CREATED", assertThrows(JboxException.class, c::pid).getMessage());
    }

    @Test
    void failedIsNeverPassedThroughButBecomesTheStepsError() {
        ShimMessage.Failed failed = new ShimMessage.Failed(7, 1, 125);
        List<ShimMessage.Failed> seen = new ArrayList<>();
        ShimSequence.FailureWords words = f -> {
            seen.add(f);
            return STEP_WORDS;
        };
        ShimSequence atPid = new ShimSequence(new FakeChannel(failed), words);
        assertSame(STEP_WORDS, assertThrows(JboxException.class, atPid::pid));
        ShimSequence atStart = new ShimSequence(new FakeChannel(PID, failed), words);
        assertThrows(JboxException.class, () -> {
            atStart.pid();
            atStart.planSent();
            atStart.start(false);
        });
        assertEquals(List.of(failed, failed), seen);
    }

    @Test
    void createWantsCreatedAndStartedIsNotEnough() throws JboxException {
        ShimSequence s = new ShimSequence(new FakeChannel(PID, new ShimMessage.Created()), WORDS);
        s.pid();
        s.planSent();
        assertInstanceOf(ShimMessage.Created.class, s.start(true));

        ShimSequence run = new ShimSequence(new FakeChannel(PID, new ShimMessage.Started()), WORDS);
        run.pid();
        run.planSent();
        assertEquals("shim protocol error: expected CREATED, got STARTED",
                assertThrows(JboxException.class, () -> run.start(true)).getMessage());
        ShimSequence created = new ShimSequence(new FakeChannel(PID, new ShimMessage.Created()), WORDS);
        created.pid();
        created.planSent();
        assertEquals("shim protocol error: expected STARTED, got CREATED",
                assertThrows(JboxException.class, () -> created.start(false)).getMessage());
    }

    @Test
    void exitedBeforeStartedIsAProtocolError() {
        ShimSequence s = new ShimSequence(new FakeChannel(PID, EXITED), WORDS);
        assertEquals("shim protocol error: expected STARTED, got EXITED", assertThrows(JboxException.class, () -> {
            s.pid();
            s.planSent();
            s.start(false);
        }).getMessage());
    }

    @Test
    void eofIsAnErrorNamingWhatWasAwaitedNeverSuccess() {
        ShimSequence atPid = new ShimSequence(new FakeChannel(), WORDS);
        assertTrue(assertThrows(JboxException.class, atPid::pid).getMessage().contains("awaited PID"));
        ShimSequence atStart = new ShimSequence(new FakeChannel(PID), WORDS);
        assertTrue(assertThrows(JboxException.class, () -> {
            atStart.pid();
            atStart.planSent();
            atStart.start(false);
        }).getMessage().contains("awaited STARTED"));
        ShimSequence afterDenied = started(new ShimMessage.Denied(Map.of(1, 1L)));
        assertTrue(assertThrows(JboxException.class, afterDenied::exit).getMessage().contains("awaited EXITED"));
    }

    @Test
    void stepsOutOfOrderOnOurSideAreABug() {
        ShimSequence s = new ShimSequence(new FakeChannel(PID), WORDS);
        assertThrows(IllegalStateException.class, () -> s.start(false)); // the plan was never sent
        assertThrows(IllegalStateException.class, s::exit);
        assertThrows(IllegalStateException.class, s::planSent);
    }

    private static ShimSequence started(ShimMessage... rest) {
        List<ShimMessage> all = new ArrayList<>(List.of(PID, new ShimMessage.Started()));
        all.addAll(List.of(rest));
        ShimSequence s = new ShimSequence(new FakeChannel(all.toArray(new ShimMessage[0])), WORDS);
        try {
            s.pid();
            s.planSent();
            s.start(false);
        } catch (JboxException e) {
            throw new AssertionError(e);
        }
        return s;
    }
}

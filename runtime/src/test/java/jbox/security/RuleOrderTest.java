package jbox.security;

import static jbox.security.TestProfiles.ALLOW;
import static jbox.security.TestProfiles.EPERM;
import static jbox.security.TestProfiles.X86_64;
import static jbox.security.TestProfiles.arg;
import static jbox.security.TestProfiles.errno;
import static jbox.security.TestProfiles.filter;
import static jbox.security.TestProfiles.nr;
import static jbox.security.TestProfiles.profile;
import static jbox.security.TestProfiles.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import jbox.JboxException;
import jbox.security.SeccompProfile.Op;
import jbox.security.SeccompProfile.Rule;
import org.junit.jupiter.api.Test;

/** docker's semantics: all conditions of a rule must hold; for one call the first matching rule wins. */
class RuleOrderTest {
    @Test
    void theFirstMatchingRuleWinsAndMissesFallThroughToTheNext() throws JboxException {
        BpfInterpreter f = filter(profile(SeccompAction.of(SeccompAction.Kind.KILL_PROCESS),
                rule("write", SeccompAction.errno(5), arg(0, Op.EQ, 1)),
                rule("read", ALLOW),
                rule("write", SeccompAction.errno(6), arg(0, Op.GE, 1)),
                rule("write", ALLOW),
                rule("write", SeccompAction.of(SeccompAction.Kind.TRAP))));
        int write = nr("write");
        assertEquals(errno(5), f.run(X86_64, write, 1));
        assertEquals(errno(6), f.run(X86_64, write, 2));
        assertEquals(SeccompAction.RET_ALLOW, f.run(X86_64, write, 0));
        assertEquals(SeccompAction.RET_ALLOW, f.run(X86_64, nr("read"), 1));
        assertEquals(SeccompAction.RET_KILL_PROCESS, f.run(X86_64, nr("close")));
    }

    @Test
    void whenNoRuleMatchesTheDefaultDecides() throws JboxException {
        BpfInterpreter f = filter(profile(SeccompAction.errno(13), rule("read", ALLOW, arg(0, Op.EQ, 7))));
        assertEquals(SeccompAction.RET_ALLOW, f.run(X86_64, nr("read"), 7));
        assertEquals(errno(13), f.run(X86_64, nr("read"), 8));
    }

    @Test
    void allConditionsOfOneRuleMustHold() throws JboxException {
        BpfInterpreter f = filter(profile(EPERM, rule("write", ALLOW, arg(0, Op.EQ, 1), arg(2, Op.LT, 100))));
        int write = nr("write");
        assertEquals(SeccompAction.RET_ALLOW, f.run(X86_64, write, 1, 0, 99));
        assertEquals(errno(1), f.run(X86_64, write, 1, 0, 100));
        assertEquals(errno(1), f.run(X86_64, write, 2, 0, 99));
    }

    @Test
    void aRuleGivingTheDefaultActionStillShadowsLaterRules() throws JboxException {
        BpfInterpreter f = filter(profile(EPERM, rule("read", EPERM, arg(0, Op.EQ, 1)), rule("read", ALLOW)));
        assertEquals(errno(1), f.run(X86_64, nr("read"), 1));
        assertEquals(SeccompAction.RET_ALLOW, f.run(X86_64, nr("read"), 2));
    }

    @Test
    void oneRuleNamesSeveralCallsAndEveryActionHasItsValue() throws JboxException {
        BpfInterpreter f = filter(profile(SeccompAction.ALLOW,
                new Rule(List.of("mount", "umount2"), SeccompAction.of(SeccompAction.Kind.KILL_THREAD), List.of()),
                rule("reboot", SeccompAction.of(SeccompAction.Kind.TRAP)),
                rule("ptrace", SeccompAction.of(SeccompAction.Kind.LOG)),
                rule("bpf", SeccompAction.of(SeccompAction.Kind.NOTIFY)),
                rule("kcmp", SeccompAction.of(SeccompAction.Kind.KILL_PROCESS)),
                rule("acct", SeccompAction.errno(4095))));
        assertEquals(0, f.run(X86_64, nr("mount")));
        assertEquals(0, f.run(X86_64, nr("umount2")));
        assertEquals(0x00030000, f.run(X86_64, nr("reboot")));
        assertEquals(0x7ffc0000, f.run(X86_64, nr("ptrace")));
        assertEquals(0x7fc00000, f.run(X86_64, nr("bpf")));
        assertEquals(0x80000000, f.run(X86_64, nr("kcmp")));
        assertEquals(0x00050fff, f.run(X86_64, nr("acct")));
        assertEquals(0x7fff0000, f.run(X86_64, nr("read")));
    }
}

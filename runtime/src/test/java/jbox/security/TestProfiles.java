package jbox.security;

import java.util.List;
import jbox.JboxException;
import jbox.security.SeccompProfile.ArgCondition;
import jbox.security.SeccompProfile.Op;
import jbox.security.SeccompProfile.Rule;

/** Small profiles built in code, and the filter they compile to, ready to run. */
final class TestProfiles {
    static final int X86_64 = SeccompData.AUDIT_ARCH_X86_64;
    static final SeccompAction ALLOW = SeccompAction.ALLOW;
    static final SeccompAction EPERM = SeccompAction.errno(SeccompAction.EPERM);

    private TestProfiles() {
    }

    static SeccompProfile profile(SeccompAction defaultAction, Rule... rules) {
        return new SeccompProfile("test", defaultAction, List.of("SCMP_ARCH_X86_64"), List.of(rules));
    }

    static Rule rule(String name, SeccompAction action, ArgCondition... args) {
        return new Rule(List.of(name), action, List.of(args));
    }

    static ArgCondition arg(int index, Op op, long value) {
        return new ArgCondition(index, op, value, 0);
    }

    static BpfInterpreter filter(SeccompProfile profile) throws JboxException {
        return new BpfInterpreter(SeccompCompiler.compile(profile));
    }

    static int nr(String name) {
        int nr = SyscallTable.x86_64().number(name);
        if (nr < 0) {
            throw new AssertionError("no system call " + name);
        }
        return nr;
    }

    static int errno(int e) {
        return SeccompAction.errno(e).returnValue();
    }
}

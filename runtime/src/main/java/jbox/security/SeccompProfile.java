package jbox.security;

import java.util.List;

/**
 * A seccomp profile as docker's JSON format describes it: a default action, the architectures it
 * was written for, and ordered rules that give some system calls another action, optionally only
 * when their arguments match. Read by SeccompProfileReader, turned into BPF by SeccompCompiler.
 *
 * @param source where the profile came from (a path or a resource name), for error messages
 * @param architectures as the profile lists them (SCMP_ARCH_*); informational: filters are built
 *     for x86_64 alone and refuse every other ABI (see SeccompCompiler)
 */
public record SeccompProfile(String source, SeccompAction defaultAction, List<String> architectures, List<Rule> rules) {
    public SeccompProfile {
        architectures = List.copyOf(architectures);
        rules = List.copyOf(rules);
    }

    /**
     * Give the named system calls {@code action} when every condition in {@code args} holds (none:
     * always). For one system call the first rule whose conditions hold wins.
     */
    public record Rule(List<String> names, SeccompAction action, List<ArgCondition> args) {
        public Rule {
            names = List.copyOf(names);
            args = List.copyOf(args);
        }
    }

    /**
     * A test on the 64-bit argument {@code index} (0..5), unsigned: {@code arg OP value}, or for
     * MASKED_EQ {@code (arg & value) == valueTwo} (docker's order: the mask comes first).
     */
    public record ArgCondition(int index, Op op, long value, long valueTwo) {
        public static final int MAX_INDEX = 5;

        public ArgCondition {
            if (index < 0 || index > MAX_INDEX) {
                throw new IllegalArgumentException("argument index " + index + " is outside 0.." + MAX_INDEX);
            }
        }
    }

    /** The comparisons of libseccomp (SCMP_CMP_*), all on unsigned 64-bit values. */
    public enum Op { NE, LT, LE, EQ, GE, GT, MASKED_EQ }
}

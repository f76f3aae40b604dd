package jbox.security;

import static jbox.security.TestProfiles.ALLOW;
import static jbox.security.TestProfiles.EPERM;
import static jbox.security.TestProfiles.X86_64;
import static jbox.security.TestProfiles.arg;
import static jbox.security.TestProfiles.errno;
import static jbox.security.TestProfiles.filter;
import static jbox.security.TestProfiles.profile;
import static jbox.security.TestProfiles.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;
import jbox.security.SeccompProfile.Op;
import jbox.security.SeccompProfile.Rule;
import org.junit.jupiter.api.Test;

/**
 * Long programs: conditional jumps reach 255 instructions at most, so a profile of hundreds of
 * rules must still send every call to its own rule; and the kernel's 4096-instruction limit.
 */
class ProgramSizeTest {
    private static final int UNCONDITIONAL = 300;
    private static final int CONDITIONAL_A = 60;
    private static final int CONDITIONAL_B = 40;

    @Test
    void fourHundredRulesEachDecideTheirOwnCall() throws Exception {
        List<Integer> numbers = tableNumbers();
        List<Rule> rules = new ArrayList<>();
        // 300 calls always allowed: more than one 8-bit jump can span to a shared return.
        for (int i = 0; i < UNCONDITIONAL; i++) {
            rules.add(rule(name(numbers.get(i)), i % 2 == 0 ? ALLOW : SeccompAction.errno(100 + i)));
        }
        // Two calls with many argument rules each: the first one's rules span more than 255
        // instructions, so skipping them needs a 32-bit jump.
        int a = numbers.get(UNCONDITIONAL);
        int b = numbers.get(UNCONDITIONAL + 1);
        for (int i = 0; i < CONDITIONAL_A; i++) {
            rules.add(rule(name(a), SeccompAction.errno(1000 + i), arg(1, Op.EQ, i)));
        }
        for (int i = 0; i < CONDITIONAL_B; i++) {
            rules.add(rule(name(b), SeccompAction.errno(2000 + i), arg(2, Op.EQ, 0x1_0000_0000L + i)));
        }
        assertEquals(400, rules.size());
        SeccompProgram program = SeccompCompiler.compile(profile(SeccompAction.errno(7), rules.toArray(Rule[]::new)));
        BpfInterpreter f = new BpfInterpreter(program);

        for (int i = 0; i < UNCONDITIONAL; i++) {
            int expected = i % 2 == 0 ? SeccompAction.RET_ALLOW : errno(100 + i);
            assertEquals(expected, f.run(X86_64, numbers.get(i)), "rule " + i);
        }
        for (int i = 0; i < CONDITIONAL_A; i++) {
            assertEquals(errno(1000 + i), f.run(X86_64, a, 0, i), "call a, rule " + i);
        }
        assertEquals(errno(7), f.run(X86_64, a, 0, CONDITIONAL_A));
        for (int i = 0; i < CONDITIONAL_B; i++) {
            assertEquals(errno(2000 + i), f.run(X86_64, b, 0, 0, 0x1_0000_0000L + i), "call b, rule " + i);
        }
        assertEquals(errno(7), f.run(X86_64, b, 0, 0, 3));
        for (int i = UNCONDITIONAL + 2; i < numbers.size(); i++) {
            assertEquals(errno(7), f.run(X86_64, numbers.get(i)), "unnamed call " + numbers.get(i));
        }
        assertTrue(program.instructions().stream().anyMatch(in -> in.code() == (Bpf.JMP | Bpf.JA)),
                "no 32-bit jump: the test no longer exercises far jumps");
    }

    @Test
    void consecutiveCallsAreTestedAsOneRangeAndTheCallsAroundItKeepTheirOwnAction() throws Exception {
        tableNumbers(); // name(n) reads the table
        List<Rule> rules = new ArrayList<>();
        for (int n = 0; n < 100; n++) {
            if (n != 50) { // a hole in the run: 0..49 and 51..99
                rules.add(rule(name(n), ALLOW));
            }
        }
        rules.add(rule(name(101), ALLOW)); // alone
        rules.add(rule(name(103), ALLOW)); // two in a row: two single tests
        rules.add(rule(name(104), ALLOW));
        rules.add(rule(name(105), SeccompAction.errno(9))); // next to the run, another action
        rules.add(rule(name(50), SeccompAction.errno(8), arg(0, Op.EQ, 1))); // inside it, with an argument rule
        SeccompProgram program = SeccompCompiler.compile(profile(SeccompAction.errno(7), rules.toArray(Rule[]::new)));
        BpfInterpreter f = new BpfInterpreter(program);
        for (int n = 0; n < 120; n++) {
            int expected = n < 100 && n != 50 || n == 101 || n == 103 || n == 104 ? SeccompAction.RET_ALLOW
                    : n == 105 ? errno(9) : errno(7);
            assertEquals(expected, f.run(X86_64, n, 0), "call " + n);
        }
        assertEquals(errno(8), f.run(X86_64, 50, 1));
        // header (8) + two ranges (4) + three single calls (3) + their return (1) + call 105 and its
        // return (2) + call 50 with its test, return and default (7) + the default (1)
        assertEquals(26, program.instructionCount());
    }

    @Test
    void theDefaultProfileIsAShortProgram() throws JboxException {
        // 342 instructions when each allowed call had a test of its own; the kernel checks and
        // compiles every one at each container's start, and each system call walks them.
        assertTrue(SeccompProfiles.loadDefault().instructionCount() < 150, "" + SeccompProfiles.loadDefault().instructionCount());
    }

    @Test
    void aProgramOverTheKernelLimitIsRefused() {
        Rule[] rules = new Rule[1000];
        for (int i = 0; i < rules.length; i++) {
            rules[i] = rule("ioctl", ALLOW, arg(1, Op.EQ, i));
        }
        JboxException e = assertThrows(JboxException.class, () -> SeccompCompiler.compile(profile(EPERM, rules)));
        assertTrue(e.getMessage().startsWith("seccomp profile test: compiles to "), e.getMessage());
        assertTrue(e.getMessage().endsWith("more than the kernel's limit of 4096"), e.getMessage());
    }

    @Test
    void aProgramJustUnderTheLimitIsAccepted() throws JboxException {
        // Each rule: load high, test, load low, test, return = 5 instructions.
        Rule[] rules = new Rule[800];
        for (int i = 0; i < rules.length; i++) {
            rules[i] = rule("ioctl", SeccompAction.errno(i % 4000), arg(1, Op.EQ, i));
        }
        SeccompProgram program = SeccompCompiler.compile(profile(EPERM, rules));
        assertTrue(program.instructionCount() <= 4096 && program.instructionCount() > 4000, "" + program.instructionCount());
        assertEquals(errno(799), filter(profile(EPERM, rules)).run(X86_64, TestProfiles.nr("ioctl"), 0, 799));
    }

    @Test
    void namesTheTableDoesNotKnowAreSkippedAndReported() throws JboxException {
        SeccompProfile p = new SeccompProfile("test", EPERM, List.of(), List.of(
                new Rule(List.of("read", "no_such_call", "fchmodat2"), ALLOW, List.of()),
                new Rule(List.of("no_such_call", "write"), ALLOW, List.of())));
        SeccompProgram program = SeccompCompiler.compile(p);
        assertEquals(List.of("no_such_call", "fchmodat2"), program.unknownSyscalls());
        BpfInterpreter f = new BpfInterpreter(program);
        assertEquals(SeccompAction.RET_ALLOW, f.run(X86_64, TestProfiles.nr("read")));
        assertEquals(SeccompAction.RET_ALLOW, f.run(X86_64, TestProfiles.nr("write")));
    }

    /** The table's lines in order: name at even, number at odd positions. */
    private static final List<String> TABLE = new ArrayList<>();

    private static List<Integer> tableNumbers() throws IOException {
        if (TABLE.isEmpty()) {
            try (InputStream in = SyscallTable.class.getResourceAsStream(SyscallTable.RESOURCE)) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                    if (!line.startsWith("#") && !line.isBlank()) {
                        TABLE.addAll(List.of(line.split(" ")));
                    }
                }
            }
        }
        List<Integer> numbers = new ArrayList<>();
        for (int i = 1; i < TABLE.size(); i += 2) {
            numbers.add(Integer.parseInt(TABLE.get(i)));
        }
        return numbers;
    }

    private static String name(int nr) {
        return TABLE.get(TABLE.indexOf(Integer.toString(nr)) - 1);
    }
}

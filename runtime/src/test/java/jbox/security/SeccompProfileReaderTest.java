package jbox.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import jbox.JboxException;
import jbox.security.SeccompProfile.ArgCondition;
import jbox.security.SeccompProfile.Op;
import jbox.security.SeccompProfile.Rule;
import org.junit.jupiter.api.Test;

/** Docker's profile format, read strictly: what is accepted, and the message for what is not. */
class SeccompProfileReaderTest {
    private static SeccompProfile read(String json) throws JboxException {
        return SeccompProfileReader.read(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), "p.json");
    }

    private static String error(String json) {
        String message = assertThrows(JboxException.class, () -> read(json)).getMessage();
        assertFalse(message.contains("\n"), message);
        return message;
    }

    @Test
    void readsADockerStyleProfile() throws JboxException {
        SeccompProfile p = read("""
                {
                  'comment': 'anything',
                  'defaultAction': 'SCMP_ACT_ERRNO',
                  'defaultErrnoRet': 38,
                  'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
                  'archMap': [{'architecture': 'SCMP_ARCH_X86_64', 'subArchitectures': ['SCMP_ARCH_X86']}],
                  'syscalls': [
                    {'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW', 'comment': {'any': ['thing']},
                     'includes': {}, 'excludes': {'caps': [], 'arches': null, 'minKernel': ''}},
                    {'name': 'personality', 'action': 'SCMP_ACT_ALLOW', 'args': [
                      {'index': 0, 'value': 18446744073709551615, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'},
                      {'index': 5, 'value': 3, 'valueTwo': 2, 'op': 'SCMP_CMP_MASKED_EQ'}]},
                    {'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO'},
                    {'names': ['kill'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 0, 'args': null},
                    {'names': ['a'], 'action': 'SCMP_ACT_KILL'},
                    {'names': ['b'], 'action': 'SCMP_ACT_KILL_THREAD'},
                    {'names': ['c'], 'action': 'SCMP_ACT_KILL_PROCESS'},
                    {'names': ['d'], 'action': 'SCMP_ACT_TRAP'},
                    {'names': ['e'], 'action': 'SCMP_ACT_LOG'},
                    {'names': ['f'], 'action': 'SCMP_ACT_NOTIFY'}
                  ]
                }
                """);
        assertEquals("p.json", p.source());
        assertEquals(SeccompAction.errno(38), p.defaultAction());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"), p.architectures());
        assertEquals(new Rule(List.of("read", "write"), SeccompAction.ALLOW, List.of()), p.rules().get(0));
        assertEquals(new Rule(List.of("personality"), SeccompAction.ALLOW, List.of(
                new ArgCondition(0, Op.EQ, -1L, 0), new ArgCondition(5, Op.MASKED_EQ, 3, 2))), p.rules().get(1));
        assertEquals(SeccompAction.errno(1), p.rules().get(2).action());
        assertEquals(SeccompAction.errno(0), p.rules().get(3).action());
        List<SeccompAction.Kind> kinds = p.rules().subList(4, 10).stream().map(r -> r.action().kind()).toList();
        assertEquals(List.of(SeccompAction.Kind.KILL_THREAD, SeccompAction.Kind.KILL_THREAD, SeccompAction.Kind.KILL_PROCESS,
                SeccompAction.Kind.TRAP, SeccompAction.Kind.LOG, SeccompAction.Kind.NOTIFY), kinds);
    }

    @Test
    void everyComparisonIsRead() throws JboxException {
        String[] names = {"NE", "LT", "LE", "EQ", "GE", "GT", "MASKED_EQ"};
        for (int i = 0; i < names.length; i++) {
            SeccompProfile p = read("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], "
                    + "'action': 'SCMP_ACT_LOG', 'args': [{'index': 1, 'value': 2, 'op': 'SCMP_CMP_" + names[i] + "'}]}]}");
            assertEquals(Op.values()[i], p.rules().get(0).args().get(0).op());
        }
    }

    /** Where {@code token} first starts in {@code json}, as the messages put it (1-based, like Jackson). */
    private static String at(String json, String token) {
        int offset = json.indexOf(token);
        String before = json.substring(0, offset);
        int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
        return "line " + line + ", column " + (offset - before.lastIndexOf('\n'));
    }

    @Test
    void invalidJsonNamesTheFileLineAndColumn() {
        String extraComma = "{\n'defaultAction': 'SCMP_ACT_ALLOW',\n,}";
        assertEquals("seccomp profile p.json: invalid json: unexpected character (',' (code 44)): was expecting "
                + "double-quote to start field name (line 3, column 1)", error(extraComma));
        String twice = "{'defaultAction': 'SCMP_ACT_ALLOW', 'defaultAction': 'SCMP_ACT_LOG'}";
        assertEquals("seccomp profile p.json: invalid json: duplicate field 'defaultAction' (line 1, column 52)", error(twice));
        assertEquals("seccomp profile p.json: expected a json object (line 1, column 1)", error("[]"));
        assertEquals("seccomp profile p.json: invalid json: unexpected end-of-input: expected close marker for Object "
                + "(line 1, column 2)", error("{"));
    }

    @Test
    void anUnknownActionIsNamedWithItsPlace() {
        String json = """
                {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [
                  {'names': ['read'], 'action': 'SCMP_ACT_LOG'},
                  {'names': ['write'],
                   'args': [], 'action': 'SCMP_ACT_FOO'}]}
                """;
        assertEquals("line 4, column 26", at(json, "'SCMP_ACT_FOO'"));
        assertEquals("seccomp profile p.json: unknown action 'SCMP_ACT_FOO', expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
                + "SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_LOG or "
                + "SCMP_ACT_NOTIFY (syscalls[1].action, line 4, column 26)", error(json));
        String trace = "{'defaultAction': 'SCMP_ACT_TRACE'}";
        assertEquals("seccomp profile p.json: unknown action 'SCMP_ACT_TRACE', expected SCMP_ACT_ALLOW, "
                + "SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, "
                + "SCMP_ACT_LOG or SCMP_ACT_NOTIFY (defaultAction, " + at(trace, "'SCMP_ACT_TRACE'") + ")", error(trace));
    }

    @Test
    void unknownFieldsAreErrorsNamingTheField() {
        String top = "{'defaultaction': 'SCMP_ACT_ALLOW'}";
        assertEquals("seccomp profile p.json: unknown field 'defaultaction' (defaultaction, line 1, column 2)", error(top));
        String rule = "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'nmes': ['read']}]}";
        assertEquals("seccomp profile p.json: unknown field 'nmes' (syscalls[0].nmes, " + at(rule, "'nmes'") + ")",
                error(rule));
        String arg = "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG', "
                + "'args': [{'index': 0, 'valu': 1}]}]}";
        assertEquals("seccomp profile p.json: unknown field 'valu' (syscalls[0].args[0].valu, " + at(arg, "'valu'") + ")",
                error(arg));
        String flags = "{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_LOG']}";
        assertEquals("seccomp profile p.json: field 'flags' is not supported (flags, " + at(flags, "'flags'") + ")",
                error(flags));
    }

    @Test
    void conditionalRulesAreRefusedUnlessEmpty() {
        String includes = "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [\n"
                + "  {'names': ['mount'], 'action': 'SCMP_ACT_ALLOW', 'includes': {'caps': ['CAP_SYS_ADMIN']}}]}";
        assertEquals("line 2, column 64", at(includes, "{'caps'"));
        assertEquals("seccomp profile p.json: field 'includes' (conditional rules) is not supported "
                + "(syscalls[0].includes, line 2, column 64)", error(includes));
        String excludes = "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', "
                + "'excludes': {'arches': [], 'minKernel': '4.8'}}]}";
        assertEquals("seccomp profile p.json: field 'excludes' (conditional rules) is not supported "
                + "(syscalls[0].excludes, " + at(excludes, "{'arches'") + ")", error(excludes));
    }

    @Test
    void badArgumentsAreNamed() {
        String rule = "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG', 'args': [";
        String op = rule + "{'index': 0, 'op': 'SCMP_CMP_FOO'}]}]}";
        assertEquals("seccomp profile p.json: unknown comparison 'SCMP_CMP_FOO', expected SCMP_CMP_NE, SCMP_CMP_LT, "
                + "SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ "
                + "(syscalls[0].args[0].op, " + at(op, "'SCMP_CMP_FOO'") + ")", error(op));
        String index = rule + "{'index': 6, 'op': 'SCMP_CMP_EQ'}]}]}";
        assertEquals("seccomp profile p.json: argument index 6 is out of range: system calls have arguments 0..5 "
                + "(syscalls[0].args[0].index, " + at(index, "6,") + ")", error(index));
        String negative = rule + "{'index': 0, 'value': -1, 'op': 'SCMP_CMP_EQ'}]}]}";
        assertEquals("seccomp profile p.json: -1 is not an unsigned 64-bit value (syscalls[0].args[0].value, "
                + at(negative, "-1") + ")", error(negative));
        String tooBig = rule + "{'index': 0, 'value': 18446744073709551616, 'op': 'SCMP_CMP_EQ'}]}]}";
        assertEquals("seccomp profile p.json: 18446744073709551616 is not an unsigned 64-bit value "
                + "(syscalls[0].args[0].value, " + at(tooBig, "1844") + ")", error(tooBig));
        String noOp = rule + "{'index': 0}]}]}";
        assertEquals("seccomp profile p.json: missing required field 'op' (syscalls[0].args[0], "
                + at(noOp, "}]}]}") + ")", error(noOp));
        String noIndex = rule + "{'op': 'SCMP_CMP_EQ'}]}]}";
        assertEquals("seccomp profile p.json: missing required field 'index' (syscalls[0].args[0], "
                + at(noIndex, "}]}]}") + ")", error(noIndex));
    }

    @Test
    void otherMistakesAreNamed() {
        assertEquals("seccomp profile p.json: missing required field 'defaultAction' (line 1, column 16)",
                error("{'syscalls': []}"));
        String errnoWithAllow = "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], "
                + "'action': 'SCMP_ACT_ALLOW', 'errnoRet': 1}]}";
        assertEquals("seccomp profile p.json: an errno only goes with SCMP_ACT_ERRNO, not SCMP_ACT_ALLOW "
                + "(syscalls[0].errnoRet, " + at(errnoWithAllow, "1}") + ")", error(errnoWithAllow));
        String bigErrno = "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 4096}";
        assertEquals("seccomp profile p.json: errno 4096 is out of range 0..4095 (defaultErrnoRet, "
                + at(bigErrno, "4096") + ")", error(bigErrno));
        String noNames = "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': [], 'action': 'SCMP_ACT_LOG'}]}";
        assertEquals("seccomp profile p.json: a rule needs 'names' with at least one system call (syscalls[0], "
                + at(noNames, "}]}") + ")", error(noNames));
        String number = "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read', 3]}]}";
        assertEquals("seccomp profile p.json: expected a string (syscalls[0].names[1], " + at(number, "3]") + ")",
                error(number));
        String arch = "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['x86_64']}";
        assertEquals("seccomp profile p.json: 'x86_64' is not an architecture (SCMP_ARCH_X86_64, ...) "
                + "(architectures, " + at(arch, "]") + ")", error(arch));
        assertEquals("seccomp profile p.json: unexpected content after the profile's object (line 1, column 37)",
                error("{'defaultAction': 'SCMP_ACT_ALLOW'} {}"));
    }
}

package jbox.security;

import static jbox.security.TestProfiles.ALLOW;
import static jbox.security.TestProfiles.X86_64;
import static jbox.security.TestProfiles.errno;
import static jbox.security.TestProfiles.filter;
import static jbox.security.TestProfiles.nr;
import static jbox.security.TestProfiles.profile;
import static jbox.security.TestProfiles.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jbox.JboxException;
import jbox.security.SeccompProfile.ArgCondition;
import jbox.security.SeccompProfile.Op;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each comparison on 64-bit unsigned arguments, against Java's unsigned arithmetic, on values
 * whose high and low words disagree (so comparing one word, or comparing signed, gives a wrong
 * answer somewhere), on every argument slot with the other slots set to confuse a wrong offset.
 */
class ArgComparisonTest {
    private static final long[] VALUES = {
        0L, 1L, 5L, 0xffffffffL, 0x1_0000_0000L, 0x1_0000_0004L, 0x1_0000_0005L, 0x1_0000_0006L, 0x0_ffff_fff0L,
        0x2_0000_0000L, 0x8000_0000_0000_0000L, 0x8000_0000_0000_0005L, 0x7fff_ffff_ffff_ffffL, -1L, 0x0000_0001_ffff_ffffL,
    };
    private static final int DENIED = errno(1);

    @ParameterizedTest
    @EnumSource(Op.class)
    void comparisonsAgreeWithUnsigned64BitArithmetic(Op op) throws JboxException {
        for (int index = 0; index <= ArgCondition.MAX_INDEX; index++) {
            for (long value : VALUES) {
                for (long valueTwo : valueTwos(op, value)) {
                    check(op, index, value, valueTwo);
                }
            }
        }
    }

    /**
     * For MASKED_EQ (value is the mask): an expected value the mask can produce, one with bit 32
     * set (unreachable when the mask's high word is zero), and the mask itself.
     */
    private static long[] valueTwos(Op op, long value) {
        return op == Op.MASKED_EQ ? new long[] {value & 0x1_0000_0005L, 0x1_0000_0000L | (value & 5), value} : new long[] {0};
    }

    private static void check(Op op, int index, long value, long valueTwo) throws JboxException {
        BpfInterpreter f = filter(profile(TestProfiles.EPERM,
                rule("write", ALLOW, new ArgCondition(index, op, value, valueTwo))));
        for (long arg : VALUES) {
            long[] args = new long[6];
            for (int other = 0; other < 6; other++) {
                args[other] = ~arg;
            }
            args[index] = arg;
            int expected = holds(op, arg, value, valueTwo) ? SeccompAction.RET_ALLOW : DENIED;
            String what = "arg" + index + "=" + Long.toHexString(arg) + " " + op + " " + Long.toHexString(value)
                    + (op == Op.MASKED_EQ ? " == " + Long.toHexString(valueTwo) : "");
            assertEquals(expected, f.run(X86_64, nr("write"), args), what);
        }
    }

    private static boolean holds(Op op, long arg, long value, long valueTwo) {
        int c = Long.compareUnsigned(arg, value);
        return switch (op) {
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case EQ -> c == 0;
            case GE -> c >= 0;
            case GT -> c > 0;
            case MASKED_EQ -> (arg & value) == valueTwo;
        };
    }
}

package jbox.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** The bytes handed to the kernel: struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}, little endian. */
class BpfEncodingTest {
    @Test
    void theSmallestProgramIsLaidOutByteForByte() throws JboxException {
        SeccompProgram program = SeccompCompiler.compile(TestProfiles.profile(SeccompAction.ALLOW));
        String expected = ""
                + "2000" + "00" + "00" + "04000000"   // ld [4]                      (arch)
                + "1500" + "01" + "00" + "3e0000c0"   // jeq #0xc000003e, +1, +0
                + "0600" + "00" + "00" + "00000080"   // ret #0x80000000             (kill process)
                + "2000" + "00" + "00" + "00000000"   // ld [0]                      (nr)
                + "3500" + "00" + "01" + "00000040"   // jge #0x40000000, +0, +1     (x32)
                + "0600" + "00" + "00" + "26000500"   // ret #0x00050026             (errno ENOSYS)
                + "2500" + "00" + "01" + highestLe()  // jgt #highest, +0, +1        (newer than the table)
                + "0600" + "00" + "00" + "26000500"   // ret #0x00050026             (errno ENOSYS)
                + "0600" + "00" + "00" + "0000ff7f";  // ret #0x7fff0000             (allow)
        assertArrayEquals(HexFormat.of().parseHex(expected), program.bpf());
        assertEquals(9, program.instructionCount());
    }

    private static String highestLe() {
        int n = SyscallTable.x86_64().highest();
        return String.format("%02x%02x%02x%02x", n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
    }

    @Test
    void decodingGivesBackTheInstructions() throws JboxException {
        SeccompProgram program = SeccompCompiler.compile(TestProfiles.profile(SeccompAction.errno(1),
                TestProfiles.rule("read", SeccompAction.ALLOW)));
        List<BpfInstruction> in = program.instructions();
        assertEquals(new BpfInstruction(0x15, 0, 1, 0), in.get(8));
        assertEquals(new BpfInstruction(0x06, 0, 0, 0x7fff0000), in.get(9));
        assertEquals(new BpfInstruction(0x06, 0, 0, 0x00050001), in.get(10));
        assertEquals(11, in.size());
        assertEquals(SeccompProgram.of(in, List.of()).bpf().length, program.bpf().length);
        assertArrayEquals(SeccompProgram.of(in, List.of()).bpf(), program.bpf());
    }
}

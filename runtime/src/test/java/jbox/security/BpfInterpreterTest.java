package jbox.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** The interpreter refuses what the kernel refuses at install time, and computes as classic BPF does. */
class BpfInterpreterTest {
    private static BpfInterpreter of(BpfInstruction... program) throws JboxException {
        return new BpfInterpreter(SeccompProgram.of(List.of(program), List.of()));
    }

    private static String refusal(BpfInstruction... program) {
        return assertThrows(JboxException.class, () -> of(program)).getMessage();
    }

    @Test
    void loadsWordsOfSeccompDataInLittleEndianHalves() throws JboxException {
        BpfInstruction ret = new BpfInstruction(Bpf.RET | Bpf.RET_A, 0, 0, 0);
        SeccompData data = new SeccompData(3, 0x1234, 0x0000_0005_0000_0006L,
                new long[] {0x1111_2222_3333_4444L, 0, 0, 0, 0, 0x0abc_0000_0def_0000L});
        assertEquals(3, of(BpfInstruction.load(0), ret).run(data));
        assertEquals(0x1234, of(BpfInstruction.load(4), ret).run(data));
        assertEquals(6, of(BpfInstruction.load(8), ret).run(data));
        assertEquals(5, of(BpfInstruction.load(12), ret).run(data));
        assertEquals(0x3333_4444, of(BpfInstruction.load(16), ret).run(data));
        assertEquals(0x1111_2222, of(BpfInstruction.load(20), ret).run(data));
        assertEquals(0x0def_0000, of(BpfInstruction.load(56), ret).run(data));
        assertEquals(0x0abc_0000, of(BpfInstruction.load(60), ret).run(data));
    }

    @Test
    void jumpsCompareUnsignedAndAluComputes() throws JboxException {
        BpfInterpreter f = of(
                BpfInstruction.load(0),
                BpfInstruction.jump(Bpf.JGT, 5, 2, 0),           // nr > 5 (unsigned) -> and
                BpfInstruction.jump(Bpf.JSET, 0x4, 3, 0),        // bit 2 set -> ret 2
                BpfInstruction.ret(1),
                BpfInstruction.and(0xf0),
                new BpfInstruction(Bpf.RET | Bpf.RET_A, 0, 0, 0),
                BpfInstruction.ret(2));
        assertEquals(1, f.run(0, 3));
        assertEquals(2, f.run(0, 4));
        assertEquals(0xf0, f.run(0, -1));
        assertEquals(0x10, f.run(0, 0x13));
    }

    @Test
    void programsTheKernelWouldRefuseAreRefused() {
        BpfInstruction ret = BpfInstruction.ret(0);
        assertEquals("bpf instruction 0: load outside seccomp_data at offset 64", refusal(BpfInstruction.load(64), ret));
        assertEquals("bpf instruction 0: load outside seccomp_data at offset 2", refusal(BpfInstruction.load(2), ret));
        assertEquals("bpf instruction 0: jump past the end of the program",
                refusal(BpfInstruction.jump(Bpf.JEQ, 0, 1, 0), ret));
        assertEquals("bpf instruction 0: jump past the end of the program", refusal(BpfInstruction.jumpAlways(1), ret));
        assertEquals("bpf program does not end with a return", refusal(BpfInstruction.load(0)));
        assertEquals("bpf instruction 0: division by constant zero",
                refusal(new BpfInstruction(Bpf.ALU | Bpf.DIV | Bpf.K, 0, 0, 0), ret));
        assertEquals("bpf instruction 0: opcode 0x94 is not accepted in a seccomp filter (or by this interpreter)",
                refusal(new BpfInstruction(Bpf.ALU | Bpf.MOD | Bpf.K, 0, 0, 3), ret));
        assertEquals("bpf program has 0 instructions, not 1..4096", refusal());
    }
}

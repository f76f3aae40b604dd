package jbox.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** Jumps to labels: 8-bit when near, through a 32-bit JA when not. */
class BpfAssemblerTest {
    @Test
    void aNearBranchIsOneInstruction() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label end = asm.label();
        asm.branch(Bpf.JEQ, 7, end, null);
        for (int i = 0; i < 255; i++) {
            asm.emit(BpfInstruction.ret(i));
        }
        asm.bind(end);
        asm.emit(BpfInstruction.ret(-1));
        List<BpfInstruction> program = asm.assemble();
        assertEquals(BpfInstruction.jump(Bpf.JEQ, 7, 255, 0), program.get(0));
        assertEquals(257, program.size());
    }

    @Test
    void aFarBranchGoesThroughAJumpAlways() throws JboxException {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label far = asm.label();
        BpfAssembler.Label alsoFar = asm.label();
        asm.emit(BpfInstruction.load(SeccompData.NR));
        asm.branch(Bpf.JEQ, 7, far, alsoFar);
        asm.emit(BpfInstruction.ret(1));
        for (int i = 0; i < 300; i++) {
            asm.emit(BpfInstruction.ret(100 + i));
        }
        asm.bind(far);
        asm.emit(BpfInstruction.ret(2));
        asm.bind(alsoFar);
        asm.emit(BpfInstruction.ret(3));
        List<BpfInstruction> program = asm.assemble();
        // 0 load, 1 branch, 2 JA to `far`, 3 JA to `alsoFar`, 4..304 returns, 305 far, 306 alsoFar.
        assertEquals(BpfInstruction.jump(Bpf.JEQ, 7, 0, 1), program.get(1));
        assertEquals(BpfInstruction.jumpAlways(302), program.get(2));
        assertEquals(BpfInstruction.jumpAlways(302), program.get(3));

        BpfInterpreter run = new BpfInterpreter(SeccompProgram.of(program, List.of()));
        assertEquals(2, run.run(0, 7));
        assertEquals(3, run.run(0, 8));
    }

    @Test
    void growingOneJumpCanPushAnotherOutOfRange() throws JboxException {
        // The second branch is exactly 255 ahead of its target until the first one gains its JA.
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label a = asm.label();
        BpfAssembler.Label b = asm.label();
        asm.emit(BpfInstruction.load(SeccompData.NR));
        asm.branch(Bpf.JEQ, 1, b, null);
        asm.branch(Bpf.JEQ, 2, a, null);
        for (int i = 0; i < 255; i++) {
            asm.emit(BpfInstruction.ret(100 + i));
        }
        asm.bind(a);
        asm.emit(BpfInstruction.ret(20));
        asm.bind(b);
        asm.emit(BpfInstruction.ret(10));
        BpfInterpreter run = new BpfInterpreter(SeccompProgram.of(asm.assemble(), List.of()));
        assertEquals(10, run.run(0, 1));
        assertEquals(20, run.run(0, 2));
        assertEquals(100, run.run(0, 3));
    }

    @Test
    void backwardJumpsAreAProgrammingError() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label start = asm.label();
        asm.bind(start);
        asm.emit(BpfInstruction.load(0));
        asm.jumpTo(start);
        assertThrows(IllegalStateException.class, asm::assemble);
    }
}

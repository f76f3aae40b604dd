package jbox.security;

import java.util.List;
import jbox.JboxException;

/**
 * Runs a seccomp filter on one system call as the kernel's classic BPF interpreter does and
 * returns the filter's 32-bit verdict (a SECCOMP_RET_* value). Tests check compiled profiles with
 * it; `jbox run --explain` could use it to say why a call would be refused.
 *
 * It accepts the instructions the kernel allows in a seccomp filter (seccomp_check_filter, which
 * has no BPF_MOD) except the scratch memory ones (LD/LDX MEM, ST, STX), which jbox never emits,
 * and it refuses, as the kernel does when the filter is installed, loads outside seccomp_data,
 * division or shifts by impossible constants, jumps past the end and a last instruction that is
 * not a return; so run() can never step outside the program.
 */
public final class BpfInterpreter {
    private static final int LD_ABS = Bpf.LD | Bpf.W | Bpf.ABS;
    private static final int LD_LEN = Bpf.LD | Bpf.W | Bpf.LEN;
    private static final int LDX_LEN = Bpf.LDX | Bpf.W | Bpf.LEN;
    private static final int LD_IMM = Bpf.LD | Bpf.IMM;
    private static final int LDX_IMM = Bpf.LDX | Bpf.IMM;
    private static final int RET_K = Bpf.RET | Bpf.K;
    private static final int RET_A = Bpf.RET | Bpf.RET_A;
    private static final int TAX = Bpf.MISC | Bpf.TAX;
    private static final int TXA = Bpf.MISC | Bpf.TXA;
    private static final int NEG = Bpf.ALU | Bpf.NEG;

    private final List<BpfInstruction> program;

    public BpfInterpreter(SeccompProgram program) throws JboxException {
        this.program = program.instructions();
        check();
    }

    public int run(int arch, int nr, long... args) {
        return run(SeccompData.of(arch, nr, args));
    }

    public int run(SeccompData data) {
        int a = 0;
        int x = 0;
        int pc = 0;
        while (true) {
            BpfInstruction in = program.get(pc++);
            int code = in.code();
            int k = in.k();
            switch (code) {
                case LD_ABS -> a = data.word(k);
                case LD_LEN -> a = SeccompData.SIZE;
                case LDX_LEN -> x = SeccompData.SIZE;
                case LD_IMM -> a = k;
                case LDX_IMM -> x = k;
                case TAX -> x = a;
                case TXA -> a = x;
                case NEG -> a = -a;
                case RET_K -> {
                    return k;
                }
                case RET_A -> {
                    return a;
                }
                default -> {
                    int operand = Bpf.source(code) == Bpf.X ? x : k;
                    if (Bpf.opClass(code) == Bpf.ALU) {
                        a = alu(Bpf.op(code), a, operand);
                    } else if (Bpf.op(code) == Bpf.JA) {
                        pc += k;
                    } else {
                        pc += holds(Bpf.op(code), a, operand) ? in.jt() : in.jf();
                    }
                }
            }
        }
    }

    private static int alu(int op, int a, int operand) {
        return switch (op) {
            case Bpf.ADD -> a + operand;
            case Bpf.SUB -> a - operand;
            case Bpf.MUL -> a * operand;
            // Division by X == 0 ends the kernel's interpreter with verdict 0 (kill); check() keeps
            // constants non-zero, and jbox never divides, so this stays arithmetic.
            case Bpf.DIV -> operand == 0 ? 0 : Integer.divideUnsigned(a, operand);
            case Bpf.OR -> a | operand;
            case Bpf.AND -> a & operand;
            case Bpf.XOR -> a ^ operand;
            case Bpf.LSH -> a << operand;
            case Bpf.RSH -> a >>> operand;
            default -> throw new IllegalStateException("check() let ALU op 0x" + Integer.toHexString(op) + " through");
        };
    }

    private static boolean holds(int op, int a, int operand) {
        return switch (op) {
            case Bpf.JEQ -> a == operand;
            case Bpf.JGT -> Integer.compareUnsigned(a, operand) > 0;
            case Bpf.JGE -> Integer.compareUnsigned(a, operand) >= 0;
            case Bpf.JSET -> (a & operand) != 0;
            default -> throw new IllegalStateException("check() let jump op 0x" + Integer.toHexString(op) + " through");
        };
    }

    private void check() throws JboxException {
        int n = program.size();
        if (n == 0 || n > Bpf.MAX_INSTRUCTIONS) {
            throw new JboxException("bpf program has " + n + " instructions, not 1.." + Bpf.MAX_INSTRUCTIONS);
        }
        for (int pc = 0; pc < n; pc++) {
            BpfInstruction in = program.get(pc);
            int code = in.code();
            int k = in.k();
            String problem = switch (code) {
                case LD_ABS -> SeccompData.isWordOffset(k) ? null : "load outside seccomp_data at offset " + k;
                case LD_LEN, LDX_LEN, LD_IMM, LDX_IMM, TAX, TXA, NEG, RET_K, RET_A -> null;
                default -> checkAluOrJump(code, k, in, pc, n);
            };
            if (problem != null) {
                throw new JboxException("bpf instruction " + pc + ": " + problem);
            }
        }
        int last = program.get(n - 1).code();
        if (last != RET_K && last != RET_A) {
            throw new JboxException("bpf program does not end with a return");
        }
    }

    private static String checkAluOrJump(int code, int k, BpfInstruction in, int pc, int n) {
        int op = Bpf.op(code);
        boolean constant = Bpf.source(code) == Bpf.K;
        if (Bpf.opClass(code) == Bpf.ALU && code == (Bpf.ALU | op | Bpf.source(code))) {
            return switch (op) {
                case Bpf.ADD, Bpf.SUB, Bpf.MUL, Bpf.OR, Bpf.AND, Bpf.XOR -> null;
                case Bpf.DIV -> constant && k == 0 ? "division by constant zero" : null;
                case Bpf.LSH, Bpf.RSH -> constant && Integer.compareUnsigned(k, 32) >= 0 ? "shift by " + k : null;
                default -> unsupported(code);
            };
        }
        if (code == (Bpf.JMP | Bpf.JA)) {
            return Integer.toUnsignedLong(k) >= n - pc - 1 ? "jump past the end of the program" : null;
        }
        if (Bpf.opClass(code) == Bpf.JMP && code == (Bpf.JMP | op | Bpf.source(code))
                && (op == Bpf.JEQ || op == Bpf.JGT || op == Bpf.JGE || op == Bpf.JSET)) {
            return Math.max(in.jt(), in.jf()) >= n - pc - 1 ? "jump past the end of the program" : null;
        }
        return unsupported(code);
    }

    private static String unsupported(int code) {
        return "opcode 0x" + Integer.toHexString(code) + " is not accepted in a seccomp filter (or by this interpreter)";
    }
}

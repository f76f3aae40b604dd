package jbox.security;

/**
 * Classic BPF opcodes (linux/bpf_common.h, linux/filter.h) for what seccomp filters use: an
 * opcode is a class (low 3 bits) or'ed with a size/mode or an operation and a source.
 */
final class Bpf {
    static final int LD = 0x00;
    static final int LDX = 0x01;
    static final int ST = 0x02;
    static final int STX = 0x03;
    static final int ALU = 0x04;
    static final int JMP = 0x05;
    static final int RET = 0x06;
    static final int MISC = 0x07;

    static final int W = 0x00;
    static final int IMM = 0x00;
    static final int ABS = 0x20;
    static final int MEM = 0x60;
    static final int LEN = 0x80;

    static final int ADD = 0x00;
    static final int SUB = 0x10;
    static final int MUL = 0x20;
    static final int DIV = 0x30;
    static final int OR = 0x40;
    static final int AND = 0x50;
    static final int LSH = 0x60;
    static final int RSH = 0x70;
    static final int NEG = 0x80;
    static final int MOD = 0x90;
    static final int XOR = 0xa0;

    static final int JA = 0x00;
    static final int JEQ = 0x10;
    static final int JGT = 0x20;
    static final int JGE = 0x30;
    static final int JSET = 0x40;

    /** Source of an ALU or jump operand: the constant k, or the index register X. */
    static final int K = 0x00;
    static final int X = 0x08;
    /** Source of a RET: the constant k or the accumulator. */
    static final int RET_A = 0x10;

    static final int TAX = 0x00;
    static final int TXA = 0x80;

    /** BPF_MAXINSNS: the kernel refuses longer filters. */
    static final int MAX_INSTRUCTIONS = 4096;
    /** BPF_MEMWORDS: scratch memory slots. */
    static final int MEM_WORDS = 16;
    /** Conditional jump offsets are 8-bit; only JA has a 32-bit one. */
    static final int MAX_SHORT_JUMP = 255;

    private Bpf() {
    }

    static int opClass(int code) {
        return code & 0x07;
    }

    static int mode(int code) {
        return code & 0xe0;
    }

    static int op(int code) {
        return code & 0xf0;
    }

    static int source(int code) {
        return code & 0x08;
    }
}

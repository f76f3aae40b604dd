package jbox.security;

/**
 * One struct sock_filter: u16 code, u8 jt, u8 jf, u32 k (8 bytes, native order: little endian on
 * x86_64). Jump offsets count instructions after the next one, so 0 means "fall through".
 */
public record BpfInstruction(int code, int jt, int jf, int k) {
    public static final int SIZE = 8;

    public BpfInstruction {
        if (code < 0 || code > 0xffff || jt < 0 || jt > Bpf.MAX_SHORT_JUMP || jf < 0 || jf > Bpf.MAX_SHORT_JUMP) {
            throw new IllegalArgumentException("not a bpf instruction: code " + code + " jt " + jt + " jf " + jf);
        }
    }

    /** A = the 32-bit word of seccomp_data at {@code offset}. */
    static BpfInstruction load(int offset) {
        return new BpfInstruction(Bpf.LD | Bpf.W | Bpf.ABS, 0, 0, offset);
    }

    static BpfInstruction and(int k) {
        return new BpfInstruction(Bpf.ALU | Bpf.AND | Bpf.K, 0, 0, k);
    }

    static BpfInstruction ret(int k) {
        return new BpfInstruction(Bpf.RET | Bpf.K, 0, 0, k);
    }

    /** pc += 1 + {@code distance}: the only jump whose offset is 32-bit. */
    static BpfInstruction jumpAlways(int distance) {
        return new BpfInstruction(Bpf.JMP | Bpf.JA, 0, 0, distance);
    }

    /** if (A {@code op} k) pc += 1 + jt else pc += 1 + jf, for op JEQ, JGT, JGE or JSET. */
    static BpfInstruction jump(int op, int k, int jt, int jf) {
        return new BpfInstruction(Bpf.JMP | op | Bpf.K, jt, jf, k);
    }

    /** Writes the 8 bytes at {@code at}, little endian (by hand: ByteBuffer is slow in a cold JVM). */
    void writeTo(byte[] out, int at) {
        out[at] = (byte) code;
        out[at + 1] = (byte) (code >>> 8);
        out[at + 2] = (byte) jt;
        out[at + 3] = (byte) jf;
        out[at + 4] = (byte) k;
        out[at + 5] = (byte) (k >>> 8);
        out[at + 6] = (byte) (k >>> 16);
        out[at + 7] = (byte) (k >>> 24);
    }

    static BpfInstruction readFrom(byte[] in, int at) {
        int code = (in[at] & 0xff) | (in[at + 1] & 0xff) << 8;
        int k = (in[at + 4] & 0xff) | (in[at + 5] & 0xff) << 8 | (in[at + 6] & 0xff) << 16 | (in[at + 7] & 0xff) << 24;
        return new BpfInstruction(code, in[at + 2] & 0xff, in[at + 3] & 0xff, k);
    }
}

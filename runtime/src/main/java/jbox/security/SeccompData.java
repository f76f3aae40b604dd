package jbox.security;

/**
 * What a seccomp filter sees of a system call: struct seccomp_data (linux/seccomp.h), whose
 * 32-bit words the filter loads by byte offset. The compiler uses the offsets; BpfInterpreter
 * runs a filter on an instance.
 *
 * <pre>
 *   0  int   nr                    system call number
 *   4  u32   arch                  AUDIT_ARCH_* of the calling convention
 *   8  u64   instruction_pointer
 *  16  u64   args[6]               each as two little-endian words: low at 16+8i, high at 20+8i
 * </pre>
 */
public record SeccompData(int nr, int arch, long instructionPointer, long[] args) {
    public static final int NR = 0;
    public static final int ARCH = 4;
    public static final int INSTRUCTION_POINTER = 8;
    public static final int ARGS = 16;
    public static final int SIZE = 64;
    public static final int ARG_COUNT = 6;

    /** linux/audit.h: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    /** linux/audit.h: EM_386 | __AUDIT_ARCH_LE, what int 0x80 calls from a 64-bit process carry. */
    public static final int AUDIT_ARCH_I386 = 0x40000003;
    /** x32 ABI calls carry AUDIT_ARCH_X86_64 and this bit in their number. */
    public static final int X32_SYSCALL_BIT = 0x40000000;

    public SeccompData {
        if (args.length != ARG_COUNT) {
            throw new IllegalArgumentException("seccomp data has " + ARG_COUNT + " arguments, not " + args.length);
        }
        args = args.clone();
    }

    /** A copy: the record's own array stays unchanged. */
    @Override
    public long[] args() {
        return args.clone();
    }

    public static SeccompData of(int arch, int nr, long... args) {
        long[] all = new long[ARG_COUNT];
        System.arraycopy(args, 0, all, 0, args.length);
        return new SeccompData(nr, arch, 0, all);
    }

    public static int argLowOffset(int index) {
        return ARGS + 8 * index;
    }

    public static int argHighOffset(int index) {
        return ARGS + 8 * index + 4;
    }

    /** Whether BPF_LD|BPF_W|BPF_ABS may load {@code offset}: the kernel refuses other loads. */
    public static boolean isWordOffset(int offset) {
        return offset >= 0 && offset < SIZE && offset % 4 == 0;
    }

    /** The 32-bit word at {@code offset}, as BPF_LD|BPF_W|BPF_ABS loads it. */
    public int word(int offset) {
        if (!isWordOffset(offset)) {
            throw new IllegalArgumentException("seccomp data has no word at offset " + offset);
        }
        long value = switch (offset) {
            case NR -> nr;
            case ARCH -> arch;
            case INSTRUCTION_POINTER -> instructionPointer;
            case INSTRUCTION_POINTER + 4 -> instructionPointer >>> 32;
            default -> offset % 8 == 0 ? args[(offset - ARGS) / 8] : args[(offset - ARGS) / 8] >>> 32;
        };
        return (int) value;
    }
}

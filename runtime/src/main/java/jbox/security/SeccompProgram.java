package jbox.security;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled seccomp filter, ready for seccomp(SECCOMP_SET_MODE_FILTER): {@code bpf} is the
 * struct sock_filter array in x86_64's (little endian) byte order, {@code instructionCount} is
 * struct sock_fprog's len. {@code unknownSyscalls} are profile names the syscall table does not
 * know; like libseccomp and docker the filter leaves them out, and the caller may warn.
 */
public record SeccompProgram(byte[] bpf, int instructionCount, List<String> unknownSyscalls) {
    public SeccompProgram {
        if (bpf.length != instructionCount * BpfInstruction.SIZE) {
            throw new IllegalArgumentException(instructionCount + " instructions do not take " + bpf.length + " bytes");
        }
        unknownSyscalls = List.copyOf(unknownSyscalls);
    }

    static SeccompProgram of(List<BpfInstruction> instructions, List<String> unknownSyscalls) {
        byte[] bpf = new byte[instructions.size() * BpfInstruction.SIZE];
        for (int i = 0; i < instructions.size(); i++) {
            instructions.get(i).writeTo(bpf, i * BpfInstruction.SIZE);
        }
        return new SeccompProgram(bpf, instructions.size(), unknownSyscalls);
    }

    /** The instructions decoded back from {@code bpf}: what the kernel will run. */
    public List<BpfInstruction> instructions() {
        List<BpfInstruction> instructions = new ArrayList<>(instructionCount);
        for (int i = 0; i < instructionCount; i++) {
            instructions.add(BpfInstruction.readFrom(bpf, i * BpfInstruction.SIZE));
        }
        return instructions;
    }
}

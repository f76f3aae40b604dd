package jbox.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jbox.JboxException;
import jbox.security.SeccompProfile.ArgCondition;
import jbox.security.SeccompProfile.Rule;

/**
 * Compiles a seccomp profile into a classic BPF filter for x86_64:
 *
 * <pre>
 *   A = arch;  if A != AUDIT_ARCH_X86_64: return KILL_PROCESS
 *   A = nr;    if A >= 0x40000000 (x32 ABI, or -1): return ERRNO(ENOSYS)
 *              if A > the highest number in our table (a newer call): return ERRNO(ENOSYS)
 *   per action, system calls that always get it:  if A == nr1 or lo <= A <= hi ...: return action
 *   per system call with argument rules:          if A == nr: { rule 1's tests: return action1
 *                                                               rule 2's tests: return action2
 *                                                               return default }
 *   return default
 * </pre>
 *
 * Other architectures are killed rather than compiled: a 64-bit process calling through int 0x80
 * (i386) or any other ABI is refused outright, so a profile written for x86_64 cannot be bypassed
 * by switching ABI. x32 calls share x86_64's arch value but set bit 30 of the number; they get
 * ENOSYS, which is what kernels built without x32 support (most distributions) answer, so a
 * program behaves the same in and out of a container, and syscall(-1) keeps its usual ENOSYS.
 *
 * Rules are regrouped by system call: which rule wins for one call depends only on the order of
 * the rules naming that call, so calls can be tested in any order. Calls whose first rule has no
 * argument tests and gives the default action are left out: the final return covers them.
 */
public final class SeccompCompiler {
    static final SeccompAction X32_ACTION = SeccompAction.errno(SeccompAction.ENOSYS);

    /** Calls sharing one return; 255 keeps every jump to it within an 8-bit offset. */
    private static final int GROUP_SIZE = Bpf.MAX_SHORT_JUMP;

    private SeccompCompiler() {
    }

    private record Choice(List<ArgCondition> args, SeccompAction action) {
    }

    public static SeccompProgram compile(SeccompProfile profile) throws JboxException {
        SyscallTable table = SyscallTable.x86_64();
        Set<String> unknown = new LinkedHashSet<>();
        // Per system call number, in the order the profile first names it: its rules, in order.
        // (Plain loops and int keys, no lambdas or record hashing: their one-time bootstrap costs
        // milliseconds, and this runs on every start.)
        Map<Integer, List<Choice>> choices = new LinkedHashMap<>();
        for (Rule rule : profile.rules()) {
            for (String name : rule.names()) {
                int nr = table.number(name);
                if (nr < 0) {
                    unknown.add(name);
                    continue;
                }
                List<Choice> list = choices.get(nr);
                if (list == null) {
                    list = new ArrayList<>();
                    choices.put(nr, list);
                }
                // After a rule without tests, later rules for the call can never be reached.
                if (list.isEmpty() || !list.get(list.size() - 1).args().isEmpty()) {
                    list.add(new Choice(rule.args(), rule.action()));
                }
            }
        }

        SeccompAction fallback = profile.defaultAction();
        // Calls that always get the same action, by the action's return value.
        Map<Integer, List<Integer>> always = new LinkedHashMap<>();
        List<Map.Entry<Integer, List<Choice>>> conditional = new ArrayList<>();
        for (Map.Entry<Integer, List<Choice>> call : choices.entrySet()) {
            Choice first = call.getValue().get(0);
            int ret = first.action().returnValue();
            if (!first.args().isEmpty()) {
                conditional.add(call);
            } else if (ret != fallback.returnValue()) {
                List<Integer> numbers = always.get(ret);
                if (numbers == null) {
                    numbers = new ArrayList<>();
                    always.put(ret, numbers);
                }
                numbers.add(call.getKey());
            }
        }

        BpfAssembler asm = new BpfAssembler();
        asm.emit(BpfInstruction.load(SeccompData.ARCH));
        BpfAssembler.Label nativeArch = asm.label();
        asm.branch(Bpf.JEQ, SeccompData.AUDIT_ARCH_X86_64, nativeArch, null);
        asm.emit(BpfInstruction.ret(SeccompAction.RET_KILL_PROCESS));
        asm.bind(nativeArch);
        asm.emit(BpfInstruction.load(SeccompData.NR));
        BpfAssembler.Label x86_64Call = asm.label();
        asm.branch(Bpf.JGE, SeccompData.X32_SYSCALL_BIT, null, x86_64Call);
        asm.emit(BpfInstruction.ret(X32_ACTION.returnValue()));
        asm.bind(x86_64Call);
        // Calls newer than our table (it is generated from the build host's headers) get ENOSYS,
        // as on an older kernel, so libc falls back to an older call instead of failing on EPERM.
        BpfAssembler.Label knownCall = asm.label();
        asm.branch(Bpf.JGT, SyscallTable.x86_64().highest(), null, knownCall);
        asm.emit(BpfInstruction.ret(X32_ACTION.returnValue()));
        asm.bind(knownCall);

        for (Map.Entry<Integer, List<Integer>> group : always.entrySet()) {
            // Sorted before the split into groups, so a run of consecutive calls is cut at most once.
            List<Integer> numbers = new ArrayList<>(new TreeSet<>(group.getValue()));
            for (int from = 0; from < numbers.size(); from += GROUP_SIZE) {
                emitGroup(asm, numbers.subList(from, Math.min(from + GROUP_SIZE, numbers.size())), group.getKey());
            }
        }
        for (Map.Entry<Integer, List<Choice>> call : conditional) {
            emitConditional(asm, call.getKey(), call.getValue(), fallback);
        }
        asm.emit(BpfInstruction.ret(fallback.returnValue()));

        List<BpfInstruction> program = asm.assemble();
        if (program.size() > Bpf.MAX_INSTRUCTIONS) {
            throw new JboxException("seccomp profile " + profile.source() + ": compiles to " + program.size()
                    + " bpf instructions, more than the kernel's limit of " + Bpf.MAX_INSTRUCTIONS);
        }
        return SeccompProgram.of(program, List.copyOf(unknown));
    }

    /**
     * A holds nr: if it is one of {@code numbers} (ascending), return {@code ret}, else go on after
     * the group. Consecutive numbers (three or more) are tested as one range, two instructions: the default
     * profile's ~330 allowed calls lie in a few dozen runs, and the kernel checks and JIT-compiles
     * every instruction at each container's start (and each call of the container walks them).
     * Never more instructions than numbers, so every jump to the shared return stays short.
     */
    private static void emitGroup(BpfAssembler asm, List<Integer> numbers, int ret) {
        BpfAssembler.Label matched = asm.label();
        BpfAssembler.Label after = asm.label();
        int i = 0;
        while (i < numbers.size()) {
            int j = i;
            while (j + 1 < numbers.size() && numbers.get(j + 1) == numbers.get(j) + 1) {
                j++;
            }
            boolean last = j == numbers.size() - 1;
            if (j - i >= 2) { // lo <= A <= hi
                BpfAssembler.Label outside = last ? after : asm.label();
                asm.branch(Bpf.JGE, numbers.get(i), null, outside);
                asm.branch(Bpf.JGT, numbers.get(j), outside, matched);
                if (!last) {
                    asm.bind(outside);
                }
                i = j + 1;
            } else {
                asm.branch(Bpf.JEQ, numbers.get(i), matched, i == numbers.size() - 1 ? after : null);
                i++;
            }
        }
        asm.bind(matched);
        asm.emit(BpfInstruction.ret(ret));
        asm.bind(after);
    }

    /** A holds nr: if it is {@code nr}, decide by its rules (A is reused for arguments), else go on. */
    private static void emitConditional(BpfAssembler asm, int nr, List<Choice> list, SeccompAction fallback) {
        BpfAssembler.Label otherCall = asm.label();
        asm.branch(Bpf.JEQ, nr, null, otherCall);
        boolean alwaysReturns = false;
        for (Choice choice : list) {
            BpfAssembler.Label nextRule = asm.label();
            for (ArgCondition condition : choice.args()) {
                emitCondition(asm, condition, nextRule);
            }
            asm.emit(BpfInstruction.ret(choice.action().returnValue()));
            asm.bind(nextRule);
            alwaysReturns = choice.args().isEmpty();
        }
        if (!alwaysReturns) {
            asm.emit(BpfInstruction.ret(fallback.returnValue()));
        }
        asm.bind(otherCall);
    }

    /**
     * Falls through when the 64-bit unsigned test holds, jumps to {@code fail} when not. BPF
     * compares 32-bit words, so the high words decide unless they are equal, then the low words.
     */
    private static void emitCondition(BpfAssembler asm, ArgCondition c, BpfAssembler.Label fail) {
        int lowAt = SeccompData.argLowOffset(c.index());
        int highAt = SeccompData.argHighOffset(c.index());
        int high = (int) (c.value() >>> 32);
        int low = (int) c.value();
        BpfAssembler.Label pass = asm.label();
        switch (c.op()) {
            case EQ -> {
                asm.emit(BpfInstruction.load(highAt));
                asm.branch(Bpf.JEQ, high, null, fail);
                asm.emit(BpfInstruction.load(lowAt));
                asm.branch(Bpf.JEQ, low, null, fail);
            }
            case NE -> {
                asm.emit(BpfInstruction.load(highAt));
                asm.branch(Bpf.JEQ, high, null, pass);
                asm.emit(BpfInstruction.load(lowAt));
                asm.branch(Bpf.JEQ, low, fail, null);
            }
            case GT, GE -> {
                asm.emit(BpfInstruction.load(highAt));
                asm.branch(Bpf.JGT, high, pass, null);
                asm.branch(Bpf.JEQ, high, null, fail);
                asm.emit(BpfInstruction.load(lowAt));
                asm.branch(c.op() == SeccompProfile.Op.GT ? Bpf.JGT : Bpf.JGE, low, null, fail);
            }
            case LT, LE -> {
                // BPF has no "less than": A < k is "not A >= k", A <= k is "not A > k".
                asm.emit(BpfInstruction.load(highAt));
                asm.branch(Bpf.JGE, high, null, pass);
                asm.branch(Bpf.JEQ, high, null, fail);
                asm.emit(BpfInstruction.load(lowAt));
                asm.branch(c.op() == SeccompProfile.Op.LT ? Bpf.JGE : Bpf.JGT, low, fail, null);
            }
            case MASKED_EQ -> {
                int highMask = (int) (c.value() >>> 32);
                int highExpected = (int) (c.valueTwo() >>> 32);
                // A mask without high bits and an expected value without them always agree there.
                if (highMask != 0 || highExpected != 0) {
                    asm.emit(BpfInstruction.load(highAt));
                    asm.emit(BpfInstruction.and(highMask));
                    asm.branch(Bpf.JEQ, highExpected, null, fail);
                }
                asm.emit(BpfInstruction.load(lowAt));
                asm.emit(BpfInstruction.and((int) c.value()));
                asm.branch(Bpf.JEQ, (int) c.valueTwo(), null, fail);
            }
            default -> throw new IllegalStateException("unhandled comparison " + c.op());
        }
        asm.bind(pass);
    }
}

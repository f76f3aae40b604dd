package jbox.security;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays out a classic BPF program whose jumps name labels instead of offsets. Conditional jumps
 * have 8-bit offsets, so a target more than 255 instructions ahead is reached through a JA
 * (32-bit offset) placed right after the jump; adding one moves later code, which can push other
 * jumps out of range, so layout repeats until nothing changes (a jump only ever goes from near to
 * far, so this ends). Jumps only go forward: BPF has no backward jumps, which is why filters end.
 */
final class BpfAssembler {
    /** A place in the program, bound once with {@link #bind}; a null label means "the next instruction". */
    static final class Label {
        private int item = -1;
    }

    private sealed interface Item permits Plain, Branch, Goto {
    }

    private record Plain(BpfInstruction instruction) implements Item {
    }

    private record Goto(Label target) implements Item {
    }

    private static final class Branch implements Item {
        final int op;
        final int k;
        final Label whenTrue;
        final Label whenFalse;
        boolean farTrue;
        boolean farFalse;

        Branch(int op, int k, Label whenTrue, Label whenFalse) {
            this.op = op;
            this.k = k;
            this.whenTrue = whenTrue;
            this.whenFalse = whenFalse;
        }

        int size() {
            return 1 + (farTrue ? 1 : 0) + (farFalse ? 1 : 0);
        }
    }

    private final List<Item> items = new ArrayList<>();

    Label label() {
        return new Label();
    }

    void bind(Label label) {
        if (label.item >= 0) {
            throw new IllegalStateException("label bound twice");
        }
        label.item = items.size();
    }

    /** An instruction that does not jump (load, ALU, return). */
    void emit(BpfInstruction instruction) {
        if (Bpf.opClass(instruction.code()) == Bpf.JMP) {
            throw new IllegalArgumentException("jumps go through branch() or jumpTo()");
        }
        items.add(new Plain(instruction));
    }

    /** if (A op k) goto whenTrue else goto whenFalse; null for either means the next instruction. */
    void branch(int op, int k, Label whenTrue, Label whenFalse) {
        items.add(new Branch(op, k, whenTrue, whenFalse));
    }

    void jumpTo(Label target) {
        items.add(new Goto(target));
    }

    List<BpfInstruction> assemble() {
        int[] address = layOut();
        List<BpfInstruction> program = new ArrayList<>(address[items.size()]);
        for (int i = 0; i < items.size(); i++) {
            int at = address[i];
            int next = address[i + 1];
            Item item = items.get(i);
            if (item instanceof Plain plain) {
                program.add(plain.instruction());
            } else if (item instanceof Goto jump) {
                program.add(BpfInstruction.jumpAlways(target(jump.target(), next, address) - at - 1));
            } else {
                Branch b = (Branch) item;
                int trueAt = target(b.whenTrue, next, address);
                int falseAt = target(b.whenFalse, next, address);
                // Far sides first go to their JA, which follows the branch in the order true, false.
                int trueStub = at + 1;
                int falseStub = at + 1 + (b.farTrue ? 1 : 0);
                int jt = (b.farTrue ? trueStub : trueAt) - at - 1;
                int jf = (b.farFalse ? falseStub : falseAt) - at - 1;
                program.add(BpfInstruction.jump(b.op, b.k, jt, jf));
                if (b.farTrue) {
                    program.add(BpfInstruction.jumpAlways(trueAt - trueStub - 1));
                }
                if (b.farFalse) {
                    program.add(BpfInstruction.jumpAlways(falseAt - falseStub - 1));
                }
            }
        }
        return program;
    }

    /** Addresses of every item (and of the end, at index size()) once all far jumps have their JA. */
    private int[] layOut() {
        int[] address = new int[items.size() + 1];
        boolean changed = true;
        while (changed) {
            for (int i = 0; i < items.size(); i++) {
                address[i + 1] = address[i] + (items.get(i) instanceof Branch b ? b.size() : 1);
            }
            changed = false;
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof Branch b) {
                    int next = address[i + 1];
                    if (!b.farTrue && target(b.whenTrue, next, address) - address[i] - 1 > Bpf.MAX_SHORT_JUMP) {
                        b.farTrue = true;
                        changed = true;
                    }
                    if (!b.farFalse && target(b.whenFalse, next, address) - address[i] - 1 > Bpf.MAX_SHORT_JUMP) {
                        b.farFalse = true;
                        changed = true;
                    }
                }
            }
        }
        return address;
    }

    private int target(Label label, int next, int[] address) {
        if (label == null) {
            return next;
        }
        if (label.item < 0) {
            throw new IllegalStateException("jump to a label that was never bound");
        }
        int at = address[label.item];
        if (at < next) {
            throw new IllegalStateException("bpf jumps only go forward");
        }
        return at;
    }
}

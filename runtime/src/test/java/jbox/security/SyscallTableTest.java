package jbox.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The generated x86_64 table: numbers that never change (they are the kernel's ABI). */
class SyscallTableTest {
    @Test
    void knowsTheX86_64Numbers() {
        SyscallTable t = SyscallTable.x86_64();
        assertEquals(0, t.number("read"));
        assertEquals(56, t.number("clone"));
        assertEquals(59, t.number("execve"));
        assertEquals(165, t.number("mount"));
        assertEquals(231, t.number("exit_group"));
        assertEquals(435, t.number("clone3"));
        assertEquals(-1, t.number("no_such_call"));
        assertTrue(t.size() > 350, "only " + t.size() + " entries");
    }

    @Test
    void skipsCommentsAndRejectsMalformedLines() {
        assertEquals(2, SyscallTable.parse("# header\nread 0\n\nwrite 1\n").size());
        assertThrows(IllegalStateException.class, () -> SyscallTable.parse("read zero\n"));
        assertThrows(IllegalStateException.class, () -> SyscallTable.parse("read 0\nread 1\n"));
    }
}

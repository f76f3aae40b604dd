package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A wait(2) status becomes docker's exit code: the status itself, or 128+N for signal N. */
class ExitCodeTest {
    static int exited(int code) {
        return (code & 0xff) << 8;
    }

    @Test
    void normalExitsKeepTheirStatus() {
        assertEquals(0, ContainerRunner.exitCode(exited(0)));
        assertEquals(1, ContainerRunner.exitCode(exited(1)));
        assertEquals(42, ContainerRunner.exitCode(exited(42)));
        assertEquals(255, ContainerRunner.exitCode(exited(255)));
    }

    @Test
    void aSignalIs128PlusItsNumber() {
        assertEquals(130, ContainerRunner.exitCode(2)); // SIGINT
        assertEquals(137, ContainerRunner.exitCode(9)); // SIGKILL
        assertEquals(143, ContainerRunner.exitCode(15)); // SIGTERM
    }

    @Test
    void aCoreDumpDoesNotChangeTheSignal() {
        assertEquals(139, ContainerRunner.exitCode(11 | 0x80)); // SIGSEGV, core dumped
        assertEquals(134, ContainerRunner.exitCode(6 | 0x80)); // SIGABRT, core dumped
    }
}

package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * -it for real: util-linux `script` gives jbox a pseudo-terminal, as a user's terminal would be,
 * and the test types into it (Ctrl-C included) and reads the screen.
 */
class TtyIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }


    private static Jbox.Result inPty(String inner) throws Exception {
        try (Pty pty = new Pty(inner)) {
            return pty.finish();
        }
    }

    @Test
    void theCommandGetsItsOwnTerminalWithTheWindowSize() throws Exception {
        Jbox.Result r = inPty("stty rows 33 cols 111; " + Jbox.LAUNCHER + " run -it --rm " + Jbox.IMAGE
                + " sh -c 'tty; stty size; echo $TERM; exit 3'");
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("/dev/pts/0\n"), "a terminal of the container's own devpts: " + r.out());
        assertTrue(r.out().contains("33 111\n"), r.out());
        assertTrue(r.out().contains("xterm\n"), r.out());
    }

    @Test
    void typingWorksAndCtrlCReachesTheContainersForegroundProcess() throws Exception {
        try (Pty pty = new Pty(Jbox.LAUNCHER + " run -it --rm " + Jbox.IMAGE + " sh")) {
            typeAndInterrupt(pty);
        }
    }

    private static void typeAndInterrupt(Pty pty) throws Exception {
        int at = pty.await("# ", 0); // busybox sh's prompt: the terminal is raw and the shell reads
        pty.type("echo $((6*7))\n");
        at = pty.await("\n42\n", at);
        at = pty.await("# ", at);
        // a sleep of its own length, found from the host, so ^C is typed while it runs
        pty.type("sleep 2071\n");
        Await.until("sleep 2071 runs", () -> pty.process().descendants().anyMatch(h -> cmdline(h.pid()).equals("sleep\u00002071\u0000")));
        pty.type("\u0003");
        // the prompt is back within Await's deadline, far below the sleep's 2071 s: ^C ended it
        at = pty.await("# ", at);
        pty.type("echo after-interrupt\n");
        pty.await("after-interrupt\n", at);
        pty.type("exit 5\n");
        Jbox.Result r = pty.finish();
        assertEquals(5, r.code(), r.out());
    }

    /** The argv as the kernel has it (ProcessHandle's commandLine puts the executable's path first: busybox). */
    private static String cmdline(long pid) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/cmdline"));
        } catch (java.io.IOException gone) {
            return "";
        }
    }

    @Test
    void theUsersTerminalIsRestoredOnExit() throws Exception {
        Jbox.Result r = inPty(Jbox.LAUNCHER + " run -it --rm " + Jbox.IMAGE + " sh -c 'exit 0'; stty -a");
        assertTrue(r.out().contains(" icanon") && r.out().contains(" echo "), "still raw: " + r.out());
        Jbox.Result failed = inPty(Jbox.LAUNCHER + " run -it --rm " + Jbox.IMAGE + " no-such-command; stty -a");
        assertTrue(failed.out().contains(" icanon"), "raw after a failed start: " + failed.out());
    }

    @Test
    void execGetsATerminalToo() throws Exception {
        String name = Containers.uniqueName("ttyexec");
        Jbox.run("run", "-d", "--rm", "--name", name, Jbox.IMAGE, "sleep", "30");
        Containers.awaitRunning(name);
        Jbox.Result r = inPty(Jbox.LAUNCHER + " exec -it " + name + " sh -c 'tty; exit 4'");
        assertEquals(4, r.code(), r.out());
        assertTrue(r.out().contains("/dev/pts/"), r.out());
        Jbox.run("kill", name);
    }
}

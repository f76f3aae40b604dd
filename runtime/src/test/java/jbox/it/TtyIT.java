package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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

    /** Runs {@code inner} (a shell command line) in a pty made by script; feeds {@code keys} with pauses. */
    private static Jbox.Result inPty(String inner, String... keys) throws Exception {
        ProcessBuilder pb = Jbox.builder();
        pb.command("script", "-qec", inner, "/dev/null");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        for (String k : keys) {
            Thread.sleep(700);
            p.getOutputStream().write(k.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
        }
        Thread.sleep(300);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "hung: " + out);
        return new Jbox.Result(p.exitValue(), out, "");
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
        long t0 = System.nanoTime();
        Jbox.Result r = inPty(Jbox.LAUNCHER + " run -it --rm " + Jbox.IMAGE + " sh",
                "echo $((6*7))\n", "sleep 20\n", "\u0003", "echo after-interrupt\n", "exit 5\n");
        assertEquals(5, r.code(), r.out());
        assertTrue(r.out().contains("\n42\n"), r.out());
        assertTrue(r.out().contains("after-interrupt\n"), r.out());
        assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "Ctrl-C did not interrupt sleep 20");
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

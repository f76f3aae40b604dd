package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `jbox attach` (issue #16) through a real pty: a `run -dit` shell typed into, left with Ctrl-P
 * Ctrl-Q while it runs on, attached again and exited; one client at a time; no attach to an exited
 * or a foreground container; the socket closed to other users.
 */
class AttachIT {
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    private final List<String> containers = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String c : containers) {
            Jbox.run("rm", "-f", c);
        }
        Jbox.cleanUp();
    }

    private String detached(String... cmd) throws Exception {
        String name = Containers.uniqueName("att");
        containers.add(name);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(List.of(cmd));
        Jbox.Result r = Jbox.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.all());
        return name;
    }

    /** jbox attach in a pty of rows x cols; returns once the container's terminal has that size,
     * which the client sends only after it put its own terminal in raw mode. */
    private static Pty attach(String name, long pid, int rows, int cols) throws Exception {
        Pty pty = new Pty("stty rows " + rows + " cols " + cols + "; " + Pty.exec(Jbox.LAUNCHER + " attach " + name));
        Await.until("the container's terminal is " + rows + "x" + cols, () -> {
            try {
                return Jbox.host("stty", "-F", "/proc/" + pid + "/fd/0", "size").equals(rows + " " + cols + "\n");
            } catch (Exception e) {
                return false;
            }
        });
        return pty;
    }

    @Test
    void typeDetachWithCtrlPCtrlQAttachAgainAndExit() throws Exception {
        String name = detached("-it", Jbox.IMAGE, "sh");
        JsonNode s = Containers.awaitRunning(name);
        long pid = s.path("pid").asLong();
        Containers.awaitExec(pid, "sh");
        Path socket = Jbox.STATE.resolve(s.path("id").asText()).resolve("attach.sock");
        try (Pty pty = attach(name, pid, 33, 111)) {
            pty.type("echo $((6*7))\n");
            int at = pty.await("\n42\n", 0);

            Jbox.Result second = Jbox.run("attach", name);
            assertEquals(125, second.code(), second.all());
            assertEquals("jbox: attach to " + name + ": another client is attached (one at a time)\n", second.err());

            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)));
            assertEquals("root", Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS).getName());
            Jbox.Result nobody = Jbox.finish(new ProcessBuilder(withNobody(shim().toString(), "attach", socket.toString(), name)).start());
            assertEquals(125, nobody.code(), nobody.all());
            assertTrue(nobody.err().contains("connect to its monitor's socket: Permission denied"), nobody.all());

            pty.type("\u0010\u0011"); // Ctrl-P Ctrl-Q
            Jbox.Result left = pty.finish();
            assertEquals(0, left.code(), left.out());
            assertTrue(left.out().substring(at).contains("read escape sequence"), left.out());
        }
        assertTrue(Containers.alive(pid), "the container runs on after the detach keys");
        assertTrue(Jbox.run("ps").out().contains(name), "jbox ps still lists it");

        try (Pty pty = attach(name, pid, 34, 112)) {
            pty.type("echo again-$((2+3))\n");
            pty.await("again-5\n", 0);
            pty.type("exit 3\n");
            Jbox.Result ended = pty.finish();
            assertEquals(3, ended.code(), ended.out());
        }
        assertEquals("3\n", Jbox.run("wait", name).out());
        assertTrue(!Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the monitor removed its socket");
        Jbox.Result stopped = Jbox.run("attach", name);
        assertEquals(125, stopped.code(), stopped.all());
        assertEquals("jbox: container " + name + " is not running\n", stopped.err());
    }

    @Test
    void otherDetachKeysAndAContainerWithoutATerminalGivesOutputOnly() throws Exception {
        String name = detached(Jbox.IMAGE, "sh", "-c", "while :; do echo tick; sleep 1; done");
        long pid = Containers.awaitRunning(name).path("pid").asLong();
        try (Pty pty = new Pty(Pty.exec(Jbox.LAUNCHER + " attach --detach-keys ctrl-x,x " + name))) {
            int at = pty.await("attached to its output only", 0);
            pty.await("tick\n", at);
            assertEquals(0, Jbox.run("kill", name).code());
            Jbox.Result r = pty.finish();
            assertEquals(137, r.code(), "the container's status (SIGKILL): " + r.out());
        }
        Containers.awaitGone(pid);
        Jbox.Result bad = Jbox.run("attach", "--detach-keys", "ctrl-P", name);
        assertEquals(125, bad.code(), bad.all());
        assertTrue(bad.err().startsWith("jbox: invalid --detach-keys ctrl-P: unknown key 'ctrl-P'"), bad.all());
    }

    @Test
    void runDiKeepsStdinOpenAndAttachFeedsIt() throws Exception {
        String name = detached("-i", Jbox.IMAGE, "sh", "-c", "read line; echo got-$line; exit 5");
        Containers.awaitRunning(name);
        Jbox.Result r = Jbox.runWithInput("hello\n", "attach", name);
        assertEquals(5, r.code(), r.all());
        assertEquals("got-hello\n", r.out(), r.all());
        // without -i the container's stdin is /dev/null, as docker's run -d: read ends at once
        String plain = detached(Jbox.IMAGE, "sh", "-c", "read line; echo read-$?");
        assertEquals("0\n", Jbox.run("wait", plain).out());
        assertEquals("read-1\n", Jbox.run("logs", plain).out());
    }

    @Test
    void aForegroundContainerHasNothingToAttachTo() throws Exception {
        String name = Containers.uniqueName("attfg");
        containers.add(name);
        Process fg = Jbox.start("run", "--name", name, Jbox.IMAGE, "sleep", "600");
        try {
            Containers.awaitRunning(name);
            Jbox.Result r = Jbox.run("attach", name);
            assertEquals(125, r.code(), r.all());
            assertTrue(r.err().startsWith("jbox: cannot attach to container " + name + ": it does not run detached"), r.all());
        } finally {
            fg.destroyForcibly();
        }
    }

    @Test
    void aNonRootPeerIsRefusedEvenWhenItCanReachTheSocket() throws Exception {
        String name = detached("-it", Jbox.IMAGE, "sh");
        JsonNode s = Containers.awaitRunning(name);
        Path dir = Jbox.STATE.resolve(s.path("id").asText());
        Path socket = dir.resolve("attach.sock");
        Await.until("the attach socket exists", () -> Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        // Open the directory and socket up so the refusal has to come from SO_PEERCRED.
        Object dirMode = Files.getAttribute(dir, "unix:mode");
        Files.setAttribute(socket, "unix:mode", 0666);
        Files.setAttribute(dir, "unix:mode", 0711);
        try {
            Jbox.Result r = Jbox.finish(new ProcessBuilder(withNobody(shim().toString(), "attach", socket.toString(), name)).start());
            assertEquals(125, r.code(), r.all());
            assertTrue(r.err().startsWith("jbox: attach to " + name + ": read its monitor's answer: "), r.all());
            assertEquals("", r.out());
        } finally {
            Files.setAttribute(dir, "unix:mode", dirMode);
            Files.setAttribute(socket, "unix:mode", 0600);
        }
        assertTrue(Containers.alive(s.path("pid").asLong()), "the container runs on");
    }

    private static Path shim() {
        return Jbox.LAUNCHER.resolveSibling("jbox-shim");
    }

    private static List<String> withNobody(String... cmd) {
        List<String> argv = new ArrayList<>(NOBODY);
        argv.addAll(List.of(cmd));
        return argv;
    }
}

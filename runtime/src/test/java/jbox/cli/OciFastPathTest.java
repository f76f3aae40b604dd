package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The OCI verbs podman and containerd send, parsed without picocli; anything else is left to picocli (null). */
class OciFastPathTest {
    private static Callable<Integer> parse(String... args) {
        return OciFastPath.parse(args);
    }

    @Test
    void createAsConmonCallsIt() {
        OciCommands.Create c = assertInstanceOf(OciCommands.Create.class, parse("create", "--bundle", "/b", "--pid-file",
                "pidfile", "--console-socket=/s.sock", "--no-pivot", "ctr1"));
        assertEquals(Path.of("/b"), c.bundle);
        assertEquals(Path.of("pidfile"), c.pidFile, "kept relative: the command resolves it against the caller's cwd");
        assertEquals("/s.sock", c.consoleSocket);
        assertTrue(c.noPivot);
        assertEquals("ctr1", c.id);
    }

    @Test
    void theOneIdVerbs() {
        assertEquals("a", assertInstanceOf(OciCommands.Start.class, parse("start", "a")).id);
        assertEquals("b", assertInstanceOf(OciCommands.State.class, parse("state", "b")).id);
        assertEquals("c", assertInstanceOf(OciVerbCommands.Pause.class, parse("pause", "c")).id);
        assertEquals("d", assertInstanceOf(OciVerbCommands.Resume.class, parse("resume", "d")).id);
        OciCommands.Delete d = assertInstanceOf(OciCommands.Delete.class, parse("delete", "-f", "e"));
        assertTrue(d.force);
        assertEquals("e", d.id);
    }

    @Test
    void killTakesTheSignalAsSecondArgument() {
        SignalCommands.Kill k = assertInstanceOf(SignalCommands.Kill.class, parse("kill", "--all", "id", "KILL"));
        assertTrue(k.all);
        assertEquals(java.util.List.of("id", "KILL"), k.refs);
        assertEquals(java.util.List.of("id"), assertInstanceOf(SignalCommands.Kill.class, parse("kill", "id")).refs);
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        for (String[] args : new String[][] {
            {"start"}, {"start", "a", "b"}, {"start", "--help"}, {"create", "--bogus", "id"}, {"create", "-b"},
            {"delete", "--force=yes", "id"}, {"kill", "id", "-9"}, {"kill", "a", "b", "c"}, {"ps", "id"}, {"run", "x"},
            {"create", "--no-pivot=true", "id"}}) {
            assertNull(parse(args), String.join(" ", args));
        }
    }
}

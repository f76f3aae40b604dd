package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** runc's global flags, taken off the front of the arguments, one GlobalFlags per request. */
class GlobalFlagsTest {
    private static final Path CWD = Path.of("/caller/cwd");

    @Test
    void leadingFlagsAreTakenOffAndTheRestKept() throws JboxException {
        GlobalFlags f = new GlobalFlags();
        List<String> rest = f.strip(List.of("--root", "/r", "--log=/l.json", "--log-format", "json", "--debug",
                "state", "--root", "x"), CWD);
        assertEquals(List.of("state", "--root", "x"), rest, "only the leading flags are global");
        assertEquals(Path.of("/r"), f.root);
        assertEquals(Path.of("/l.json"), f.log);
        assertEquals("json", f.logFormat);
        assertTrue(f.debug);
        assertTrue(f.given);
    }

    @Test
    void relativePathsResolveAgainstTheCallersDirectoryNotTheJvms() throws JboxException {
        GlobalFlags f = new GlobalFlags();
        f.strip(List.of("--root", "state", "--log", "../jbox.log", "list"), CWD);
        assertEquals(Path.of("/caller/cwd/state"), f.root);
        assertEquals(Path.of("/caller/cwd/../jbox.log"), f.log);
    }

    @Test
    void withoutGlobalFlagsNothingIsGiven() throws JboxException {
        GlobalFlags f = new GlobalFlags();
        assertEquals(List.of("run", "--rm", "busybox"), f.strip(List.of("run", "--rm", "busybox"), CWD));
        assertFalse(f.given, "run is then jbox run IMAGE, not runc's run");
        assertNull(f.root);
        assertEquals(List.of("--help"), f.strip(List.of("--help"), CWD), "--help belongs to picocli");
    }

    @Test
    void ignoredFlagsStillCountAsGiven() throws JboxException {
        GlobalFlags f = new GlobalFlags();
        assertEquals(List.of("run", "id"), f.strip(List.of("--criu", "/usr/sbin/criu", "--rootless=auto", "run", "id"), CWD));
        assertTrue(f.given);
    }

    @Test
    void mistakesAreOneLineErrors() {
        assertEquals("global option --root needs a value",
                assertThrows(JboxException.class, () -> new GlobalFlags().strip(List.of("--root"), CWD)).getMessage());
        assertTrue(assertThrows(JboxException.class, () -> new GlobalFlags().strip(List.of("--log-format", "xml", "ps"), CWD))
                .getMessage().startsWith("invalid --log-format xml"));
        assertTrue(assertThrows(JboxException.class, () -> new GlobalFlags().strip(List.of("--systemd-cgroup", "create"), CWD))
                .getMessage().startsWith("--systemd-cgroup is not supported"));
        assertTrue(assertThrows(JboxException.class, () -> new GlobalFlags().strip(List.of("--rootless", "true", "ps"), CWD))
                .getMessage().startsWith("--rootless true is not supported"));
    }

    @Test
    void oneRequestsFlagsDoNotReachAnother() throws JboxException {
        GlobalFlags first = new GlobalFlags();
        first.strip(List.of("--root", "/a", "--debug", "list"), CWD);
        GlobalFlags second = new GlobalFlags();
        second.strip(List.of("list"), CWD);
        assertNull(second.root);
        assertFalse(second.debug);
        assertFalse(second.given);
    }
}

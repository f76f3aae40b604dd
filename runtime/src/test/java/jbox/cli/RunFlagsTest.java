package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** `jbox run`'s hand parser (the hot path): docker's spellings, and everything after IMAGE is the command's. */
class RunFlagsTest {
    private static RunFlags.Parsed parse(String... args) throws JboxException {
        return RunFlags.parse(List.of(args));
    }

    @Test
    void optionsThenImageThenTheCommandUntouched() throws JboxException {
        RunFlags.Parsed p = parse("--rm", "--net", "none", "-e", "A=1", "--env=B=2", "busybox", "sh", "-c", "--rm");
        assertTrue(p.has("--rm"));
        assertEquals("none", p.value("--network"), "stored under the last (long) name");
        assertEquals(List.of("A=1", "B=2"), p.all("--env"));
        assertEquals("busybox", p.image());
        assertEquals(List.of("sh", "-c", "--rm"), p.command());
    }

    @Test
    void bundledSwitchesAsDocker() throws JboxException {
        RunFlags.Parsed p = parse("-dit", "busybox");
        assertTrue(p.has("--detach") && p.has("--interactive") && p.has("--tty"));
        assertEquals(List.of(), p.command());
    }

    @Test
    void aValueFlagKeepsTheLastValueAndARepeatedOneAll() throws JboxException {
        RunFlags.Parsed p = parse("--name", "a", "--name", "b", "-v", "/x:/x", "-v", "/y:/y", "busybox");
        assertEquals("b", p.value("--name"));
        assertEquals(List.of("/x:/x", "/y:/y"), p.all("--volume"));
        assertNull(p.value("--user"));
        assertEquals(List.of(), p.all("--publish"));
    }

    @Test
    void doubleDashEndsTheOptions() throws JboxException {
        RunFlags.Parsed p = parse("--rm", "--", "-image-like", "x");
        assertEquals("-image-like", p.image());
        assertEquals(List.of("x"), p.command());
    }

    @Test
    void helpNeedsNoImage() throws JboxException {
        RunFlags.Parsed p = parse("--help");
        assertTrue(p.has("--help"));
        assertNull(p.image());
    }

    @Test
    void mistakesAreNamed() {
        Map<List<String>, String> cases = Map.of(
                List.of("--bogus", "busybox"), "unknown option --bogus for run (see: jbox run --help)",
                List.of("-ix", "busybox"), "unknown option -ix for run (see: jbox run --help)",
                List.of("--rm=true", "busybox"), "option --rm takes no value",
                List.of("--name"), "option --name needs a value: NAME",
                List.of("--rm"), "run needs an IMAGE (see: jbox image ls)");
        cases.forEach((args, message) ->
                assertEquals(message, assertThrows(JboxException.class, () -> RunFlags.parse(args)).getMessage(), args.toString()));
    }

    @Test
    void everyFlagHasOneKeyAndHelpShowsThemAll() {
        for (RunFlags.Flag f : RunFlags.ALL) {
            assertTrue(f.key().startsWith("--"), f.key());
            assertFalse(f.description().isEmpty(), f.key());
        }
        assertEquals(RunFlags.ALL.size(), RunFlags.helpSpec().options().size());
    }
}

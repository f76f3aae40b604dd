package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --env-file in docker's format, relative to the caller's cwd, and -l labels. */
class EnvFileTest {
    @TempDir
    Path dir;

    @Test
    void linesAreTakenLiterallyCommentsSkippedBareKeysFromTheCaller() throws Exception {
        Path f = Files.writeString(dir.resolve("app.env"),
                "\uFEFF# a comment\n\nA=1 2 \n  B\nC=\"quoted\"\nD=x=y\nUNSET\r\nE=\n");
        assertEquals(List.of("A=1 2 ", "B=from caller", "C=\"quoted\"", "D=x=y", "E="),
                EnvFile.read(f, Map.of("B", "from caller")));
    }

    @Test
    void badLinesNameTheFileAndLine() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.env"), "A=1\n=2\n");
        assertEquals("--env-file " + f + " line 2: no variable name",
                assertThrows(JboxException.class, () -> EnvFile.read(f, Map.of())).getMessage());
        Path g = Files.writeString(dir.resolve("space.env"), "MY VAR=1\n");
        assertEquals("--env-file " + g + " line 1: variable \"MY VAR\" contains whitespace",
                assertThrows(JboxException.class, () -> EnvFile.read(g, Map.of())).getMessage());
        assertEquals("cannot read --env-file " + dir.resolve("none") + ": no such file or directory",
                assertThrows(JboxException.class, () -> EnvFile.read(dir.resolve("none"), Map.of())).getMessage());
    }

    @Test
    void theFileIsTheCallersRelativeToItsDirectory() {
        CapturedRequest missing = new CapturedRequest(dir, Map.of(), "run", "--env-file", "app.env", "busybox");
        assertEquals(125, missing.run());
        assertEquals("jbox: cannot read --env-file " + dir.resolve("app.env") + ": no such file or directory\n", missing.err());
    }

    @Test
    void labelsAreKeyValueAndABareKeyIsEmpty() throws JboxException {
        assertEquals(List.of("a=1", "b=", "c=x=y"), EnvFile.labels(List.of("a=1", "b", "c=x=y")));
        assertEquals("invalid label \"=v\": expected KEY=VALUE",
                assertThrows(JboxException.class, () -> EnvFile.labels(List.of("=v"))).getMessage());
    }
}

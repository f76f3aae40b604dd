package jbox.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Modes come out exact whatever the umask or what was there before. */
class FileModesTest {
    @TempDir
    Path dir;

    private static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode") & 07777;
    }

    @Test
    void filesAndDirectoriesGetExactlyTheirMode() throws Exception {
        FileModes.write(dir.resolve("a"), new byte[] {1}, 0600);
        FileModes.write(dir.resolve("b"), new byte[] {1}, 0644);
        FileModes.createDirectory(dir.resolve("d"), 0710);
        FileModes.createFile(dir.resolve("f"), 0600);
        assertEquals(0600, mode(dir.resolve("a")));
        assertEquals(0644, mode(dir.resolve("b")));
        assertEquals(0710, mode(dir.resolve("d")));
        assertEquals(0600, mode(dir.resolve("f")));
    }

    @Test
    void aLooseExistingRootIsTightenedAndHandedToItsOwner() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Files.setAttribute(root, "unix:mode", 0777);
        Files.setAttribute(root, "unix:gid", 65534);
        FileModes.ensureDirectory(root, 0710, 0, 100000);
        assertEquals(0710, mode(root));
        assertEquals(100000, Files.getAttribute(root, "unix:gid"));
        Path made = FileModes.ensureDirectory(dir.resolve("x/y"), 0711, 0, 0);
        assertEquals(0711, mode(made));
        assertEquals(0, mode(dir.resolve("x")) & ~0755, "a missing parent is made as a system directory, never looser");
    }
}

package jbox.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheFileWholeAndLeavesNoTemporaryBehind() throws IOException {
        Path f = dir.resolve("state.json");
        AtomicFile.write(f, "one".getBytes(StandardCharsets.UTF_8), 0600);
        AtomicFile.write(f, "two".getBytes(StandardCharsets.UTF_8), 0600);
        assertEquals("two", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void aFailedRenameLeavesNoTemporary() throws IOException {
        Path d = Files.createDirectory(dir.resolve("d"));
        Files.writeString(d.resolve("inside"), "a directory that is not empty cannot be replaced");
        assertThrows(IOException.class, () -> AtomicFile.write(d, new byte[] {2}, 0600));
        assertFalse(Files.exists(dir.resolve(".d.tmp")));
    }
}

package jbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcFileTest {
    @Test
    void readsAProcFileWholeThoughItsSizeIsZero() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        String stat = ProcFile.read(Path.of("/proc/self/stat"));
        assertEquals(pid, stat.substring(0, stat.indexOf(' ')));
        // more than one field: a short read would stop early
        assertEquals(true, stat.trim().split(" ").length > 40, stat);
    }
}

package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Main's root check reads the effective uid by hand; the kernel's owner of /proc/self is the same uid. */
class EffectiveUidTest {
    @Test
    void theUidParsedFromProcSelfStatusIsTheProcessOwner() throws Exception {
        assertEquals(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue(), Main.effectiveUid());
    }
}

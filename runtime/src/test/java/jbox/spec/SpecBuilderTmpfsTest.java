package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** --tmpfs PATH:OPTS accepts what a tmpfs takes and nothing that changes the mount's kind. */
class SpecBuilderTmpfsTest {
    @Test
    void tmpfsOptionsPassThrough() throws JboxException {
        assertEquals(List.of("size=64m", "mode=1777", "uid=0", "nr_inodes=100", "ro", "noexec", "nosuid", "nodev"),
                SpecBuilder.tmpfsOptions("/t:...", "size=64m,mode=1777,uid=0,nr_inodes=100,ro,noexec,nosuid,nodev"));
    }

    @Test
    void bindIsNotATmpfsOption() {
        for (String o : List.of("bind", "rbind", "remount", "lowerdir=/x", "nosiud")) {
            JboxException e = assertThrows(JboxException.class, () -> SpecBuilder.tmpfsOptions("/t:" + o, o));
            assertEquals("--tmpfs /t:" + o + ": \"" + o + "\" is not a tmpfs option", e.getMessage());
            assertEquals(JboxException.FAILED, e.exitCode());
        }
    }
}

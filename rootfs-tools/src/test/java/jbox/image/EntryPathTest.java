// Normalisation of tar entry names and the lexical symlink-escape check.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EntryPathTest {

    @Test
    void normalisesHarmlessSpellings() throws Exception {
        assertEquals("bin/sh", EntryPath.parse("./bin/sh").relative());
        assertEquals("bin", EntryPath.parse("bin/").relative());
        assertEquals("bin/sh", EntryPath.parse("bin//./sh").relative());
        assertEquals("bin", EntryPath.parse("bin/sh").parent());
        assertTrue(EntryPath.parse("./").isRoot());
    }

    @Test
    void rejectsEscapes() {
        assertEquals("path is absolute",
                assertThrows(ImageException.class, () -> EntryPath.parse("/etc")).getMessage());
        assertEquals("path escapes the image root",
                assertThrows(ImageException.class, () -> EntryPath.parse("./../x")).getMessage());
        assertEquals("path is empty", assertThrows(ImageException.class, () -> EntryPath.parse("")).getMessage());
    }
}

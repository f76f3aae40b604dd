package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Who /etc/subuid gives the host ids jbox wants for container root (doctor's warning). */
class SubuidOwnerTest {
    static final long BASE = 100000;
    static final long SIZE = 65536;

    @Test
    void theUserWhoseRangeIsExactlyOursOwnsIt() {
        assertEquals("alice", DoctorCommand.subuidOwner("alice:100000:65536", BASE, SIZE));
    }

    @Test
    void anyOverlapCounts() {
        assertEquals("bob", DoctorCommand.subuidOwner("bob:165535:10", BASE, SIZE)); // our last id
        assertEquals("carol", DoctorCommand.subuidOwner("carol:99999:2", BASE, SIZE)); // our first id
        assertEquals("dave", DoctorCommand.subuidOwner("dave:0:4294967295", BASE, SIZE)); // contains us
        assertEquals("erin", DoctorCommand.subuidOwner("erin:120000:1", BASE, SIZE)); // inside us
    }

    @Test
    void adjacentRangesDoNotOverlap() {
        assertNull(DoctorCommand.subuidOwner("bob:165536:65536", BASE, SIZE));
        assertNull(DoctorCommand.subuidOwner("carol:34464:65536", BASE, SIZE)); // ends at 99999
    }

    @Test
    void theFirstOverlappingLineWins() {
        String subuid = "alice:231072:65536\nroot:100000:65536\nbob:100000:65536\n";
        assertEquals("root", DoctorCommand.subuidOwner(subuid, BASE, SIZE));
    }

    @Test
    void malformedLinesAreSkipped() {
        String subuid = "# comment\n\nbroken\nx:y:z\nalice:100000\nmallory:100000:65536:extra\n  bob:100000:1  \n";
        assertEquals("bob", DoctorCommand.subuidOwner(subuid, BASE, SIZE));
    }

    @Test
    void anEmptyFileAssignsNothing() {
        assertNull(DoctorCommand.subuidOwner("", BASE, SIZE));
    }
}

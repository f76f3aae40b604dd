package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Names for containers run without --name: docker's adjective_surname, never one already taken. */
class GeneratedNamesTest {
    @Test
    void namesAreAdjectiveUnderscoreSurnameAndValidContainerNames() {
        for (int i = 0; i < 200; i++) {
            String n = GeneratedNames.pick(x -> false);
            assertTrue(n.matches("[a-z]+_[a-z]+"), n);
            assertNotEquals("boring_wozniak", n);
        }
    }

    @Test
    void aTakenNameIsNeverPicked() {
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            String n = GeneratedNames.pick(taken::contains);
            assertTrue(taken.add(n), "picked twice: " + n);
        }
        assertEquals(3000, taken.size());
    }
}

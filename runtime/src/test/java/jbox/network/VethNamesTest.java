package jbox.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Names that lead back to the container: short enough for the kernel, recognisable by prune. */
class VethNamesTest {
    static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void theHostEndCarriesEightHexDigitsAndFitsIfnamsiz() {
        assertEquals("vjb01234567", VethNames.hostEnd(ID));
        assertTrue(VethNames.hostEnd(ID).length() <= 15, "IFNAMSIZ is 16 with the NUL");
    }

    @Test
    void theNamespaceNameCarriesTheShortId() {
        assertEquals("jbox-0123456789ab", VethNames.netns(ID));
    }

    @Test
    void pruneRecognisesOnlyExactlyItsOwnNames() {
        assertEquals("01234567", VethNames.idPrefixOfHostEnd("vjb01234567"));
        assertNull(VethNames.idPrefixOfHostEnd("vjb0123456"));
        assertNull(VethNames.idPrefixOfHostEnd("vjb0123456789"));
        assertNull(VethNames.idPrefixOfHostEnd("veth01234567"));
        assertNull(VethNames.idPrefixOfHostEnd("vjbXYZ45678"));
        assertEquals("0123456789ab", VethNames.idPrefixOfNetns("jbox-0123456789ab"));
        assertNull(VethNames.idPrefixOfNetns("jbox-test-0123456"), "a test's namespace is not a container's");
        assertNull(VethNames.idPrefixOfNetns("jbox-0123456789abc"));
    }
}

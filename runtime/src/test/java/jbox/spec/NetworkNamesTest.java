package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** --net NAME of a user-defined network: bridge mode on that network, a name that fits jbn-NAME. */
class NetworkNamesTest {
    @Test
    void aNetworkNameIsBridgeModeWithTheNameAsTarget() throws JboxException {
        NetworkMode m = NetworkMode.parse("red");
        assertEquals(new NetworkMode(NetworkMode.Kind.BRIDGE, "red"), m);
        assertTrue(m.userNetwork() && m.ownNamespace());
        assertEquals("red", m.toString());
        assertFalse(NetworkMode.parse("bridge").userNetwork());
    }

    @Test
    void namesFitAnInterfaceNameAndAreNeverAMode() {
        for (String ok : List.of("a", "red", "web_1", "a-b", "12345678901")) {
            assertTrue(NetworkMode.isNetworkName(ok), ok);
        }
        for (String bad : List.of("", "123456789012", "Red", "-a", "a.b", "a/b", "bridge", "none", "host", "container:x")) {
            assertFalse(NetworkMode.isNetworkName(bad), bad);
        }
    }
}

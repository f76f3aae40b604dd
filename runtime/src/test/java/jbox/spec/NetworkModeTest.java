package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** --net values. */
class NetworkModeTest {
    @Test
    void theFixedModes() throws JboxException {
        assertEquals(NetworkMode.Kind.BRIDGE, NetworkMode.parse("bridge").kind());
        assertEquals(NetworkMode.NONE, NetworkMode.parse("none"));
        assertEquals(NetworkMode.Kind.HOST, NetworkMode.parse("host").kind());
        assertTrue(NetworkMode.parse("bridge").ownNamespace());
        assertTrue(NetworkMode.parse("none").ownNamespace());
        assertFalse(NetworkMode.parse("host").ownNamespace());
    }

    @Test
    void joinsCarryTheirTarget() throws JboxException {
        assertEquals(new NetworkMode(NetworkMode.Kind.CONTAINER, "web"), NetworkMode.parse("container:web"));
        assertEquals(new NetworkMode(NetworkMode.Kind.NS, "blue"), NetworkMode.parse("ns:blue"));
        assertEquals("container:web", NetworkMode.parse("container:web").toString());
        assertFalse(NetworkMode.parse("ns:blue").ownNamespace());
    }

    @Test
    void namespaceNamesCannotLeaveVarRunNetns() {
        for (String bad : List.of("ns:../x", "ns:a/b", "ns:.", "ns:..", "ns:")) {
            JboxException e = assertThrows(JboxException.class, () -> NetworkMode.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid network namespace name"), e.getMessage());
        }
    }

    @Test
    void anythingElseNamesTheModesThereAre() {
        JboxException e = assertThrows(JboxException.class, () -> NetworkMode.parse("container:"));
        assertEquals("unsupported network mode container: (use bridge, none, host, container:NAME, ns:NAME, or a network from jbox network ls)",
                e.getMessage());
    }
}

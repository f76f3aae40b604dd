package jbox.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** net.bridge.* as configured: checked once, named in every error. */
class BridgeSettingsTest {
    static final Path ROOT = Path.of("/run/jbox");

    @Test
    void theShippedDefaults() throws JboxException {
        BridgeSettings b = BridgeSettings.of("jbox0", "10.88.0.0/16", "1500", ROOT);
        assertEquals("jbox0", b.name());
        assertEquals("10.88.0.0/16", b.subnet().toString());
        assertEquals(1500, b.mtu());
        assertEquals("jbox:jbox0", b.ruleComment());
        assertEquals(ROOT.resolve("ipam-jbox0.leases"), b.ipam().file());
    }

    @Test
    void badNamesAreRefused() {
        for (String bad : List.of("", "a-name-too-long-x", "jbox 0", "vjb0", "../x", "-x")) {
            JboxException e = assertThrows(JboxException.class, () -> BridgeSettings.of(bad, "10.88.0.0/16", "1500", ROOT), bad);
            assertTrue(e.getMessage().startsWith("invalid net.bridge.name"), e.getMessage());
        }
    }

    @Test
    void badSubnetsAndMtusNameTheirKey() {
        JboxException s = assertThrows(JboxException.class, () -> BridgeSettings.of("jbox0", "10.88.0.1/16", "1500", ROOT));
        assertTrue(s.getMessage().startsWith("net.bridge.subnet: invalid subnet 10.88.0.1/16"), s.getMessage());
        for (String mtu : List.of("x", "100", "70000")) {
            JboxException e = assertThrows(JboxException.class, () -> BridgeSettings.of("jbox0", "10.88.0.0/16", mtu, ROOT));
            assertTrue(e.getMessage().startsWith("invalid net.bridge.mtu " + mtu), e.getMessage());
        }
    }
}

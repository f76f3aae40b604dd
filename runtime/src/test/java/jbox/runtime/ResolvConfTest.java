package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The container's resolv.conf: the host's, minus resolvers a new network namespace cannot reach. */
class ResolvConfTest {
    static final String RESOLVED_STUB = "# This is /run/systemd/resolve/stub-resolv.conf\n"
            + "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan example.org\n";

    @Test
    void loopbackNameserversAreDroppedAndTheFallbackUsed() {
        String out = EtcFiles.resolvConf("none", RESOLVED_STUB, List.of(), List.of("9.9.9.9", "1.1.1.1"));
        assertEquals("options edns0 trust-ad\nsearch lan example.org\nnameserver 9.9.9.9\nnameserver 1.1.1.1\n", out);
    }

    @Test
    void reachableHostNameserversAreKeptInOrderAndTheFallbackIsNotUsed() {
        String host = "nameserver 127.0.0.1\nnameserver 192.168.1.1\nnameserver ::1\nnameserver 2001:db8::53\n";
        String out = EtcFiles.resolvConf("none", host, List.of(), List.of("9.9.9.9"));
        assertEquals("nameserver 192.168.1.1\nnameserver 2001:db8::53\n", out);
    }

    @Test
    void configuredServersReplaceAllOfTheHosts() {
        String host = "nameserver 192.168.1.1\nsearch lan\n";
        String out = EtcFiles.resolvConf("none", host, List.of("10.0.0.53"), List.of("9.9.9.9"));
        assertEquals("search lan\nnameserver 10.0.0.53\n", out);
    }

    @Test
    void withNothingAtAllThereIsNoNameserver() {
        String out = EtcFiles.resolvConf("none", "nameserver 127.0.0.53\n", List.of(), List.of());
        assertFalse(out.contains("nameserver"), out);
    }

    @Test
    void anEmptyOrMissingHostFileUsesTheFallback() {
        assertEquals("nameserver 9.9.9.9\n", EtcFiles.resolvConf("none", "", List.of(), List.of("9.9.9.9")));
    }

    @Test
    void commentsAndUnknownLinesAreNotCopied() {
        String out = EtcFiles.resolvConf("none", "# generated\ndomain lan\nnameserver 8.8.8.8\n", List.of(), List.of());
        assertEquals("nameserver 8.8.8.8\n", out);
    }

    @Test
    void indentedAndCrlfLinesAreUnderstood() {
        String out = EtcFiles.resolvConf("none", "  nameserver 8.8.4.4\r\n\tsearch corp\r\n", List.of(), List.of());
        assertEquals("search corp\nnameserver 8.8.4.4\n", out);
    }

    @Test
    void hostNetworkingCopiesTheHostsFileAsItIs() {
        assertEquals(RESOLVED_STUB, EtcFiles.resolvConf("host", RESOLVED_STUB, List.of("10.0.0.53"), List.of("9.9.9.9")));
    }

    @Test
    void loopbackDetection() {
        assertTrue(EtcFiles.isLoopback("127.0.0.53"));
        assertTrue(EtcFiles.isLoopback("127.1.2.3"));
        assertTrue(EtcFiles.isLoopback("::1"));
        assertFalse(EtcFiles.isLoopback("192.168.1.1"));
        assertFalse(EtcFiles.isLoopback("::"));
        assertFalse(EtcFiles.isLoopback("1.127.0.0"));
    }
}

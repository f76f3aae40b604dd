package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** The container's /etc/hosts: its own address with its hostname, name and short id. */
class EtcHostsTest {
    static final String LOOPBACK = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

    @Test
    void aBridgedContainerFindsItselfByHostnameNameAndShortId() {
        assertEquals(LOOPBACK + "10.88.0.5\tdemo web 0123456789ab\n",
                EtcFiles.hosts("demo", "10.88.0.5", Arrays.asList("web", "0123456789ab")));
    }

    @Test
    void namesAreNotRepeatedAndAMissingNameIsSkipped() {
        assertEquals(LOOPBACK + "10.88.0.5\t0123456789ab\n",
                EtcFiles.hosts("0123456789ab", "10.88.0.5", Arrays.asList(null, "0123456789ab")));
    }

    @Test
    void withoutAnAddressTheHostnameIsOn127011() {
        assertEquals(LOOPBACK + "127.0.1.1\tdemo\n", EtcFiles.hosts("demo", null, List.of("web")));
    }

    @Test
    void addHostLinesAsDocker() throws JboxException {
        assertEquals("10.1.2.3\tdb\nfe80::1\tv6\n10.0.0.9\tnew-form\n2001:db8::2\tbr\n",
                EtcFiles.extraHosts(List.of("db:10.1.2.3", "v6:fe80::1", "new-form=10.0.0.9", "br:[2001:db8::2]")));
        for (String[] bad : List.of(new String[] {"db", "expected NAME:IP"}, new String[] {"db:example.com", "example.com is not an IP address"},
                new String[] {":1.2.3.4", "with a host name"}, new String[] {"db:host-gateway", "host-gateway is not supported"},
                new String[] {"db:1.2.3.256", "is not an IP address"})) {
            JboxException e = assertThrows(JboxException.class, () -> EtcFiles.extraHosts(List.of(bad[0])), bad[0]);
            assertEquals(true, e.getMessage().startsWith("invalid --add-host " + bad[0]) && e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    @Test
    void dnsReplacesTheNameserversAndKeepsSearchAndOptions() {
        assertEquals("search example.com\noptions ndots:2\nnameserver 10.0.0.53\nnameserver ::1\n",
                EtcFiles.withServers("search example.com\nnameserver 8.8.8.8\noptions ndots:2\n", List.of("10.0.0.53", "::1")));
        assertEquals(false, EtcFiles.isAddress("dns.example"));
    }
}

package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
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
}

package jbox.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteImageTest {
    private static final String DIGEST = "sha256:" + "0f".repeat(32);

    @Test
    void dockerHubDefaults() throws Exception {
        assertEquals(new RemoteImage("docker.io", "registry-1.docker.io", "library/busybox", "latest"),
                RemoteImage.parse("busybox"));
        assertEquals(new RemoteImage("docker.io", "registry-1.docker.io", "user/app", "1"),
                RemoteImage.parse("user/app:1"));
        assertEquals(new RemoteImage("docker.io", "registry-1.docker.io", "library/alpine", "3.19"),
                RemoteImage.parse("docker.io/alpine:3.19"));
        assertEquals("library/alpine", RemoteImage.parse("index.docker.io/alpine").path());
    }

    @Test
    void otherRegistriesKeepTheirPathAndTheDigestWins() throws Exception {
        RemoteImage r = RemoteImage.parse("127.0.0.1:5000/team/app:1@" + DIGEST);

        assertEquals("127.0.0.1:5000", r.registry());
        assertEquals("127.0.0.1:5000", r.apiHost());
        assertEquals("team/app", r.path());
        assertEquals(DIGEST, r.reference());
        assertTrue(r.byDigest());
        assertEquals("127.0.0.1:5000/team/app@" + DIGEST, r.toString());
        assertEquals("app", RemoteImage.parse("localhost:5000/app").path());
    }

    @Test
    void plainHttpOnlyForListedRegistriesAndLoopbackLiterals() {
        RegistrySettings s = new RegistrySettings(List.of(" reg.lan:5000", "other.lan", ""), Path.of("/x"),
                Path.of("/y"), 3);

        assertTrue(s.allowsHttp("127.0.0.1:5000"));
        assertTrue(s.allowsHttp("127.8.9.10"));
        assertTrue(s.allowsHttp("localhost:443"));
        assertTrue(s.allowsHttp("reg.lan:5000"));
        assertTrue(s.allowsHttp("other.lan:8080"));
        assertFalse(s.allowsHttp("reg.lan:5001"));
        assertFalse(s.allowsHttp("registry-1.docker.io"));
        assertFalse(s.allowsHttp("128.0.0.1:5000"));
        assertFalse(s.allowsHttp("127.0.0.1.nip.io:5000")); // a name, never resolved
    }
}

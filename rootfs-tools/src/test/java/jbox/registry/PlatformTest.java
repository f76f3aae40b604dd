package jbox.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.image.ImageException;
import org.junit.jupiter.api.Test;

class PlatformTest {
    private static Platform.Entry entry(String digest, String os, String arch, String variant) {
        return new Platform.Entry("application/vnd.oci.image.manifest.v1+json", digest, 1, os, arch, variant);
    }

    /** An index as Docker Hub serves busybox: several architectures, arm variants, an attestation. */
    private static final List<Platform.Entry> INDEX = List.of(
            entry("amd64", "linux", "amd64", null),
            entry("armv6", "linux", "arm", "v6"),
            entry("armv7", "linux", "arm", "v7"),
            entry("arm64", "linux", "arm64", "v8"),
            entry("attestation", "unknown", "unknown", null),
            entry("s390x", "linux", "s390x", null));

    @Test
    void parsesOsArchAndVariant() throws Exception {
        assertEquals(new Platform("linux", "arm64", "v8"), Platform.parse("linux/arm64/v8"));
        assertEquals(new Platform("linux", "amd64", null), Platform.parse("linux/x86_64"));
        assertEquals(new Platform("linux", "arm64", null), Platform.parse("aarch64"));
    }

    @Test
    void refusesMalformedPlatforms() {
        for (String bad : new String[] {"", "linux/", "/amd64", "linux/arm/v7/x", "linux/arm/"}) {
            ImageException e = assertThrows(ImageException.class, () -> Platform.parse(bad));
            assertTrue(e.getMessage().startsWith("invalid --platform"), e.getMessage());
        }
    }

    @Test
    void hostIsLinuxWithGoArchitectureNames() {
        Platform host = Platform.host();
        assertEquals("linux", host.os());
        assertTrue(List.of("amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64")
                .contains(host.architecture()), host.architecture());
    }

    @Test
    void choosesExactArchitectureAndDefaultVariant() throws Exception {
        assertEquals("amd64", Platform.parse("linux/amd64").choose(INDEX).orElseThrow().digest());
        assertEquals("arm64", Platform.parse("linux/arm64").choose(INDEX).orElseThrow().digest());
        assertEquals("armv7", Platform.parse("linux/arm").choose(INDEX).orElseThrow().digest());
        assertEquals("armv6", Platform.parse("linux/arm/v6").choose(INDEX).orElseThrow().digest());
    }

    @Test
    void noMatchForAMissingPlatformOrVariant() throws Exception {
        assertTrue(Platform.parse("linux/riscv64").choose(INDEX).isEmpty());
        assertTrue(Platform.parse("linux/arm/v5").choose(INDEX).isEmpty());
        assertTrue(Platform.parse("windows/amd64").choose(INDEX).isEmpty());
        assertTrue(Platform.parse("unknown/unknown/x").choose(INDEX).isEmpty());
    }
}

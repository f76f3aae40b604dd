package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageNameTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void registryPortPathAndTag() throws Exception {
        ImageName n = ImageName.parse("127.0.0.1:5000/team/app:1");

        assertEquals("127.0.0.1:5000", n.domain());
        assertEquals("team/app", n.path());
        assertEquals("1", n.tag());
        assertNull(n.digest());
        assertEquals("127.0.0.1:5000/team/app:1", n.canonical());
        assertEquals("127.0.0.1_5000+team+app_1", n.directoryName());
        assertTrue(n.isRemoteForm());
    }

    @Test
    void firstComponentIsADomainOnlyWithADotAColonOrLocalhost() throws Exception {
        assertNull(ImageName.parse("team/app").domain());
        assertEquals("team/app", ImageName.parse("team/app").path());
        assertEquals("localhost", ImageName.parse("localhost/app").domain());
        assertEquals("quay.io", ImageName.parse("quay.io/a/b/c:v").domain());
        assertEquals("a/b/c", ImageName.parse("quay.io/a/b/c:v").path());
        assertEquals("Registry.Example.com", ImageName.parse("Registry.Example.com/x").domain());
    }

    @Test
    void digestWithAndWithoutTag() throws Exception {
        ImageName byDigest = ImageName.parse("app@" + DIGEST);
        ImageName both = ImageName.parse("reg.io:443/app:2@" + DIGEST);

        assertNull(byDigest.tag());
        assertEquals(DIGEST, byDigest.digest());
        assertEquals("app@" + DIGEST, byDigest.canonical());
        assertTrue(byDigest.isRemoteForm());
        assertEquals("2", both.tag());
        assertEquals("reg.io:443/app:2@" + DIGEST, both.canonical());
        assertFalse(byDigest.directoryName().contains("/"));
    }

    @Test
    void plainLocalNamesKeepTheirOldSpelling() throws Exception {
        assertEquals("busybox", ImageName.parse("busybox:latest").canonical());
        assertEquals("busybox:latest", ImageName.parse("busybox").withTag());
        assertFalse(ImageName.parse("busybox").isRemoteForm());
        assertEquals("x_y", ImageName.parse("x:y").directoryName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a:b/c", "reg.io:port/x", "-reg.io/x", "reg.io/", "reg.io//x", "app@sha256:abc",
        "app@md5:" + "ab", "App/x", "a/B", "reg.io/x:", "a/b c"})
    void refusesMalformedNames(String name) {
        ImageException e = assertThrows(ImageException.class, () -> ImageName.parse(name));

        assertTrue(e.getMessage().startsWith("invalid image name \"" + name + "\""), e.getMessage());
    }

    @Test
    void wholeNameIsAtMost255Chars() throws Exception {
        String path = String.join("/", "a".repeat(100), "b".repeat(100), "c".repeat(40));
        ImageName.parse(path);

        assertThrows(ImageException.class, () -> ImageName.parse(path + "d".repeat(20)));
    }
}

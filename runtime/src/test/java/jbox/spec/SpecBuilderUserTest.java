package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** --user USER[:GROUP] (ids, or names of the image's passwd and group) and the image's user, checked against the mapped id range. */
class SpecBuilderUserTest {
    final SpecFixture f = new SpecFixture();

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tmp;

    @org.junit.jupiter.api.BeforeEach
    void image() throws java.io.IOException {
        f.rootfs = java.nio.file.Files.createDirectories(tmp.resolve("rootfs"));
    }

    ContainerSpec.User user(String spec) throws JboxException {
        f.user = spec;
        return f.build().process().user();
    }

    @Test
    void aUidAloneIsAlsoTheGid() throws JboxException {
        assertEquals(new ContainerSpec.User(1000, 1000, null), user("1000"));
    }

    @Test
    void uidAndGid() throws JboxException {
        assertEquals(new ContainerSpec.User(1000, 1001, null), user("1000:1001"));
    }

    @Test
    void rootAndNothingMeanZero() throws JboxException {
        assertEquals(new ContainerSpec.User(0, 0, null), user("root"));
        assertEquals(new ContainerSpec.User(0, 0, null), user(null));
        assertEquals(new ContainerSpec.User(0, 0, null), user(""));
    }

    @Test
    void theImageUserIsTheDefaultAndTheFlagWins() throws JboxException {
        f.imageUser = "33:33";
        assertEquals(new ContainerSpec.User(33, 33, null), user(null));
        assertEquals(new ContainerSpec.User(7, 7, null), user("7"));
    }

    @Test
    void malformedUsersAreRejected() {
        for (String bad : List.of("1000:", ":1000", "1:2:3", "-1", "1234567890", " 1", "a b", "x:-y")) {
            f.user = bad;
            JboxException e = assertThrows(JboxException.class, f::build, "\"" + bad + "\"");
            assertTrue(e.getMessage().contains("invalid user"), e.getMessage());
        }
    }

    @Test
    void anImageUserTheImageDoesNotDefineIsRejectedToo() {
        f.imageUser = "www-data";
        JboxException e = assertThrows(JboxException.class, f::build);
        assertEquals("unable to find user www-data: no matching entries in the image's /etc/passwd", e.getMessage());
    }

    @Test
    void namesComeFromTheImagesPasswdAndGroup() throws Exception {
        image("root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/sh\n",
                "root:x:0:\nwww-data:x:33:\nstaff:x:50:www,other\ntty:x:5:\n");
        assertEquals(new ContainerSpec.User(33, 33, List.of(50L)), user("www"), "primary from passwd, the groups listing www");
        assertEquals("HOME=/var/www", env("HOME"));
        assertEquals(new ContainerSpec.User(33, 50, null), user("www:staff"), "an explicit group: no others");
        assertEquals(new ContainerSpec.User(33, 5, null), user("33:tty"));
        assertEquals(new ContainerSpec.User(33, 33, List.of(50L)), user("33"), "a numeric id in passwd is that entry");
        assertEquals(new ContainerSpec.User(1000, 1000, null), user("1000"), "one it lacks: gid = uid");
        assertEquals("HOME=/", env("HOME"));
        f.groupAdd = List.of("tty", "7");
        assertEquals(new ContainerSpec.User(33, 33, List.of(50L, 5L, 7L)), user("www"));
        f.groupAdd = List.of("nosuch");
        JboxException e = assertThrows(JboxException.class, () -> user("www"));
        assertEquals("unable to find group nosuch: no matching entries in the image's /etc/group", e.getMessage());
        f.groupAdd = List.of();
        e = assertThrows(JboxException.class, () -> user("www:nosuch"));
        assertEquals("unable to find group nosuch: no matching entries in the image's /etc/group", e.getMessage());
        f.env = List.of("HOME=/mine");
        user("www");
        assertEquals("HOME=/mine", env("HOME"), "-e HOME wins over passwd");
    }

    @Test
    void passwdIsReadInsideTheImageNeverThroughALinkOnTheHost() throws Exception {
        java.nio.file.Path etc = java.nio.file.Files.createDirectories(f.rootfs().resolve("etc"));
        java.nio.file.Path hostFile = java.nio.file.Files.writeString(f.rootfs().getParent().resolve("host-passwd"),
                "evil:x:0:0::/:/bin/sh\n");
        java.nio.file.Files.createSymbolicLink(etc.resolve("passwd"), hostFile); // absolute: /tmp/... inside the image
        JboxException e = assertThrows(JboxException.class, () -> user("evil"));
        assertTrue(e.getMessage().startsWith("unable to find user evil"), e.getMessage());
    }

    private void image(String passwd, String group) throws java.io.IOException {
        java.nio.file.Path etc = java.nio.file.Files.createDirectories(f.rootfs().resolve("etc"));
        java.nio.file.Files.writeString(etc.resolve("passwd"), passwd);
        java.nio.file.Files.writeString(etc.resolve("group"), group);
    }

    private String env(String key) throws JboxException {
        return f.build().process().env().stream().filter(e -> e.startsWith(key + "=")).findFirst().orElse(null);
    }

    @Test
    void idsMustFitTheMappedRange() throws JboxException {
        assertEquals(new ContainerSpec.User(65535, 65535, null), user("65535"));
        f.user = "65536";
        JboxException e = assertThrows(JboxException.class, f::build);
        assertTrue(e.getMessage().contains("outside the mapped id range 0-65535"), e.getMessage());
        f.user = "0:65536";
        assertThrows(JboxException.class, f::build);
        f.user = "65536:0";
        assertThrows(JboxException.class, f::build);
    }

    @Test
    void withoutAUserNamespaceAnyIdGoes() throws JboxException {
        f.ids = null;
        assertEquals(new ContainerSpec.User(70000, 70001, null), user("70000:70001"));
    }
}

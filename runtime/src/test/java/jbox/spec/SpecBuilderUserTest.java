package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** --user UID[:GID] and the image's user, checked against the mapped id range. */
class SpecBuilderUserTest {
    final SpecFixture f = new SpecFixture();

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
        for (String bad : List.of("nobody", "1000:", ":1000", "1:2:3", "-1", "1000:staff", "1e3", "1234567890", " 1")) {
            f.user = bad;
            JboxException e = assertThrows(JboxException.class, f::build, "\"" + bad + "\"");
            assertTrue(e.getMessage().contains("invalid user"), e.getMessage());
        }
    }

    @Test
    void aMalformedImageUserIsRejectedToo() {
        f.imageUser = "www-data";
        assertThrows(JboxException.class, f::build);
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

package jbox.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void dockerHubBearerChallenge() {
        List<AuthChallenge> c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"");

        assertEquals(1, c.size());
        assertTrue(c.get(0).isBearer());
        assertEquals("https://auth.docker.io/token", c.get(0).param("realm"));
        assertEquals("registry.docker.io", c.get(0).param("service"));
        assertEquals("repository:library/busybox:pull", c.get(0).param("scope"));
    }

    @Test
    void basicChallengeOfHtpasswd() {
        List<AuthChallenge> c = AuthChallenge.parse("Basic realm=\"basic-realm\"");

        assertTrue(c.get(0).isBasic());
        assertEquals("basic-realm", c.get(0).param("realm"));
    }

    @Test
    void severalChallengesUnquotedValuesEscapesAndCase() {
        List<AuthChallenge> c = AuthChallenge.parse(
                "bEaReR Realm=https://h/t, service=x , error=\"insufficient \\\"scope\\\"\", Basic realm=r");

        assertEquals(2, c.size());
        assertTrue(c.get(0).isBearer());
        assertEquals("https://h/t", c.get(0).param("realm"));
        assertEquals("x", c.get(0).param("service"));
        assertEquals("insufficient \"scope\"", c.get(0).param("error"));
        assertTrue(c.get(1).isBasic());
        assertEquals("r", c.get(1).param("realm"));
    }

    @Test
    void nothingUsableInGarbage() {
        assertTrue(AuthChallenge.parse(null).isEmpty());
        assertTrue(AuthChallenge.parse("").isEmpty());
        assertEquals(0, AuthChallenge.parse("=\"x\"").size());
    }
}

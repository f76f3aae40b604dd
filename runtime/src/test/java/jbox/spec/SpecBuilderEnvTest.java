package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** The environment: jbox's PATH < the image's env < HOSTNAME < -e. */
class SpecBuilderEnvTest {
    final SpecFixture f = new SpecFixture();

    Map<String, String> env() throws JboxException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String e : f.build().process().env()) {
            int eq = e.indexOf('=');
            assertTrue(eq > 0, "malformed entry " + e);
            assertNull(m.put(e.substring(0, eq), e.substring(eq + 1)), "duplicate key in " + e);
        }
        return m;
    }

    @Test
    void defaultsArePathHostnameAndHome() throws JboxException {
        Map<String, String> env = env();
        assertEquals("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env.get("PATH"));
        assertEquals(SpecFixture.ID.substring(0, 12), env.get("HOSTNAME"));
        assertEquals("/root", env.get("HOME"));
    }

    @Test
    void theImageEnvOverridesTheDefaults() throws JboxException {
        f.imageEnv = List.of("PATH=/opt/bin", "HOME=/home/app", "LANG=C.UTF-8");
        Map<String, String> env = env();
        assertEquals("/opt/bin", env.get("PATH"));
        assertEquals("/home/app", env.get("HOME"));
        assertEquals("C.UTF-8", env.get("LANG"));
    }

    @Test
    void flagsOverrideTheImageEnv() throws JboxException {
        f.imageEnv = List.of("LANG=C", "KEEP=1");
        f.env = List.of("LANG=de_DE.UTF-8", "NEW=x");
        Map<String, String> env = env();
        assertEquals("de_DE.UTF-8", env.get("LANG"));
        assertEquals("1", env.get("KEEP"));
        assertEquals("x", env.get("NEW"));
    }

    @Test
    void valuesMayContainEqualsAndBeEmpty() throws JboxException {
        f.env = List.of("OPTS=a=b,c=d", "EMPTY=");
        Map<String, String> env = env();
        assertEquals("a=b,c=d", env.get("OPTS"));
        assertEquals("", env.get("EMPTY"));
    }

    @Test
    void hostnameIsTheContainersEvenIfTheImageSetsOne() throws JboxException {
        f.imageEnv = List.of("HOSTNAME=from-image");
        f.hostname = "web";
        assertEquals("web", env().get("HOSTNAME"));
    }

    @Test
    void aFlagMayStillOverrideHostname() throws JboxException {
        f.env = List.of("HOSTNAME=custom");
        assertEquals("custom", env().get("HOSTNAME"));
    }

    @Test
    void aBareKeyIsLeftOut() throws JboxException {
        // the CLI replaces -e KEY by KEY=VALUE from its caller's environment (RunCommandTest); one left bare had none
        f.env = List.of("PATH", "JBOX_TEST_KEY");
        assertFalse(env().containsKey("JBOX_TEST_KEY"));
        assertEquals("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env().get("PATH"), "the default stays");
    }

    @Test
    void invalidEntriesAreRejected() {
        for (String bad : List.of("", "=value", "=")) {
            f.env = List.of(bad);
            JboxException e = assertThrows(JboxException.class, f::build, "\"" + bad + "\"");
            assertTrue(e.getMessage().contains("invalid environment variable"), e.getMessage());
        }
    }

    @Test
    void aMalformedImageEnvEntryIsAJboxErrorNotACrash() {
        // image.json is not validated on load (ImageMetaParser), so a hand-edited "DEBUG" reaches here.
        f.imageEnv = List.of("DEBUG");
        JboxException e = assertThrows(JboxException.class, f::build);
        assertTrue(e.getMessage().contains("DEBUG"), e.getMessage());
    }
}

package jbox.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** Typed access to settings, and built-in defaults for every key the code reads. */
class ConfigTest {
    static Config config(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return new Config(p);
    }

    @Test
    void valuesAreTrimmed() throws JboxException {
        assertEquals("/run/jbox", config("state.root", "  /run/jbox \t").get("state.root"));
    }

    @Test
    void aMissingKeyIsAnErrorNamingIt() {
        JboxException e = assertThrows(JboxException.class, () -> config().get("userns.size"));
        assertTrue(e.getMessage().contains("userns.size"), e.getMessage());
    }

    @Test
    void numbersAreParsedAndNonNumbersNamed() throws JboxException {
        assertEquals(65536, config("n", " 65536 ").getLong("n"));
        JboxException e = assertThrows(JboxException.class, () -> config("n", "64k").getLong("n"));
        assertTrue(e.getMessage().contains("n") && e.getMessage().contains("64k"), e.getMessage());
    }

    @Test
    void booleansAreExactlyTrueOrFalse() throws JboxException {
        assertTrue(config("b", "true").getBoolean("b"));
        assertFalse(config("b", "false ").getBoolean("b"));
        for (String bad : new String[] {"yes", "1", "TRUE", ""}) {
            assertThrows(JboxException.class, () -> config("b", bad).getBoolean("b"), bad);
        }
    }

    @Test
    void directoriesDeriveFromTheRoots() throws JboxException {
        Config c = config("state.root", "/run/x", "data.root", "/var/lib/x");
        assertEquals(Path.of("/run/x"), c.stateRoot());
        assertEquals(Path.of("/var/lib/x"), c.dataRoot());
        assertEquals(Path.of("/var/lib/x/images"), c.imagesDir());
        assertEquals(Path.of("/var/lib/x/containers"), c.containersDir());
    }

    @Test
    void everyKeyTheCodeReadsHasABuiltInDefault() throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = Config.class.getResourceAsStream("/jbox/config/jbox.properties")) {
            assertNotNull(in, "built-in defaults missing from the classpath");
            defaults.load(in);
        }
        Set<String> used = new TreeSet<>();
        Pattern call = Pattern.compile("\\bget(?:Long|Boolean)?\\(\"([a-z][a-z0-9]*(?:\\.[a-z0-9]+)+)\"\\)");
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                Matcher m = call.matcher(Files.readString(f));
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        assertTrue(used.containsAll(Set.of("state.root", "data.root", "userns.size", "net.default")), "scan found " + used);
        used.removeAll(defaults.stringPropertyNames());
        assertEquals(Set.of(), used, "keys read by the code but missing from config/jbox.properties");
    }
}

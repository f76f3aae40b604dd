package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** docs/demos/*.sh run as documented; each output line must match its line in *.expected (a regex). */
class DemosIT {
    static final Path DEMOS = Path.of("../docs/demos").toAbsolutePath().normalize();

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1-sigterm-and-pid1", "2-zombies", "3-pid1-death", "4-signal-masks"})
    void demoPrintsWhatItsDocumentationSays(String demo) throws Exception {
        ProcessBuilder pb = Jbox.builder();
        pb.command("sh", DEMOS.resolve(demo + ".sh").toString());
        pb.environment().put("JBOX", Jbox.LAUNCHER.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), demo + " hung");
        List<String> expected = Files.readAllLines(DEMOS.resolve(demo + ".expected"));
        List<String> actual = out.lines().toList();
        assertEquals(expected.size(), actual.size(), demo + " printed:\n" + out);
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(actual.get(i).matches(expected.get(i)), demo + " line " + (i + 1) + ": " + actual.get(i)
                    + " does not match " + expected.get(i));
        }
        String readme = Files.readString(DEMOS.resolve("README.md"));
        assertTrue(readme.contains("`" + demo + ".sh`"), "README documents " + demo);
    }
}

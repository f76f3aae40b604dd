package jbox.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config.load($JBOX_CONFIG) overlays built-in defaults < /etc/jbox/jbox.properties < $JBOX_CONFIG. The
 * environment variable can only be set for a new process, so each case runs ConfigProbe in a
 * child JVM. /etc is only read, never written; tests depending on its absence are skipped when
 * the machine has one.
 */
class ConfigLoadOrderTest {
    @TempDir
    Path tmp;

    static List<String> probe(String jboxConfig, String... keys) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                ConfigProbe.class.getName()));
        cmd.addAll(List.of(keys));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JBOX_CONFIG");
        if (jboxConfig != null) {
            pb.environment().put("JBOX_CONFIG", jboxConfig);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM hung");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    @Test
    void jboxConfigOverridesTheDefaultsKeyByKey() throws IOException, InterruptedException {
        assumeFalse(Files.exists(Config.SYSTEM_FILE), Config.SYSTEM_FILE + " exists on this machine");
        Path file = Files.writeString(tmp.resolve("jbox.properties"), "state.root=/tmp/jbox-state\nuserns.size = 1000\n");
        assertEquals(List.of("state.root=/tmp/jbox-state", "userns.size=1000", "data.root=/var/lib/jbox"),
                probe(file.toString(), "state.root", "userns.size", "data.root"));
    }

    @Test
    void withoutOverridesTheShippedDefaultsApply() throws IOException, InterruptedException {
        assumeFalse(Files.exists(Config.SYSTEM_FILE), Config.SYSTEM_FILE + " exists on this machine");
        assertEquals(List.of("state.root=/run/jbox", "net.default=bridge"), probe(null, "state.root", "net.default"));
    }

    @Test
    void aJboxConfigThatDoesNotExistIsAnError() throws IOException, InterruptedException {
        String missing = tmp.resolve("nope.properties").toString();
        List<String> out = probe(missing, "state.root");
        assertEquals(1, out.size(), out.toString());
        assertTrue(out.get(0).startsWith("error: ") && out.get(0).contains(missing), out.toString());
    }

    @Test
    void anEmptyJboxConfigIsIgnored() throws IOException, InterruptedException {
        assumeFalse(Files.exists(Config.SYSTEM_FILE), Config.SYSTEM_FILE + " exists on this machine");
        assertEquals(List.of("state.root=/run/jbox"), probe("", "state.root"));
    }
}

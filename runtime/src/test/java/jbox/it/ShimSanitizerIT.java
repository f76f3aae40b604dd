package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shim built with AddressSanitizer and UBSan (make asan) runs containers through its success
 * and failure paths; any report from a sanitizer fails the test.
 */
class ShimSanitizerIT {
    private static final Path SHIM_DIR = Path.of("../launcher-c-shim").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
        Process make = new ProcessBuilder("make", "-s", "-C", SHIM_DIR.toString(), "asan", "OUT=target")
                .redirectErrorStream(true).start();
        String out = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, make.waitFor(), "make asan failed: " + out);
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @Test
    void successAndFailurePathsAreClean() throws Exception {
        Path cfg = Jbox.configWith(tmp, "shim.path=" + SHIM_DIR.resolve("target/jbox-shim-asan"));
        record Case(List<String> args, int code) { }
        List<Case> cases = List.of(
                new Case(List.of("run", "--rm", Jbox.IMAGE, "sh", "-c", "echo ok; exit 7"), 7),
                new Case(List.of("run", "--rm", Jbox.IMAGE, "no-such-command"), 127),
                new Case(List.of("run", "--rm", "-w", "/missing", Jbox.IMAGE, "true"), 125),
                new Case(List.of("run", "--rm", "--hostname", "bad_name", Jbox.IMAGE, "true"), 125),
                new Case(List.of("run", "--rm", "--userns", "host", Jbox.IMAGE, "true"), 0));
        for (Case c : cases) {
            ProcessBuilder pb = Jbox.builder(c.args().toArray(new String[0]));
            pb.environment().put("JBOX_CONFIG", cfg.toString());
            pb.environment().put("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0");
            pb.environment().put("UBSAN_OPTIONS", "print_stacktrace=1");
            Process p = pb.start();
            p.getOutputStream().close();
            Jbox.Result r = Jbox.finish(p);
            assertEquals(c.code(), r.code(), c.args() + "\n" + r.all());
            assertFalse(r.err().contains("AddressSanitizer") || r.err().contains("runtime error:"),
                    "sanitizer report for " + c.args() + ":\n" + r.err());
        }
    }
}

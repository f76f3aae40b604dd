package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
                // a missing working directory is now made; one that is a file fails a shim step (ENOTDIR)
                new Case(List.of("run", "--rm", "-w", "/etc/passwd/sub", Jbox.IMAGE, "true"), 125),
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

    /** The OCI CLI's paths: the start FIFO and handover, a hook step, a joined namespace, an exec. */
    @Test
    void ociCreateStartExecAndHooksAreClean() throws Exception {
        Path cfg = Jbox.configWith(tmp, "shim.path=" + SHIM_DIR.resolve("target/jbox-shim-asan"));
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        Files.createSymbolicLink(bundle.resolve("rootfs"),
                Jbox.rootfs(Jbox.IMAGE));
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\": \"1.0.2\", \"process\": {\"user\": {\"uid\": 0, \"gid\": 0},"
                + " \"args\": [\"sleep\", \"30\"], \"env\": [\"PATH=/bin\"], \"cwd\": \"/\", \"noNewPrivileges\": true},"
                + " \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
                + " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}],"
                + " \"hooks\": {\"createContainer\": [{\"path\": \"/bin/true\"}]},"
                + " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\", \"path\": \"/proc/" + ProcessHandle.current().pid() + "/ns/ipc\"}]}}");
        String root = tmp.resolve("state").toString();
        record Case(List<String> args, int code) { }
        List<Case> cases = List.of(
                new Case(List.of("--root", root, "create", "--bundle", bundle.toString(), "s1"), 0),
                new Case(List.of("--root", root, "start", "s1"), 0),
                new Case(List.of("--root", root, "exec", "--detach", "s1", "true"), 0),
                new Case(List.of("--root", root, "exec", "s1", "sh", "-c", "exit 3"), 3),
                new Case(List.of("--root", root, "delete", "--force", "s1"), 0));
        for (Case k : cases) {
            ProcessBuilder pb = Jbox.builder(k.args().toArray(new String[0]));
            pb.environment().put("JBOX_CONFIG", cfg.toString());
            pb.environment().put("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0");
            pb.environment().put("UBSAN_OPTIONS", "print_stacktrace=1");
            Path out = tmp.resolve("out.txt");
            Path err = tmp.resolve("err.txt");
            // create and exec --detach leave the container holding their stdout and stderr: files, not pipes
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), k.args().toString());
            String e = Files.readString(err);
            assertEquals(k.code(), p.exitValue(), k.args() + "\n" + e);
            assertFalse(e.contains("AddressSanitizer") || e.contains("runtime error:"), "sanitizer report for " + k.args() + ":\n" + e);
        }
    }

    /** A detached monitor's attach socket and the attach client, both built with the sanitizers. */
    @Test
    void attachToADetachedTerminalIsClean() throws Exception {
        Path cfg = Jbox.configWith(tmp, "shim.path=" + SHIM_DIR.resolve("target/jbox-shim-asan"));
        String name = Containers.uniqueName("asan-attach");
        ProcessBuilder run = Jbox.builder("run", "-dit", "--name", name, Jbox.IMAGE, "sh");
        run.environment().put("JBOX_CONFIG", cfg.toString());
        run.environment().put("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0");
        Process started = run.start();
        started.getOutputStream().close();
        Jbox.Result r = Jbox.finish(started);
        assertEquals(0, r.code(), r.all());
        com.fasterxml.jackson.databind.JsonNode s = Containers.awaitRunning(name);
        try {
            Containers.awaitExec(s.path("pid").asLong(), "sh");
            ProcessBuilder attach = Jbox.builder("attach", name);
            attach.environment().put("JBOX_CONFIG", cfg.toString());
            attach.environment().put("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0");
            attach.environment().put("UBSAN_OPTIONS", "print_stacktrace=1");
            Process p = attach.start();
            p.getOutputStream().write("echo seen-$((4+5)); exit 6\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            Jbox.Result a = Jbox.finish(p);
            assertEquals(6, a.code(), a.all());
            assertTrue(a.out().contains("seen-9"), a.all());
            assertFalse(a.err().contains("Sanitizer") || a.err().contains("runtime error:"), "client: " + a.err());
            assertEquals("6\n", Jbox.run("wait", name).out());
            String log = Files.readString(Jbox.DATA.resolve("containers").resolve(s.path("id").asText()).resolve("container.log"));
            assertFalse(log.contains("Sanitizer") || log.contains("runtime error:"), "monitor: " + log);
        } finally {
            Jbox.run("rm", "-f", name);
        }
    }
}

package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Main.execute(Request): a command reads its caller only from the request — its streams, its
 * environment ($JBOX_CONFIG), its working directory, its global flags — and leaves nothing of
 * one request to the next. The process's own stdout and stderr are watched: nothing may reach them.
 */
class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream processOut = new ByteArrayOutputStream();
    private PrintStream realOut;
    private PrintStream realErr;

    @BeforeEach
    void watchTheProcessStreams() {
        realOut = System.out;
        realErr = System.err;
        PrintStream watch = new PrintStream(processOut, true, StandardCharsets.UTF_8);
        System.setOut(watch);
        System.setErr(watch);
    }

    @AfterEach
    void nothingReachedTheProcessStreams() {
        System.setOut(realOut);
        System.setErr(realErr);
        assertEquals("", processOut.toString(StandardCharsets.UTF_8), "written to the JVM's own stdout/stderr");
    }

    /** A config file of the caller's (JBOX_CONFIG): a shim path that passes ShimLocator's checks without a build. */
    private Map<String, String> env() throws Exception {
        Path config = dir.resolve("jbox.properties");
        if (!Files.exists(config)) {
            Files.writeString(config, "shim.path=/bin/true\noci.root=" + dir.resolve("oci-root") + "\n");
        }
        return Map.of("JBOX_CONFIG", config.toString(), "PATH", "/usr/bin:/bin");
    }

    @Test
    void versionGoesToTheRequestsStdout() {
        CapturedRequest r = new CapturedRequest(dir, Map.of(), "--version");
        assertEquals(0, r.run());
        assertTrue(r.out().startsWith("jbox version "), r.out());
        assertEquals("", r.err());
    }

    @Test
    void anUnknownCommandIsOneLineOnTheRequestsStderrWith125() {
        CapturedRequest r = new CapturedRequest(dir, Map.of(), "bogus");
        assertEquals(125, r.run());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("jbox: Unmatched argument at index 0: 'bogus'"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void specWritesIntoTheCallersDirectory() throws Exception {
        CapturedRequest r = new CapturedRequest(dir, Map.of(), "spec");
        assertEquals(0, r.run(), r.err());
        assertTrue(Files.readString(dir.resolve("config.json")).contains("\"ociVersion\""));
        CapturedRequest again = new CapturedRequest(dir, Map.of(), "spec");
        assertEquals(125, again.run());
        assertEquals("jbox: cannot write " + dir.resolve("config.json") + ": it already exists\n", again.err());
    }

    @Test
    void theConfigIsTheCallersJboxConfig() throws Exception {
        CapturedRequest r = new CapturedRequest(dir, env(), "list");
        assertEquals(0, r.run(), r.err());
        assertTrue(r.out().startsWith("ID "), r.out());
        CapturedRequest missing = new CapturedRequest(dir, Map.of("JBOX_CONFIG", dir.resolve("nope").toString()), "list");
        assertEquals(125, missing.run());
        assertEquals("jbox: config file " + dir.resolve("nope") + " (from JBOX_CONFIG) does not exist\n", missing.err());
    }

    @Test
    void runcsRunFindsItsBundleInTheCallersDirectory() throws Exception {
        CapturedRequest r = new CapturedRequest(dir, env(), "run", "--bundle", "nobundle", "id1");
        assertEquals(125, r.run());
        assertTrue(r.err().startsWith("jbox: ") && r.err().contains(dir.resolve("nobundle").toString())
                && !r.err().contains("internal error"), r.err());
    }

    @Test
    void concurrentRequestsKeepTheirOwnFlagsStreamsAndDirectories() throws Exception {
        int n = 8;
        Map<String, String> env = env();
        CyclicBarrier together = new CyclicBarrier(n);
        List<Callable<CapturedRequest>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path cwd = Files.createDirectory(dir.resolve("caller" + i));
            // relative --root and --log: each resolves against its own caller's directory
            boolean debug = i % 2 == 0;
            List<String> args = new ArrayList<>(List.of("--root", "root", "--log", "log"));
            if (debug) {
                args.add("--debug");
            }
            args.addAll(List.of("state", "c" + i));
            calls.add(() -> {
                CapturedRequest r = new CapturedRequest(cwd, env, args.toArray(new String[0]));
                together.await(10, TimeUnit.SECONDS);
                r.run();
                return r;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<CapturedRequest>> results = pool.invokeAll(calls);
            for (int i = 0; i < n; i++) {
                CapturedRequest r = results.get(i).get();
                assertEquals("jbox: container c" + i + " does not exist\n", r.err());
                assertEquals("", r.out());
                String log = Files.readString(dir.resolve("caller" + i).resolve("log"));
                assertEquals(1, log.lines().count(), log);
                assertTrue(log.contains("msg=\"container c" + i + " does not exist\""), log);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

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
    void aCallModelsOnlyTheCommandItNamesUnlessItReadsTheWholeTree() {
        Request r = new CapturedRequest(dir, Map.of(), "ps").request;
        assertEquals(List.of("ps"), List.copyOf(Main.commandLine(r, "ps").getSubcommands().keySet()));
        assertEquals(List.of(), List.copyOf(Main.commandLine(r, "--version").getSubcommands().keySet()));
        for (String whole : new String[] {null, "--help", "help", "completion", "internal-man", "sotp"}) {
            // every command (aliases too) and run's help
            assertTrue(Main.commandLine(r, whole).getSubcommands().size() > Main.COMMANDS.size(), String.valueOf(whole));
        }
        for (Class<?> c : Main.COMMANDS) { // each command reached by its name alone
            String name = c.getAnnotation(picocli.CommandLine.Command.class).name();
            if (List.of("help", "completion", "internal-man").contains(name)) {
                continue; // checked above
            }
            assertEquals(1, Main.commandLine(r, name).getSubcommands().values().stream().distinct().count(), name);
        }
    }

    @Test
    void anUnknownCommandIsOneLineOnTheRequestsStderrWith125() {
        CapturedRequest r = new CapturedRequest(dir, Map.of(), "bogus");
        assertEquals(125, r.run());
        assertEquals("", r.out());
        assertEquals("jbox: unknown command bogus (see: jbox --help)\n", r.err());
    }

    @Test
    void anUnknownCommandSuggestsTheNearestEvenWithHelp() {
        CapturedRequest r = new CapturedRequest(dir, Map.of(), "sotp", "--help");
        assertEquals(125, r.run());
        assertEquals("", r.out(), "not the top-level help");
        assertEquals("jbox: unknown command sotp (did you mean stop?) (see: jbox --help)\n", r.err());
        CapturedRequest nested = new CapturedRequest(dir, Map.of(), "image", "lss");
        assertEquals(125, nested.run());
        assertEquals("jbox: unknown command lss of jbox image (did you mean ls?) (see: jbox image --help)\n", nested.err());
    }

    @Test
    void bareJboxAndHelpPrintTheSameListRunFirst() throws Exception {
        CapturedRequest bare = new CapturedRequest(dir, env());
        CapturedRequest help = new CapturedRequest(dir, env(), "--help");
        assertEquals(0, bare.run());
        assertEquals(0, help.run());
        assertEquals(help.out(), bare.out());
        List<String> lines = help.out().lines().toList();
        int commands = lines.indexOf("Commands:");
        assertTrue(commands > 0, help.out());
        assertTrue(lines.get(commands + 1).startsWith("  run "), help.out());
        for (String l : lines) {
            assertTrue(l.length() <= 80, "a line wider than 80 columns: " + l);
        }
        // every description whole: none of picocli's first-line-only cuts (a row ending in ',' or a
        // description line not ending a sentence before the next command's row)
        assertTrue(help.out().contains("registry.auth_file (docker's config.json format)."), help.out());
        CapturedRequest image = new CapturedRequest(dir, env(), "image", "--help");
        assertEquals(0, image.run());
        assertTrue(image.out().contains("docker-archive (docker/podman save); recognised by content."), image.out());
    }

    @Test
    void helpCommandAndVersionCommand() throws Exception {
        CapturedRequest help = new CapturedRequest(dir, env(), "help", "ps");
        assertEquals(0, help.run());
        assertTrue(help.out().startsWith("Usage: jbox ps "), help.out());
        CapturedRequest run = new CapturedRequest(dir, env(), "help", "run");
        assertEquals(0, run.run());
        assertTrue(run.out().startsWith("Usage: jbox run "), run.out());
        CapturedRequest version = new CapturedRequest(dir, env(), "version");
        assertEquals(0, version.run());
        assertTrue(version.out().startsWith("jbox version "), version.out());
        assertTrue(version.out().contains("\nkernel: Linux "), version.out());
    }

    @Test
    void completionAndManPagesComeFromTheModel() throws Exception {
        CapturedRequest bash = new CapturedRequest(dir, env(), "completion", "bash");
        assertEquals(0, bash.run());
        assertTrue(bash.out().contains("complete -F _complete_jbox"), bash.out());
        assertTrue(bash.out().contains("inspect"), "subcommands are completed");
        CapturedRequest zsh = new CapturedRequest(dir, env(), "completion", "zsh");
        assertEquals(0, zsh.run());
        assertTrue(zsh.out().startsWith("#compdef jbox\n"), zsh.out());
        CapturedRequest man = new CapturedRequest(dir, env(), "internal-man", dir.resolve("man").toString());
        assertEquals(0, man.run(), man.err());
        String ps = Files.readString(dir.resolve("man/jbox-ps.1"));
        assertTrue(ps.startsWith(".TH JBOX\\-PS 1 "), ps);
        assertTrue(ps.contains("\\-\\-no\\-trunc"), ps);
        assertTrue(Files.exists(dir.resolve("man/jbox-image-ls.1")));
        assertTrue(Files.exists(dir.resolve("man/jbox-run.1")));
        assertEquals(0644, (int) Files.getAttribute(dir.resolve("man/jbox.1"), "unix:mode") & 07777);
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

package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's examples are a test: every line of its indented code blocks, read from README.md when
 * the test runs (so the two cannot drift apart), is pasted into bash in order, top to bottom, with
 * the built jbox first on PATH, and must exit 0 within {@link Await#DEADLINE}. A line whose comment
 * says {@code # synopsis} is a pattern to fill in and is not run (there may be only a few); a line
 * with {@code -it} gets a terminal (script(1)) and, once the shell's prompt shows, types exit; the
 * lines in {@link #SKIPPED} are not run, each for the reason given there.
 *
 * <p>Nothing reaches the host's jbox state or network: the lines run inside a throwaway network
 * namespace (nothing leaves it: it has only lo, and bridge networking there NATs into nothing), with
 * a config of the test's own naming a state root, data root, OCI root and cgroup parent that no
 * other test and no real container uses ({@code jbox system prune} and the names {@code web} or
 * {@code box} in the README must not meet another test's containers in /run/jbox). At the end every
 * container, OCI container, network and image the lines made is removed, pass or fail, and the
 * test checks the README removed its own.
 */
class ReadmeIT {
    /** Lines of README.md's code blocks that are not run, and why. */
    static final Map<String, String> SKIPPED = Map.of(
            "./install.sh", "installs packages and jbox itself onto the host",
            "./run-tests.sh", "runs the whole test suite, this test included");
    /** The comment that marks a line as a pattern to fill in, not a command. */
    static final String SYNOPSIS = "# synopsis";
    static final int MAX_SYNOPSES = 2;
    private static final Pattern TERMINAL = Pattern.compile("(^|\\s)-it\\s");

    @TempDir
    Path tmp;

    private final String tag = "jbox-readme-" + ProcessHandle.current().pid();
    private final Path data = Path.of("/var/lib", tag);
    private final Path state = Path.of("/run", tag);
    private final Path ociRoot = Path.of("/run", tag + "-oci");
    private final String netns = "jbox-test-readme-" + Long.toHexString(System.nanoTime());
    private final Path netnsPath = Path.of("/var/run/netns", netns);
    private Path config;
    private Path work;

    /** One example line and what to do with it. */
    record Example(int lineNo, String text) {
        boolean synopsis() {
            return text.contains(SYNOPSIS);
        }

        boolean terminal() {
            return TERMINAL.matcher(text).find();
        }
    }

    /** The lines of README.md's indented code blocks (not fenced ones), comment-only lines left out. */
    static List<Example> examples(String readme) {
        List<Example> out = new ArrayList<>();
        String[] lines = readme.split("\n", -1);
        boolean fenced = false;
        boolean inBlock = false;
        String prev = "";
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.startsWith("```")) {
                fenced = !fenced;
                inBlock = false;
            } else if (!fenced && l.startsWith("    ") && (inBlock || prev.isBlank())) {
                inBlock = true;
                String text = l.substring(4);
                int first = i + 1;
                while (text.endsWith("\\") && i + 1 < lines.length) {
                    text = text.substring(0, text.length() - 1) + " " + lines[++i].strip();
                }
                if (!text.isBlank() && !text.strip().startsWith("#")) {
                    out.add(new Example(first, text));
                }
            } else if (!l.isBlank()) {
                inBlock = false;
            }
            prev = l;
        }
        return out;
    }

    @Test
    void everyExampleLineWorksInOrder() throws Exception {
        List<Example> all = examples(Files.readString(Path.of("../README.md")));
        for (String skip : SKIPPED.keySet()) {
            assertTrue(all.stream().anyMatch(e -> e.text().strip().equals(skip)), "the skip list names a line the README has: " + skip);
        }
        List<Example> synopses = all.stream().filter(Example::synopsis).toList();
        assertTrue(synopses.size() <= MAX_SYNOPSES, "few synopsis lines, not " + synopses);
        List<Example> runnable = all.stream().filter(e -> !e.synopsis() && !SKIPPED.containsKey(e.text().strip())).toList();
        assertTrue(runnable.size() >= 40, "the README's examples were found: " + runnable.size() + " lines");

        assertTrue(Files.isExecutable(Jbox.LAUNCHER), "the built launcher " + Jbox.LAUNCHER); // also: this run's engines stop at exit
        work = Files.createDirectories(tmp.resolve("work"));
        Files.createDirectories(tmp.resolve("lines"));
        config = tmp.resolve("jbox-readme.properties");
        Files.writeString(config, "state.root=" + state + "\ndata.root=" + data + "\noci.root=" + ociRoot
                + "\ncgroup.parent=" + tag + "\nnet.default=bridge\nnet.bridge.name=jbox0\nnet.bridge.subnet=10.88.0.0/16\n");
        assertEquals("", Jbox.host("ip", "netns", "add", netns));
        List<String> failures = new ArrayList<>();
        try {
            Jbox.host("ip", "-n", netns, "link", "set", "lo", "up");
            String setUp = run(new Example(0, "jbox image build-default"));
            assertNull(setUp, "the busybox image the README uses");
            for (Example e : runnable) {
                String failure = run(e);
                if (failure != null) {
                    failures.add(failure);
                }
            }
            failures.addAll(leftovers());
        } finally {
            cleanUp();
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + runnable.size() + " README lines failed (engine " + (Engines.on() ? "on" : "off")
                    + "):\n" + String.join("\n", failures));
        }
    }

    /** Runs one line as bash in the namespace, in the work directory; null if it exited 0, else what went wrong. */
    private String run(Example e) throws Exception {
        Path script = tmp.resolve("lines").resolve(e.lineNo() + ".sh");
        Files.writeString(script, e.text() + "\n");
        List<String> cmd = List.of("nsenter", "--net=" + netnsPath, "bash", "-eo", "pipefail", script.toString());
        if (e.terminal()) {
            return runOnTerminal(e, cmd);
        }
        Path out = tmp.resolve("lines").resolve(e.lineNo() + ".out");
        Path err = tmp.resolve("lines").resolve(e.lineNo() + ".err");
        ProcessBuilder pb = environment(new ProcessBuilder(cmd));
        // Files, not pipes: a detached container or a created OCI init keeps the line's stdout open.
        pb.redirectInput(new File("/dev/null")).redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        boolean ended = p.waitFor(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            killTree(p.toHandle());
        }
        if (ended && p.exitValue() == 0) {
            return null;
        }
        return "README.md:" + e.lineNo() + ": " + e.text() + "\n  " + (ended ? "exit " + p.exitValue() : "hung: still running after "
                + Await.DEADLINE.toSeconds() + " s") + "\n  stdout: " + tail(out) + "\n  stderr: " + tail(err);
    }

    /** A line that wants a terminal: in script(1)'s pty; once a shell prompt shows, it types exit. */
    private String runOnTerminal(Example e, List<String> cmd) throws Exception {
        ProcessBuilder pb = environment(new ProcessBuilder());
        try (Pty pty = new Pty(pb, "exec " + String.join(" ", cmd), ProcessBuilder::start)) {
            try {
                pty.await("# ", 0);
                pty.type("exit\n");
                Jbox.Result r = pty.finish();
                return r.code() == 0 ? null : "README.md:" + e.lineNo() + ": " + e.text() + "\n  exit " + r.code() + "\n  terminal: " + r.out();
            } catch (AssertionError hung) {
                return "README.md:" + e.lineNo() + ": " + e.text() + "\n  " + hung.getMessage();
            }
        }
    }

    /** jbox first on PATH, the test's config, the run's engine mode; no proxy (nothing may leave loopback anyway). */
    private ProcessBuilder environment(ProcessBuilder pb) {
        pb.directory(work.toFile());
        Map<String, String> env = pb.environment();
        env.put("PATH", Jbox.LAUNCHER.getParent() + ":" + env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        env.put("JBOX_CONFIG", config.toString());
        env.putIfAbsent("JBOX_ENGINE", "off");
        env.keySet().removeIf(k -> k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        return pb;
    }

    private static void killTree(ProcessHandle p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(t -> p).join();
    }

    private static String tail(Path f) throws Exception {
        String s = Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
    }

    /** A jbox command of the clean-up, in the namespace with the test's config. */
    private Jbox.Result jbox(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netnsPath, Jbox.LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        Process p = environment(new ProcessBuilder(cmd)).start();
        p.getOutputStream().close();
        return Jbox.finish(p);
    }

    /** What the README's lines made and did not remove themselves (they must: a reader pasting them should be left with nothing). */
    private List<String> leftovers() throws Exception {
        List<String> left = new ArrayList<>();
        String containers = ok(jbox("ps", "-aq")).strip();
        if (!containers.isEmpty()) {
            left.add("containers left: " + containers);
        }
        String oci = ok(jbox("list", "-q")).strip();
        if (!oci.isEmpty()) {
            left.add("OCI containers left: " + oci);
        }
        List<String> networks = userNetworks();
        if (!networks.isEmpty()) {
            left.add("networks left: " + networks);
        }
        try (Stream<Path> s = Files.list(data.resolve("images"))) {
            List<String> images = s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && !n.equals(Jbox.IMAGE)).toList();
            if (!images.isEmpty()) {
                left.add("images left: " + images);
            }
        }
        return left;
    }

    private static String ok(Jbox.Result r) {
        assertEquals(0, r.code(), r.all());
        return r.out();
    }

    private List<String> userNetworks() throws Exception {
        Path dir = data.resolve("networks");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".properties"))
                    .map(n -> n.substring(0, n.length() - ".properties".length())).toList();
        }
    }

    /** Pass or fail: every container, OCI container and network goes, then the namespace, the roots and the cgroups. */
    private void cleanUp() throws Exception {
        try {
            if (Files.exists(netnsPath) && config != null) {
                for (String id : jbox("ps", "-aq", "--no-trunc").out().split("\\s+")) {
                    if (!id.isEmpty()) {
                        jbox("rm", "-f", id);
                    }
                }
                for (String id : jbox("list", "-q").out().split("\\s+")) {
                    if (!id.isEmpty()) {
                        jbox("delete", "--force", id);
                    }
                }
                for (String n : userNetworks()) {
                    jbox("network", "rm", n);
                }
                jbox("system", "prune");
            }
        } finally {
            Engines.stopInNetns(Engines.DIR, netnsPath);
            Jbox.host("ip", "netns", "del", netns);
            String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
            for (Path root : List.of(data, state, ociRoot)) {
                Jbox.host("rm", "-rf", "--one-file-system", root.toString()); // never through a mount left behind
            }
            RuncBundle.removeCgroups(tag);
            for (Path root : List.of(data, state, ociRoot)) {
                assertTrue(!mounts.contains(" " + root + "/") && !mounts.contains(" " + root + " "), "no mount left under " + root + ":\n" + mounts);
            }
        }
    }
}

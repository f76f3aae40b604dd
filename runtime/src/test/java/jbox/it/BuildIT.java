package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `jbox build` on the real kernel: each instruction's effect in the image, and nothing left behind. */
class BuildIT {
    private static final Path IMAGES = Jbox.DATA.resolve("images");
    private static final String NAME = "build-it";

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.run("image", "rm", NAME + ":1", NAME + ":bad");
        Jbox.cleanUp();
    }

    private static void ok(Jbox.Result r) {
        assertEquals(0, r.code(), r.all());
    }

    private static List<String> layers() throws Exception {
        try (Stream<Path> s = Files.list(IMAGES.resolve(".layers"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** What a build may leave: intermediate images, their containers, staging dirs of the store. */
    private static void nothingLeftBehind() throws Exception {
        String images = Jbox.run("image", "ls").out();
        assertFalse(images.contains("jbox-build-"), images);
        assertFalse(images.contains(NAME), images);
        String ps = Jbox.run("ps", "-a").out(); // state.root is shared: only the build's names count
        assertFalse(ps.contains("jbox-build-"), ps);
        try (Stream<Path> s = Files.list(IMAGES)) {
            List<String> temp = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tmp-")).toList();
            assertEquals(List.of(), temp);
        }
    }

    @Test
    void everyInstructionShowsInTheImageAndOnlyTheImageStays() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("a.txt"), "from the context\n");
        Files.setPosixFilePermissions(ctx.resolve("a.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createDirectories(ctx.resolve("dir/sub"));
        Files.writeString(ctx.resolve("dir/sub/b.txt"), "nested\n");
        Files.createSymbolicLink(ctx.resolve("dir/sub/link"), Path.of("b.txt"));
        Files.writeString(ctx.resolve("Containerfile"), """
                FROM busybox
                # a comment, then a continuation
                ENV GREETING=hello \\
                    SPACED="two words"
                ENV OLD style value
                RUN echo "ran as $(id -u) with $GREETING" > /ran && \\
                    mkdir -p /opt
                COPY a.txt /opt/
                COPY dir /srv/data
                ENV APP=/app PATH=/opt/bin:$PATH
                WORKDIR ${APP}/work
                RUN pwd > where
                COPY a.txt copied-here
                USER 1000
                ENTRYPOINT ["/bin/sh", "-c"]
                CMD ["echo $GREETING/$SPACED/$OLD; echo $PATH; cat /ran /opt/a.txt /srv/data/sub/b.txt where copied-here; readlink /srv/data/sub/link; pwd; id -u; stat -c '%u %a' /opt/a.txt /app/work"]
                """);
        List<String> before = layers();

        Jbox.Result built = Jbox.run("build", "-t", NAME + ":1", ctx.toString());
        ok(built);
        assertTrue(built.out().contains("STEP 13/13: CMD"), built.out());
        String[] lines = built.out().strip().split("\n");
        assertEquals("COMMIT " + NAME + ":1", lines[lines.length - 2]);
        assertTrue(lines[lines.length - 1].startsWith("sha256:"), built.out()); // the config digest, as commit prints

        Jbox.Result r = Jbox.run("run", "--rm", NAME + ":1");
        ok(r);
        assertEquals("hello/two words/style value\n"
                + "/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                + "ran as 0 with hello\n"
                + "from the context\n"
                + "nested\n"
                + "/app/work\n"
                + "from the context\n"
                + "b.txt\n"
                + "/app/work\n"
                + "1000\n"
                + "0 644\n"
                + "0 755\n", r.out());
        String history = Jbox.run("image", "history", "--no-trunc", NAME + ":1").out();
        assertTrue(history.contains("COPY dir /srv/data") && history.contains("RUN pwd > where"), history);
        // RUN, COPY, COPY, WORKDIR, RUN, COPY: six layers on busybox's, and not one more
        assertEquals(before.size() + 6, layers().size(), layers().toString());
        String images = Jbox.run("image", "ls").out();
        assertFalse(images.contains("jbox-build-"), images);
        assertFalse(Jbox.run("ps", "-a").out().contains("jbox-build-"));

        ok(Jbox.run("image", "rm", NAME + ":1"));
        assertEquals(before, layers(), "the build's layers went with its image");
        nothingLeftBehind();
    }

    @Test
    void aFailingRunStopsTheBuildWithOneLineAndLeavesNothing() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("a.txt"), "x\n");
        Files.writeString(ctx.resolve("Containerfile"), "FROM busybox\nRUN echo one > /one\nCOPY a.txt /\n"
                + "RUN false\nRUN echo never > /never\n");
        List<String> before = layers();

        Jbox.Result r = Jbox.run("build", "-t", NAME + ":bad", ctx.toString());
        assertEquals(1, r.code(), r.all());
        assertEquals("jbox: build step 4/5 (line 4): the command '/bin/sh -c false' returned a non-zero code: 1\n",
                r.err());
        assertFalse(r.out().contains("STEP 5/5"), r.out());
        assertEquals(before, layers(), "no layer of the failed build stays");
        nothingLeftBehind();
    }

    @Test
    void copyRefusesWhatIsOutsideTheContext() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(tmp.resolve("outside"), "secret\n");
        Files.createSymbolicLink(ctx.resolve("escape"), Path.of("../outside"));
        Files.writeString(ctx.resolve("Containerfile"), "FROM busybox\nCOPY ../outside /x\n");
        Jbox.Result r = Jbox.run("build", "-t", NAME + ":bad", ctx.toString());
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: cannot COPY ../outside: it is outside the build context " + ctx + "\n", r.err());

        // a symlink out of the context is resolved inside it: there is no /outside in the context
        Files.writeString(ctx.resolve("Containerfile"), "FROM busybox\nCOPY escape /x\n");
        Jbox.Result link = Jbox.run("build", "-t", NAME + ":bad", ctx.toString());
        assertEquals(125, link.code(), link.all());
        assertEquals("jbox: cannot COPY escape: no such file or directory in the build context " + ctx + "\n",
                link.err());
        nothingLeftBehind();
    }

    @Test
    void mistakesInTheFileStopItBeforeAnythingRuns() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Containerfile"), "FROM busybox\nRUN touch /never\nEXPOSE 80\n");
        Jbox.Result r = Jbox.run("build", "-t", NAME + ":bad", ctx.toString());
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: Containerfile line 3: unknown instruction EXPOSE (jbox build knows FROM, RUN, COPY, ENV,"
                + " WORKDIR, USER, ENTRYPOINT, CMD)\n", r.err());
        assertEquals("", r.out(), "no step started");

        Files.writeString(ctx.resolve("Containerfile"), "FROM no-such-image\nRUN true\n");
        Jbox.Result missing = Jbox.run("build", "-t", NAME + ":bad", ctx.toString());
        assertEquals(125, missing.code(), missing.all());
        assertEquals("jbox: image not found: no-such-image (try: jbox image ls)\n", missing.err());
        nothingLeftBehind();
    }

    @Test
    void sigintCancelsTheBuildKillsTheRunningStepAndLeavesNothing() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Containerfile"), "FROM busybox\nRUN echo one > /one\n"
                + "RUN echo started; sleep 60\nRUN echo never\n");
        List<String> before = layers();
        Process p = Jbox.start("build", "-t", NAME + ":bad", ctx.toString());
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line;
        do {
            line = out.readLine(); // the step's shell runs once this comes (null: the build ended without it)
        } while (line != null && !line.equals("started"));
        assertEquals("started", line);
        long start = System.nanoTime();
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        Jbox.Result r = Jbox.finish(p);
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "the sleep was killed, not waited for");
        assertEquals(130, r.code(), r.all());
        assertEquals("jbox: build cancelled by signal 2 at step 3/4\n", r.err());
        assertEquals(before, layers());
        nothingLeftBehind();
    }
}

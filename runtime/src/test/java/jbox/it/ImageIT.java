package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `jbox image import` through the CLI: a good tarball runs; a malicious one is refused, leaving nothing. */
class ImageIT {
    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @Test
    void anImportedRootfsRunsWithRootOwningItsFiles() throws Exception {
        Path tar = tmp.resolve("mini.tar.gz");
        Path busybox = Path.of("/bin/busybox");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tar));
             TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            dir(t, "bin/");
            dir(t, "etc/");
            TarArchiveEntry bb = new TarArchiveEntry("bin/busybox");
            bb.setMode(0755);
            bb.setSize(Files.size(busybox));
            t.putArchiveEntry(bb);
            Files.copy(busybox, t);
            t.closeArchiveEntry();
            TarArchiveEntry sh = new TarArchiveEntry("bin/sh", TarArchiveEntry.LF_SYMLINK);
            sh.setLinkName("busybox");
            t.putArchiveEntry(sh);
            t.closeArchiveEntry();
            file(t, "etc/motd", "imported\n", 1000);
        }
        String name = "mini-" + Long.toHexString(System.nanoTime());
        Jbox.Result imp = Jbox.run("image", "import", name, tar.toString());
        assertEquals(0, imp.code(), imp.all());
        try {
            Jbox.Result r = Jbox.run("run", "--rm", name, "/bin/sh", "-c",
                    "cat /etc/motd; /bin/busybox stat -c '%u %n' /bin/busybox /etc/motd");
            assertEquals("imported\n0 /bin/busybox\n1000 /etc/motd\n", r.out(), r.all());
            assertTrue(Jbox.run("image", "ls").out().contains(name));
        } finally {
            assertEquals(0, Jbox.run("image", "rm", name).code());
        }
    }

    @Test
    void aTarballThatEscapesTheRootIsRefusedAndNothingIsLeft() throws Exception {
        Path tar = tmp.resolve("evil.tar");
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            dir(t, "etc/");
            file(t, "etc/ok", "fine\n", 0);
            TarArchiveEntry link = new TarArchiveEntry("escape", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("../../../../tmp");
            t.putArchiveEntry(link);
            t.closeArchiveEntry();
            file(t, "escape/pwned", "x", 0);
        }
        String name = "evil-" + Long.toHexString(System.nanoTime());
        Jbox.Result r = Jbox.run("image", "import", name, tar.toString());
        assertEquals(125, r.code(), r.all());
        assertEquals(1, r.err().lines().count(), r.all());
        assertTrue(r.err().startsWith("jbox: ") && r.err().contains("escape"), r.all());
        assertFalse(Jbox.run("image", "ls").out().contains(name));
        assertFalse(Files.exists(Path.of("/tmp/pwned")));
        try (var s = Files.list(Jbox.DATA.resolve("images"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "staging left behind");
        }
    }

    /**
     * A gzip bomb: 2 MB that unpack to 2 GiB of zeros. With image.max_bytes at 64 MiB the import stops
     * at the limit while it streams (before, it wrote all 2 GiB), and leaves nothing behind.
     */
    @Test
    void aGzipBombStopsAtImageMaxBytesAndNothingIsLeft() throws Exception {
        long unpacked = 2L << 30;
        Path bomb = tmp.resolve("bomb.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb), 1 << 16) {
                {
                    def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
                }
            };
             TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            dir(t, "data/");
            TarArchiveEntry zeros = new TarArchiveEntry("data/zeros");
            zeros.setMode(0644);
            zeros.setSize(unpacked);
            t.putArchiveEntry(zeros);
            byte[] block = new byte[1 << 20];
            for (long n = 0; n < unpacked; n += block.length) {
                t.write(block);
            }
            t.closeArchiveEntry();
        }
        assertTrue(Files.size(bomb) < 8L << 20, "a bomb: " + Files.size(bomb) + " bytes compressed");
        long limit = 64L << 20;
        Path config = Jbox.configWith(tmp, "image.max_bytes=64m");
        java.util.List<String> before = listing(Jbox.DATA);
        long usedBefore = diskUsage(Jbox.DATA);
        String name = "bomb-" + Long.toHexString(System.nanoTime());

        ProcessBuilder pb = Jbox.builder("image", "import", name, bomb.toString());
        pb.environment().put("JBOX_CONFIG", config.toString());
        Jbox.Result r = Jbox.finish(pb.start());

        try {
            assertEquals(125, r.code(), r.all());
            assertEquals("jbox: image import: unpacked size exceeds image.max_bytes (" + limit + " bytes)\n", r.err(),
                    r.all());
            assertEquals(before, listing(Jbox.DATA), "no image dir, no staging dir: nothing left under the data root");
            assertTrue(diskUsage(Jbox.DATA) - usedBefore < limit, "the data root did not grow");
        } finally {
            if (r.code() == 0) {
                Jbox.run("image", "rm", name); // old code: the whole bomb was imported
            }
        }
    }

    /** Every path under {@code root}, sorted. */
    private static java.util.List<String> listing(Path root) throws Exception {
        try (var all = Files.walk(root)) {
            return all.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static long diskUsage(Path root) throws Exception {
        return Long.parseLong(Jbox.host("du", "-sb", "--one-file-system", root.toString()).split("\\s+")[0]);
    }

    private static void dir(TarArchiveOutputStream t, String name) throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040755);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream t, String name, String content, int uid) throws Exception {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0644);
        e.setSize(b.length);
        e.setIds(uid, uid);
        t.putArchiveEntry(e);
        t.write(b);
        t.closeArchiveEntry();
    }
}

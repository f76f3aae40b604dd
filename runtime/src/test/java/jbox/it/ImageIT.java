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

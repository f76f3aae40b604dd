package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tar));
             TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            dir(t, "bin/");
            dir(t, "etc/");
            busybox(t, "bin/busybox");
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

    /**
     * The files jbox binds over (/etc/hostname, /etc/hosts, /etc/resolv.conf) are made as mount
     * points without opening them: an image's own file is not copied up into the container's layer
     * on every start, and an image whose /etc/hosts is a FIFO does not hang the start (an open for
     * writing waited for a reader forever).
     */
    @Test
    void bindTargetsFromTheImageAreNotCopiedUpAndAFifoThereDoesNotHang() throws Exception {
        Path tar = tmp.resolve("fifo.tar");
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            dir(t, "bin/");
            dir(t, "etc/");
            busybox(t, "bin/busybox");
            file(t, "etc/hostname", "from-the-image\n", 0);
            TarArchiveEntry fifo = new TarArchiveEntry("etc/hosts", TarArchiveEntry.LF_FIFO);
            fifo.setMode(0644);
            t.putArchiveEntry(fifo);
            t.closeArchiveEntry();
        }
        String image = "fifo-" + Long.toHexString(System.nanoTime());
        String name = "fifo-" + Long.toHexString(System.nanoTime());
        Jbox.Result imp = Jbox.run("image", "import", image, tar.toString());
        assertEquals(0, imp.code(), imp.all());
        try {
            Process p = Jbox.start("run", "--name", name, "--net", "none", image, "/bin/busybox", "cat", "/etc/hostname");
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) { // a deadline for the old hang only; output is a line
                p.destroyForcibly();
                throw new AssertionError("jbox run hung on the image's FIFO at /etc/hosts");
            }
            Jbox.Result r = Jbox.finish(p);
            assertEquals(0, r.code(), r.all());
            String id = Jbox.run("inspect", "--format", "{{.Id}}", name).out().trim();
            assertEquals(id.substring(0, 12) + "\n", r.out(), "the bound hostname, not the image's");
            Path upper = Jbox.DATA.resolve("containers").resolve(id).resolve("upper");
            assertTrue(Files.isDirectory(upper), upper + " exists");
            for (String f : List.of("etc/hostname", "etc/hosts")) { // mount points the image had: used as they are
                assertFalse(Files.exists(upper.resolve(f), LinkOption.NOFOLLOW_LINKS), f + " copied up into " + upper);
            }
        } finally {
            Jbox.run("rm", "-f", name);
            assertEquals(0, Jbox.run("image", "rm", image).code());
        }
    }

    /** As docker rmi: a missing name is one error line, the images named after it still go. */
    @Test
    void imageRmGoesPastAMissingName() throws Exception {
        Path tar = tmp.resolve("one.tar");
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            file(t, "f", "f\n", 0);
        }
        String name = "rm-past-" + Long.toHexString(System.nanoTime());
        Jbox.Result imp = Jbox.run("image", "import", name, tar.toString());
        assertEquals(0, imp.code(), imp.all());
        Jbox.Result rm = Jbox.run("image", "rm", name + "-missing", name);
        assertEquals(125, rm.code(), rm.all());
        assertEquals("jbox: image not found: " + name + "-missing (try: jbox image ls)\n", rm.err());
        assertEquals(name + "\n", rm.out());
        assertFalse(Jbox.run("image", "ls").out().contains(name), "removed although named second");
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
        Jbox.awaitRemovedLayersDeleted(); // the listing below must not change under a deletion going on
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

    /**
     * A tar made by GNU tar --xattrs (as docker and containerd write them: raw SCHILY.xattr records)
     * with a busybox copy holding cap_net_raw+ep. Inside the container getcap reads it back (the
     * kernel shows the revision-3 cap as a plain one only where its rootid is the namespace's root),
     * and it grants CAP_NET_RAW to uid 1000 when run, which the same busybox without the cap does not.
     */
    @Test
    void aFileCapabilityIsValidForTheContainersRootReadBackByGetcapAndGranted() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(src.resolve("bin"));
        Files.createDirectories(src.resolve("caps"));
        Files.copy(Path.of("/bin/busybox"), src.resolve("bin/busybox"));
        Files.createSymbolicLink(src.resolve("bin/sh"), Path.of("busybox"));
        Files.copy(Path.of("/bin/busybox"), src.resolve("caps/cat"));
        Jbox.host("setcap", "cap_net_raw+ep", src.resolve("caps/cat").toString());
        // getcap and what it links, at their own paths (ldd prints "name => /path (addr)" and "/path (addr)")
        String getcap = Jbox.host("sh", "-c", "command -v getcap").strip();
        Jbox.host("sh", "-c", "for f in " + getcap + " $(ldd " + getcap + " | grep -o '/[^ ]*'); do cp --parents -L \"$f\" "
                + src + "/; done");
        Path tar = tmp.resolve("caps.tar");
        Jbox.host("tar", "--xattrs", "--xattrs-include=*", "-C", src.toString(), "-cf", tar.toString(), ".");
        String name = "caps-" + Long.toHexString(System.nanoTime());
        Jbox.Result imp = Jbox.run("image", "import", name, tar.toString());
        assertEquals(0, imp.code(), imp.all());
        try {
            // On the host it is a revision-3 cap for uid 100000 (container root), so it grants nothing to the
            // host's own users; a raw copy of the tar's revision-2 cap would (getcap -n shows no rootid then).
            Path onHost = Jbox.rootfs(name).resolve("caps/cat");
            assertEquals(onHost + " cap_net_raw=ep [rootid=100000]\n", Jbox.host("getcap", "-n", onHost.toString()));
            Jbox.Result r = Jbox.run("run", "--rm", "--net", "none", name, getcap, "/caps/cat", "/bin/busybox");
            assertEquals("/caps/cat cap_net_raw=ep\n", r.out(), r.all());

            Path bundle = Files.createDirectories(tmp.resolve("bundle"));
            assertEquals(0, Jbox.run("spec", "--rootless", "--bundle", bundle.toString()).code());
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            var c = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
            var process = c.with("process");
            process.put("terminal", false).put("noNewPrivileges", false); // file caps need exec to raise privileges
            process.with("user").put("uid", 1000).put("gid", 1000);
            process.putArray("args").add("sh").add("-c")
                    .add("/caps/cat /proc/self/status | grep CapEff; cat /proc/self/status | grep CapEff");
            var caps = process.with("capabilities");
            caps.withArray("bounding").add("CAP_NET_RAW");
            caps.putArray("effective");
            caps.putArray("permitted");
            c.with("root").put("path", Jbox.rootfs(name).toString());
            json.writeValue(bundle.resolve("config.json").toFile(), c);
            Path root = Files.createDirectories(tmp.resolve("oci-state"));
            String id = "caps-" + Long.toHexString(System.nanoTime());
            try {
                Jbox.Result ran = Jbox.run("--root", root.toString(), "run", "--bundle", bundle.toString(), id);
                assertEquals("CapEff:\t0000000000002000\nCapEff:\t0000000000000000\n", ran.out(), ran.all());
            } finally {
                Jbox.run("--root", root.toString(), "delete", "--force", id);
            }
        } finally {
            assertEquals(0, Jbox.run("image", "rm", name).code());
        }
    }

    /** A rootfs tarball from debootstrap holds ./dev/full and friends: one warning, and the image imports and runs. */
    @Test
    void deviceNodesInARootfsTarballAreSkippedWithOneWarning() throws Exception {
        Path tar = tmp.resolve("with-dev.tar");
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            dir(t, "./bin/");
            dir(t, "./dev/");
            busybox(t, "./bin/busybox");
            TarArchiveEntry sh = new TarArchiveEntry("./bin/sh", TarArchiveEntry.LF_SYMLINK);
            sh.setLinkName("busybox");
            t.putArchiveEntry(sh);
            t.closeArchiveEntry();
            for (String dev : new String[] {"full", "null", "zero"}) {
                TarArchiveEntry node = new TarArchiveEntry("./dev/" + dev, TarArchiveEntry.LF_CHR);
                node.setMode(0666);
                node.setDevMajor(1);
                node.setDevMinor(dev.equals("full") ? 7 : dev.equals("null") ? 3 : 5);
                t.putArchiveEntry(node);
                t.closeArchiveEntry();
            }
        }
        String name = "dev-" + Long.toHexString(System.nanoTime());
        Jbox.Result imp = Jbox.run("image", "import", name, tar.toString());
        assertEquals(0, imp.code(), imp.all());
        try {
            assertEquals("jbox: warning: skipped 3 device nodes (jbox mounts its own /dev), the first: \"./dev/full\"\n",
                    imp.err(), imp.all());
            Jbox.Result r = Jbox.run("run", "--rm", "--net", "none", name, "/bin/sh", "-c", "echo ok > /dev/full || echo full");
            assertEquals("full\n", r.out(), r.all());
        } finally {
            assertEquals(0, Jbox.run("image", "rm", name).code());
        }
    }

    @Test
    void aFileThatIsNoArchiveIsRefusedWithOneLine() throws Exception {
        Path text = Files.writeString(tmp.resolve("hostname"), "box\n");
        String name = "text-" + Long.toHexString(System.nanoTime());
        Jbox.Result r = Jbox.run("image", "import", name, text.toString());
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: " + text + " is not a tar archive (nor a gzip, xz, bzip2 or zstd compressed one)\n", r.err(), r.all());
        assertFalse(Jbox.run("image", "ls").out().contains(name));
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

    /** The host's static busybox as {@code name}, mode 0755. */
    private static void busybox(TarArchiveOutputStream t, String name) throws Exception {
        Path busybox = Path.of("/bin/busybox");
        TarArchiveEntry bb = new TarArchiveEntry(name);
        bb.setMode(0755);
        bb.setSize(Files.size(busybox));
        t.putArchiveEntry(bb);
        Files.copy(busybox, t);
        t.closeArchiveEntry();
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

// Importing well-formed tars: modes, shifted owners, links, mtimes, compression formats, replacement semantics.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TarImporterTest {

    private static final IdShift SHIFT = new IdShift(100000, 100000, 65536);
    private static final FileTime OLD = FileTime.fromMillis(1_000_000_000_000L);

    @TempDir
    Path temp;
    private Sandbox sandbox;

    @BeforeEach
    void setUp() throws IOException {
        sandbox = new Sandbox(temp);
    }

    private static TarFixture goodTar() {
        return new TarFixture()
                .dir("./")
                .dir("./bin/")
                .file("./bin/busybox", "not really busybox", 0755, 0, 0)
                .symlink("./bin/sh", "/bin/busybox")
                .dir("usr")
                .dir("usr/bin/")
                .file("usr/bin/su", "setuid program", 04755, 0, 0)
                .file("usr/bin/wall", "setgid program", 02755, 0, 5)
                .hardLink("./usr/bin/su-again", "./usr/bin/su")
                .dir("tmp/", 01777, 0, 0)
                .dir("home/user/", 0700, 1000, 1000).mtime(OLD)
                .file("home/user/notes.txt", "hello", 0600, 1000, 1000).mtime(OLD)
                .symlink("home/user/shell", "../../bin/busybox", 1000, 1000)
                .file("etc/hostname", "box\n") // no "etc/" entry: the parent is implicit
                .special("run/pipe", TarConstants.LF_FIFO, 0620);
    }

    @ParameterizedTest
    @EnumSource(TarFixture.Compression.class)
    void importsGoodTarInEveryCompression(TarFixture.Compression compression) throws Exception {
        Path tar = goodTar().writeTo(temp.resolve("good.tar"), compression);

        ImageMeta meta = new TarImporter().importTar(sandbox.store, "good:1", tar, SHIFT, ProgressListener.NONE);

        assertEquals("good:1", meta.name());
        assertEquals(List.of("/bin/sh"), meta.cmd());
        assertEquals(List.of(TarImporter.DEFAULT_PATH), meta.env());
        assertEquals(100000, meta.uidBase());
        assertEquals("good.tar", meta.source());
        assertEquals(List.of("good_1"), sandbox.storeEntries());
        Path rootfs = sandbox.store.rootfs("good:1");

        assertEquals(04755, mode(rootfs.resolve("usr/bin/su")));
        assertEquals(02755, mode(rootfs.resolve("usr/bin/wall")));
        assertEquals(01777, mode(rootfs.resolve("tmp")));
        assertEquals(0700, mode(rootfs.resolve("home/user")));
        assertEquals(0620, mode(rootfs.resolve("run/pipe")));
        assertTrue(Files.readAttributes(rootfs.resolve("run/pipe"), BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS).isOther(), "run/pipe must be a fifo");

        assertOwner(rootfs, 100000, 100000);
        assertOwner(rootfs.resolve("usr/bin/su"), 100000, 100000);
        assertOwner(rootfs.resolve("usr/bin/wall"), 100000, 100005);
        assertOwner(rootfs.resolve("etc"), 100000, 100000); // implicit parent belongs to container root
        assertOwner(rootfs.resolve("home/user/notes.txt"), 101000, 101000);
        assertOwner(rootfs.resolve("home/user/shell"), 101000, 101000); // the link itself, via lchown
        assertOwner(rootfs.resolve("bin/sh"), 100000, 100000);
        // The link's target was created by root 0 -> 100000; a followed chown would have made it 101000.
        assertOwner(rootfs.resolve("bin/busybox"), 100000, 100000);

        assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(rootfs.resolve("bin/sh")));
        assertEquals(Path.of("../../bin/busybox"), Files.readSymbolicLink(rootfs.resolve("home/user/shell")));
        assertEquals(Files.getAttribute(rootfs.resolve("usr/bin/su"), "unix:ino"),
                Files.getAttribute(rootfs.resolve("usr/bin/su-again"), "unix:ino"), "hard link must share the inode");
        assertEquals(OLD, Files.getLastModifiedTime(rootfs.resolve("home/user/notes.txt")));
        assertEquals(OLD, Files.getLastModifiedTime(rootfs.resolve("home/user")), "dir mtime survives its children");
        assertEquals(TarFixture.DEFAULT_MTIME,
                Files.getLastModifiedTime(rootfs.resolve("bin/sh"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(TarFixture.DEFAULT_MTIME,
                Files.getLastModifiedTime(rootfs.resolve("run/pipe"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("box\n", Files.readString(rootfs.resolve("etc/hostname")));
    }

    @Test
    void laterEntryReplacesEarlierWithoutFollowingSymlinks() throws Exception {
        Path tar = new TarFixture()
                .file("a", "first")
                .file("a", "second")
                .symlink("s", sandbox.sentinel.toString())
                .file("s", "replaces the link, not the sentinel")
                .dir("d/").file("d/inner", "x")
                .file("d", "a file where a directory was")
                .file("l", "a file where a link will be")
                .symlink("l", "/bin/busybox")
                .writeTo(temp.resolve("replace.tar"));

        new TarImporter().importTar(sandbox.store, "replace", tar, SHIFT, ProgressListener.NONE);

        Path rootfs = sandbox.store.rootfs("replace");
        assertEquals("second", Files.readString(rootfs.resolve("a")));
        assertTrue(Files.isRegularFile(rootfs.resolve("s"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("replaces the link, not the sentinel", Files.readString(rootfs.resolve("s")));
        assertEquals("a file where a directory was", Files.readString(rootfs.resolve("d")));
        assertTrue(Files.isSymbolicLink(rootfs.resolve("l")));
        sandbox.assertOutsideUntouched();
    }

    @Test
    void noShellMeansNoDefaultCommand() throws Exception {
        Path tar = new TarFixture().file("app", "data").writeTo(temp.resolve("noshell.tar"));

        ImageMeta meta = new TarImporter().importTar(sandbox.store, "noshell", tar, IdShift.NONE,
                ProgressListener.NONE);

        assertEquals(List.of(), meta.cmd());
    }

    @Test
    void shellBehindAbsoluteUsrMergeSymlinkIsFoundInsideTheRootfs() throws Exception {
        Path tar = new TarFixture()
                .symlink("bin", "/usr/bin")
                .dir("usr/").dir("usr/bin/")
                .symlink("usr/bin/sh", "dash")
                .file("usr/bin/dash", "shell", 0755, 0, 0)
                .writeTo(temp.resolve("merged.tar"));

        ImageMeta meta = new TarImporter().importTar(sandbox.store, "merged", tar, IdShift.NONE, ProgressListener.NONE);

        assertEquals(List.of("/bin/sh"), meta.cmd());
    }

    @Test
    void identityShiftKeepsArchiveOwners() throws Exception {
        Path tar = new TarFixture().file("f", "x", 0644, 1000, 1001).writeTo(temp.resolve("ids.tar"));

        new TarImporter().importTar(sandbox.store, "ids", tar, IdShift.NONE, ProgressListener.NONE);

        assertOwner(sandbox.store.rootfs("ids").resolve("f"), 1000, 1001);
    }

    @Test
    void reportsProgressUpToTheFileSize() throws Exception {
        Path tar = goodTar().writeTo(temp.resolve("progress.tar.gz"), TarFixture.Compression.GZIP);
        List<long[]> updates = new ArrayList<>();
        boolean[] finished = {false};
        ProgressListener listener = new ProgressListener() {
            @Override
            public void update(long bytesRead, long totalBytes) {
                updates.add(new long[] {bytesRead, totalBytes});
            }

            @Override
            public void finish() {
                finished[0] = true;
            }
        };

        new TarImporter().importTar(sandbox.store, "progress", tar, SHIFT, listener);

        long size = Files.size(tar);
        assertFalse(updates.isEmpty());
        assertEquals(size, updates.get(updates.size() - 1)[0]);
        assertEquals(size, updates.get(0)[1]);
        assertTrue(finished[0]);
    }

    @Test
    void terminalProgressLineShowsBarAndSizes() {
        TerminalProgress progress = new TerminalProgress("importing", System.err, false);

        String line = progress.line(512L * 1024, 1024L * 1024, 50);

        assertEquals("importing [###############               ]  50% 0.5/1.0 MiB", line);
    }

    static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    /**
     * Small files share the unpacking thread's buffers with each other, larger ones get their own,
     * the largest several: every size lands with its own bytes, mode, owner and time, and a name
     * given twice keeps the later file (written while the earlier one may still be in flight).
     */
    @Test
    void filesOfEverySizeKeepTheirBytes() throws Exception {
        java.util.Random random = new java.util.Random(42);
        int[] sizes = {0, 1, 511, 512, 4097, 65536, 65537, 200_000, 262_144, 262_145, 1_000_000};
        TarFixture fixture = new TarFixture().dir("./").dir("./d/");
        java.util.Map<String, byte[]> expected = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 600; i++) {
            byte[] content = new byte[i < sizes.length ? sizes[i] : random.nextInt(9000)];
            random.nextBytes(content);
            String name = "./d/f" + i;
            fixture.file(name, content, i % 2 == 0 ? 0644 : 04755, i, i + 1);
            expected.put(name, content);
        }
        byte[] later = "the later one".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        fixture.file("./d/f3", later, 0600, 7, 7);
        expected.put("./d/f3", later);
        Path tar = fixture.writeTo(temp.resolve("sizes.tar"));

        new TarImporter().importTar(sandbox.store, "sizes", tar, SHIFT, ProgressListener.NONE);

        Path rootfs = sandbox.store.rootfs("sizes");
        for (java.util.Map.Entry<String, byte[]> e : expected.entrySet()) {
            Path file = rootfs.resolve(e.getKey());
            org.junit.jupiter.api.Assertions.assertArrayEquals(e.getValue(), Files.readAllBytes(file), e.getKey());
        }
        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(rootfs.resolve("d/f1"))));
        assertEquals(04755, (int) Files.getAttribute(rootfs.resolve("d/f1"), "unix:mode") & 07777, "setuid kept");
        assertEquals(0600, (int) Files.getAttribute(rootfs.resolve("d/f3"), "unix:mode") & 07777);
        assertOwner(rootfs.resolve("d/f3"), 100007, 100007);
        assertOwner(rootfs.resolve("d/f10"), 100010, 100011);
        assertEquals(TarFixture.DEFAULT_MTIME, Files.getLastModifiedTime(rootfs.resolve("d/f10")));
    }

    static void assertOwner(Path path, int uid, int gid) throws IOException {
        assertEquals(uid, Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS), "uid of " + path);
        assertEquals(gid, Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS), "gid of " + path);
    }
}

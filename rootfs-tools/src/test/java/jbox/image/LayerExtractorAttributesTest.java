// What an import keeps beyond names and bytes: xattrs and file capabilities, symlinks as written, skipped device nodes.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerExtractorAttributesTest {

    private static final IdShift SHIFT = new IdShift(100000, 100000, 65536);
    /** cap_net_raw (bit 13) permitted and effective, as `setcap cap_net_raw+ep` writes it: revision 2. */
    private static final byte[] NET_RAW_V2 = capability(0x02000001, 1 << 13, 0, 0, 0, null);
    /** The same for a user namespace whose root is host uid 100000: revision 3 with that rootid. */
    private static final byte[] NET_RAW_V3 = capability(0x03000001, 1 << 13, 0, 0, 0, 100000);
    /** Bytes that are not UTF-8: Commons Compress alone would replace them. */
    private static final byte[] BINARY = {0, (byte) 0xa0, (byte) 0x86, 1, (byte) 0xff, '\n', '='};

    @TempDir
    Path temp;
    private Sandbox sandbox;
    private final List<String> warnings = new ArrayList<>();
    private final ProgressListener collecting = new ProgressListener() {
        @Override
        public void update(long bytesRead, long totalBytes) {
        }

        @Override
        public void warning(String line) {
            warnings.add(line);
        }
    };

    @BeforeEach
    void setUp() throws IOException {
        sandbox = new Sandbox(temp);
    }

    private Path rootfs(String image) throws ImageException {
        return sandbox.store.rootfs(image);
    }

    @Test
    void fileCapabilityIsRewrittenForTheContainersRootAndUserXattrsKeepTheirBytes() throws Exception {
        Path tar = new TarFixture().dir("bin/")
                .file("bin/ping", "an elf", 0755, 0, 0).xattr("security.capability", NET_RAW_V2)
                .xattr("user.blob", BINARY)
                .dir("data/", 0750, 0, 0).xattr("user.dir", "d".getBytes())
                .writeTo(temp.resolve("caps.tar"));

        new TarImporter().importTar(sandbox.store, "caps", tar, SHIFT, collecting);

        Path ping = rootfs("caps").resolve("bin/ping");
        assertArrayEquals(NET_RAW_V3, NativeFiles.lgetxattr(ping, "security.capability"));
        assertArrayEquals(BINARY, NativeFiles.lgetxattr(ping, "user.blob"));
        assertArrayEquals("d".getBytes(), NativeFiles.lgetxattr(rootfs("caps").resolve("data"), "user.dir"));
        assertEquals(100000, Files.getAttribute(ping, "unix:uid"), "chowned (which would drop the cap) before the cap");
        assertEquals(0755, (Integer) Files.getAttribute(ping, "unix:mode") & 07777);
        assertEquals(List.of(), warnings);
    }

    /** A long name makes the writer add its own PAX header: the xattrs in the one before it still count. */
    @Test
    void xattrsSurviveASecondPaxHeaderForALongName() throws Exception {
        String name = "d/" + "n".repeat(150);
        Path tar = new TarFixture().file(name, "x", 0644, 0, 0).xattr("user.k", BINARY).writeTo(temp.resolve("long.tar"));

        new TarImporter().importTar(sandbox.store, "long", tar, SHIFT, collecting);

        assertArrayEquals(BINARY, NativeFiles.lgetxattr(rootfs("long").resolve(name), "user.k"));
    }

    @Test
    void withoutAnIdShiftTheCapabilityStaysRevisionTwo() throws Exception {
        Path tar = new TarFixture().file("ping", "an elf", 0755, 0, 0).xattr("security.capability", NET_RAW_V2)
                .writeTo(temp.resolve("caps.tar"));

        new TarImporter().importTar(sandbox.store, "caps", tar, IdShift.NONE, collecting);

        assertArrayEquals(NET_RAW_V2, NativeFiles.lgetxattr(rootfs("caps").resolve("ping"), "security.capability"));
    }

    /** trusted.overlay.* would steer the overlay mount; ACLs name unshifted ids: none of them reach the disk. */
    @Test
    void otherXattrsAreSkippedWithOneWarning() throws Exception {
        Path tar = new TarFixture()
                .file("a", "x", 0644, 0, 0).xattr("trusted.overlay.redirect", "/etc".getBytes())
                .file("b", "x", 0644, 0, 0).xattr("system.posix_acl_access", BINARY).xattr("user.ok", BINARY)
                .writeTo(temp.resolve("other.tar"));

        new TarImporter().importTar(sandbox.store, "other", tar, SHIFT, collecting);

        assertNull(NativeFiles.lgetxattr(rootfs("other").resolve("a"), "trusted.overlay.redirect"));
        assertArrayEquals(BINARY, NativeFiles.lgetxattr(rootfs("other").resolve("b"), "user.ok"));
        assertEquals(List.of("skipped 2 extended attributes other than user.* and security.capability on files and"
                + " directories, the first: \"trusted.overlay.redirect\" on \"a\""), warnings);
    }

    @Test
    void aCapabilityThatIsNotOneIsRefused() throws Exception {
        Path tar = new TarFixture().file("ping", "x", 0755, 0, 0).xattr("security.capability", new byte[] {2, 0, 0, 2})
                .writeTo(temp.resolve("bad.tar"));

        ImageException error = assertThrows(ImageException.class,
                () -> new TarImporter().importTar(sandbox.store, "bad", tar, SHIFT, collecting));

        assertEquals("refusing tar entry \"ping\": invalid security.capability (4 bytes; expected revision 1, 2 or 3"
                + " of struct vfs_cap_data)", error.getMessage());
        sandbox.assertStoreEmpty();
    }

    /** A debootstrap tarball has ./dev/full and friends: they are left out, with one line, and the rest imports. */
    @Test
    void deviceNodesAreSkippedWithOneWarning() throws Exception {
        Path tar = new TarFixture().dir("./dev/")
                .special("./dev/full", TarConstants.LF_CHR, 0666)
                .special("./dev/null", TarConstants.LF_CHR, 0666)
                .special("./dev/sda", TarConstants.LF_BLK, 0660)
                .file("./etc/hostname", "box\n")
                .writeTo(temp.resolve("debootstrap.tar.gz"), TarFixture.Compression.GZIP);

        new ImageImporter().importImage(sandbox.store, "deb", tar, null, SHIFT, collecting);

        assertEquals(List.of("skipped 3 device nodes (jbox mounts its own /dev), the first: \"./dev/full\""), warnings);
        try (var dev = Files.list(rootfs("deb").resolve("dev"))) {
            assertEquals(0, dev.count());
        }
        assertEquals("box\n", Files.readString(rootfs("deb").resolve("etc/hostname")));
    }

    /** Real images hold such links (at run time ".." stops at the container's root); they are stored as written. */
    @Test
    void aSymlinkClimbingAboveTheRootIsKeptAsWritten() throws Exception {
        Path tar = new TarFixture().dir("etc/").symlink("etc/x", "../../../../y").symlink("abs", "/../../etc")
                .writeTo(temp.resolve("links.tar"));

        new TarImporter().importTar(sandbox.store, "links", tar, SHIFT, collecting);

        assertEquals(Path.of("../../../../y"), Files.readSymbolicLink(rootfs("links").resolve("etc/x")));
        assertEquals(Path.of("/../../etc"), Files.readSymbolicLink(rootfs("links").resolve("abs")));
        assertEquals(100000, Files.getAttribute(rootfs("links").resolve("etc/x"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    /** Such a link can never carry a later write out: a file below it, or one in its place, does not follow it. */
    @Test
    void aLaterEntryNeverWritesThroughAClimbingSymlink() throws Exception {
        Path outsideFile = sandbox.outside.resolve("target");
        String up = "../".repeat(sandbox.storeRoot.getNameCount() + 2);
        Path tar = new TarFixture()
                .symlink("over", up + outsideFile.toString().substring(1))
                .file("over", "replaced, not followed")
                .writeTo(temp.resolve("over.tar"));

        new TarImporter().importTar(sandbox.store, "over", tar, SHIFT, collecting);

        assertFalse(Files.exists(outsideFile, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(rootfs("over").resolve("over"), LinkOption.NOFOLLOW_LINKS));
        sandbox.assertOutsideUntouched();
    }

    private static byte[] capability(int magic, int permLow, int inhLow, int permHigh, int inhHigh, Integer rootid) {
        ByteBuffer b = ByteBuffer.allocate(rootid == null ? 20 : 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(magic).putInt(permLow).putInt(inhLow).putInt(permHigh).putInt(inhHigh);
        if (rootid != null) {
            b.putInt(rootid);
        }
        return b.array();
    }
}

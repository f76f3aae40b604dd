// Building the default busybox image from the host's busybox-static.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultImageBuilderTest {

    private static final Path BUSYBOX = Path.of("/usr/bin/busybox");
    private static final IdShift SHIFT = new IdShift(100000, 100000, 65536);

    @TempDir
    Path temp;

    @Test
    void buildsBusyboxImageOwnedByShiftedRoot() throws Exception {
        assumeTrue(Files.isRegularFile(BUSYBOX), "needs busybox-static (apt-get install busybox-static)");
        ImageStore store = new ImageStore(temp.resolve("store"));

        ImageMeta meta = new DefaultImageBuilder().build(store, "busybox", BUSYBOX, SHIFT);

        assertEquals("busybox", meta.name());
        assertEquals(List.of("/bin/sh"), meta.cmd());
        assertEquals(List.of(TarImporter.DEFAULT_PATH), meta.env());
        assertEquals(100000, meta.uidBase());
        assertEquals("busybox-static /usr/bin/busybox", meta.source());
        Path rootfs = store.rootfs("busybox");
        Path sh = rootfs.resolve("bin/sh");
        assertTrue(Files.isSymbolicLink(sh));
        assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(sh));
        TarImporterTest.assertOwner(sh, 100000, 100000);
        assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(rootfs.resolve("usr/bin/wget")));
        assertTrue(Files.isRegularFile(rootfs.resolve("bin/busybox")));
        assertEquals(Files.size(BUSYBOX), Files.size(rootfs.resolve("bin/busybox")));
        assertEquals(0755, TarImporterTest.mode(rootfs.resolve("bin/busybox")));
        TarImporterTest.assertOwner(rootfs.resolve("bin/busybox"), 100000, 100000);
        assertEquals(01777, TarImporterTest.mode(rootfs.resolve("tmp")));
        assertEquals(0700, TarImporterTest.mode(rootfs.resolve("root")));
        TarImporterTest.assertOwner(rootfs, 100000, 100000);
        TarImporterTest.assertOwner(rootfs.resolve("etc/passwd"), 100000, 100000);
        assertTrue(Files.readString(rootfs.resolve("etc/passwd")).startsWith("root:x:0:0:root:/root:/bin/sh\n"));
        assertTrue(Files.readString(rootfs.resolve("etc/group")).contains("nogroup:x:65534:\n"));
        for (String dir : List.of("sbin", "usr/sbin", "proc", "sys", "dev", "home", "var", "run")) {
            assertTrue(Files.isDirectory(rootfs.resolve(dir)), dir);
        }
    }

    @Test
    void builtImageRunsUnderChroot() throws Exception {
        assumeTrue(Files.isRegularFile(BUSYBOX) && Files.isExecutable(Path.of("/usr/sbin/chroot")));
        ImageStore store = new ImageStore(temp.resolve("store"));
        new DefaultImageBuilder().build(store, "busybox", BUSYBOX, IdShift.NONE);

        Process shell = new ProcessBuilder("/usr/sbin/chroot", store.rootfs("busybox").toString(),
                "/bin/sh", "-c", "echo hello from $(basename $(readlink /bin/sh))").redirectErrorStream(true).start();
        String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertEquals(0, shell.waitFor(), output);
        assertEquals("hello from busybox\n", output);
    }

    @Test
    void missingBinaryIsReportedWithTheInstallHint() throws Exception {
        Sandbox sandbox = new Sandbox(temp);
        Path missing = temp.resolve("no-busybox");

        ImageException error = assertThrows(ImageException.class,
                () -> new DefaultImageBuilder().build(sandbox.store, "busybox", missing, SHIFT));

        assertEquals("busybox binary not found: " + missing + " (install it with: apt-get install busybox-static)",
                error.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void dynamicBinaryIsRefused() throws Exception {
        Path dynamic = Path.of("/bin/ls");
        assumeTrue(Files.isRegularFile(dynamic));
        Sandbox sandbox = new Sandbox(temp);

        ImageException error = assertThrows(ImageException.class,
                () -> new DefaultImageBuilder().build(sandbox.store, "busybox", dynamic, SHIFT));

        assertTrue(error.getMessage().contains("is dynamically linked"), error.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void existingImageIsKept() throws Exception {
        assumeTrue(Files.isRegularFile(BUSYBOX));
        Sandbox sandbox = new Sandbox(temp);
        new DefaultImageBuilder().build(sandbox.store, "busybox", BUSYBOX, SHIFT);

        ImageException error = assertThrows(ImageException.class,
                () -> new DefaultImageBuilder().build(sandbox.store, "busybox:latest", BUSYBOX, SHIFT));

        assertEquals("image busybox already exists (remove it with: jbox image rm busybox)", error.getMessage());
        assertEquals(List.of("busybox"), sandbox.storeEntries());
    }
}

package jbox.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Symlinks resolved as the kernel will after pivot_root: inside the image, never on the host. */
class InRootResolverTest {
    @TempDir
    Path root;
    InRootResolver resolver;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("usr/lib"));
        resolver = new InRootResolver(root);
    }

    void link(String at, String target) throws IOException {
        Path p = root.resolve(at.substring(1));
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, Path.of(target));
    }

    String resolve(String path) throws IOException {
        return resolver.resolve(ContainerPath.of(path)).toString();
    }

    @Test
    void pathsWithoutLinksAreUnchanged() throws IOException {
        assertEquals("/etc", resolve("/etc"));
        assertEquals("/usr/lib", resolve("/usr/lib"));
        assertEquals("/", resolve("/"));
    }

    @Test
    void missingTailsAreKept() throws IOException {
        assertEquals("/etc/hosts", resolve("/etc/hosts"));
        assertEquals("/no/such/dir/file", resolve("/no/such/dir/file"));
    }

    @Test
    void absoluteLinksRestartAtTheImageRoot() throws IOException {
        Files.delete(root.resolve("etc"));
        link("/etc", "/host-etc");
        assertEquals("/host-etc/hosts", resolve("/etc/hosts"));
    }

    @Test
    void aNestedAbsoluteLinkAlsoRestartsAtTheImageRoot() throws IOException {
        link("/usr/lib/alt", "/opt/alt");
        assertEquals("/opt/alt/lib.so", resolve("/usr/lib/alt/lib.so"));
    }

    @Test
    void absoluteLinksWithDotDotsStillStayInside() throws IOException {
        Files.delete(root.resolve("etc"));
        link("/etc", "/../../host-etc");
        assertEquals("/host-etc/hosts", resolve("/etc/hosts"));
    }

    @Test
    void relativeDotDotClampsAtTheRoot() throws IOException {
        link("/usr/lib/escape", "../../../../../../../outside");
        assertEquals("/outside/x", resolve("/usr/lib/escape/x"));
    }

    @Test
    void relativeLinksAreRelativeToTheirOwnDirectory() throws IOException {
        link("/usr/lib64", "lib");
        assertEquals("/usr/lib/libc.so", resolve("/usr/lib64/libc.so"));
        link("/etc/resolv.conf", "../run/systemd/resolve/stub-resolv.conf");
        assertEquals("/run/systemd/resolve/stub-resolv.conf", resolve("/etc/resolv.conf"));
    }

    @Test
    void chainsOfLinksAreFollowed() throws IOException {
        link("/a", "b");
        link("/b", "/c/d");
        Files.createDirectories(root.resolve("c"));
        link("/c/d", "../e");
        assertEquals("/e/x", resolve("/a/x"));
    }

    @Test
    void aLinkToTheRootResolvesToTheRoot() throws IOException {
        link("/self", "/");
        assertEquals("/etc", resolve("/self/self/etc"));
    }

    @Test
    void theHostsFilesystemIsNeverConsulted() throws IOException {
        // /proc/self is a symlink on the host, but not in this image: nothing past it is resolved.
        link("/p", "/proc/self");
        assertEquals("/proc/self/root/etc", resolve("/p/root/etc"));
    }

    @Test
    void aSymlinkLoopIsAnError() throws IOException {
        link("/a", "b");
        link("/b", "a");
        IOException e = assertThrows(IOException.class, () -> resolver.resolve(ContainerPath.of("/a/x")));
        assertTrue(e.getMessage().contains("/a/x"), e.getMessage());
        assertTrue(e.getMessage().contains("too many levels of symbolic links"), e.getMessage());
    }

    @Test
    void aSelfLinkIsAnError() throws IOException {
        link("/loop", "/loop");
        assertThrows(IOException.class, () -> resolver.resolve(ContainerPath.of("/loop")));
    }

    @Test
    void fortyLinksAreAllowedAndTheFortyFirstIsNot() throws IOException {
        // The kernel's limit (MAXSYMLINKS) is 40 links per lookup.
        for (int i = 1; i <= 40; i++) {
            link("/l" + i, i == 40 ? "/etc" : "/l" + (i + 1));
        }
        assertEquals("/etc", resolve("/l1"));
        link("/l0", "/l1");
        assertThrows(IOException.class, () -> resolver.resolve(ContainerPath.of("/l0")));
    }

    @Test
    void onHostGivesThePathInsideTheRootThatALinkEndsAt() throws IOException {
        link("/etc-link", "/etc");
        assertEquals(root.resolve("etc"), resolver.onHost(ContainerPath.of("/etc-link")));
        link("/bin/sh", "../../usr/lib/busybox");
        assertEquals(root.resolve("usr/lib/busybox"), resolver.onHost(ContainerPath.of("/bin/sh")));
    }
}

// Where jnr's native stub is unpacked: a directory of jbox's own, never the shared /tmp's umask.
package jbox.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * jffi writes its native library to a temp file whose mode follows the umask (root runs jbox) and
 * then loads it: in a shared /tmp another user could read it or race the load. Before jnr binds
 * anything, {@link #prepare} makes a directory of our own, 0700 whatever the umask, and points jffi
 * there; once the library is loaded and mapped, {@link #remove} deletes it. Also chooses jnr's
 * reflection invoker over generated classes: binding a few calls costs ~40 instead of ~75 ms.
 */
public final class JffiDir {
    private JffiDir() {
    }

    public static Path prepare() {
        System.setProperty("jnr.ffi.asm.enabled", "false");
        try {
            Path dir = Files.createTempDirectory("jbox-jffi-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            System.setProperty("jffi.extract.dir", dir.toString());
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a private directory for jffi's native library: "
                    + IoReason.of(e), e);
        }
    }

    /** Best effort: a leftover in a 0700 directory of root's is harmless, and no reason to fail. */
    public static void remove(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f); // jffi's stub: plain files in a directory only root can write
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // see above
        }
    }
}

// The shim the front end executes for the engine: one sealed in-memory copy, made once.
package jbox.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import jbox.io.JffiDir;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.annotations.Variadic;

/**
 * The shim never runs from the host's file (sealed_copy.c, runc's CVE-2019-5736): started from
 * it, it copies itself into a memfd sealed against writing, growing, shrinking and new seals, and
 * executes that. The engine makes that copy once and holds it open; the front end executes it as
 * /proc/ENGINE/fd/N (SPAWN's exec path, argv[0] still the shim's own path for ps), and the shim,
 * finding its /proc/self/exe sealed, goes on at once: one execve per container instead of two,
 * and no copy. A new copy is made when the file changes (an upgrade: size, mtime or inode); the
 * old stays open, as a spawn may be executing it. Without memfd or seals (an old kernel), null:
 * the front end executes the file, and the shim copies itself as on the cold path.
 */
final class SealedShim {
    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033;
    /** F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE: the set sealed_copy.c checks for. */
    private static final int SEALS = 1 | 2 | 4 | 8;

    /** The libc calls used here, bound by jnr-ffi on first use. */
    public interface LibC {
        @SaveError
        int memfd_create(String name, int flags);

        @SaveError
        @Variadic(fixedCount = 2)
        int fcntl(int fd, int cmd, int arg);

        int close(int fd);
    }

    private static final class Native {
        private static final Path EXTRACT_DIR = JffiDir.prepare();
        static final LibC LIBC = LibraryLoader.create(LibC.class).load(Platform.getNativePlatform().getStandardCLibraryName());
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

        static {
            JffiDir.remove(EXTRACT_DIR);
        }
    }

    private record Version(Path file, Object inode, long size, long mtime) {
        static Version of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Version(file, a.fileKey(), a.size(), a.lastModifiedTime().toMillis());
        }
    }

    private static Version copied;
    private static String execPath;

    private SealedShim() {
    }

    /** What the front end should execute for {@code shim}: its sealed copy, or null for the file itself. */
    static synchronized String execPath(Path shim) {
        try {
            Version now = Version.of(shim);
            if (!now.equals(copied)) {
                execPath = copy(shim, now.size());
                copied = now;
            }
            return execPath;
        } catch (IOException | LinkageError e) { // no memfd or seals; jnr unloadable (its class init failed)
            return null; // the shim makes its own copy, as it always could
        }
    }

    private static String copy(Path shim, long size) throws IOException {
        int fd = Native.LIBC.memfd_create("jbox-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) {
            throw new IOException("memfd_create: errno " + Native.RUNTIME.getLastError());
        }
        Path self = Path.of("/proc/self/fd/" + fd);
        boolean sealed = false;
        try {
            try (OutputStream out = Files.newOutputStream(self, StandardOpenOption.WRITE)) {
                if (Files.copy(shim, out) != size) {
                    throw new IOException(shim + " changed while it was copied");
                }
            }
            if (Native.LIBC.fcntl(fd, F_ADD_SEALS, SEALS) < 0) {
                throw new IOException("F_ADD_SEALS: errno " + Native.RUNTIME.getLastError());
            }
            sealed = true;
            return "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd;
        } finally {
            if (!sealed) {
                Native.LIBC.close(fd);
            }
        }
    }
}

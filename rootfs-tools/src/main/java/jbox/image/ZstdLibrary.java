// zstd-jni's native library: unpacked into a root-only directory jbox made, loaded once per JVM, never from /tmp.
package jbox.image;

import com.github.luben.zstd.util.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import jbox.io.IoReason;

/**
 * Commons Compress decodes zstd through zstd-jni, whose jar carries its native code. Left to
 * itself, zstd-jni unpacks that code at first use into java.io.tmpdir, the world-writable /tmp,
 * and loads it into a JVM running as root. So jbox loads it first, with zstd-jni's own
 * {@code Native.load(File)}, into a directory of its own made for that load (mode 0700, a random
 * name under {@link #useDirectory the state root}): zstd-jni writes the library there under a
 * random name, loads it and deletes the file (the mapping stays), and the directory goes too, so
 * nothing is left in the state root. After that, zstd-jni's own {@code Native.load()} in its
 * stream classes returns at once. Without a directory set, decoding zstd fails instead of falling
 * back to /tmp. Loading is once per process (a JVM maps a library once), so the directory is
 * process state: the first one set when the first zstd stream is met is the one used.
 */
public final class ZstdLibrary {
    private static final Object LOCK = new Object();
    private static Path directory; // guarded by LOCK
    private static long loadNanos = -1; // guarded by LOCK

    private ZstdLibrary() {
    }

    /** Where a private directory for unpacking the library is made when a zstd stream is first met (root-only: the state root). */
    public static void useDirectory(Path dir) {
        synchronized (LOCK) {
            directory = dir;
        }
    }

    /** How long the load took (unpacking and mapping), or -1 if this JVM has not loaded it. */
    public static long loadMillis() {
        synchronized (LOCK) {
            return loadNanos < 0 ? -1 : loadNanos / 1_000_000;
        }
    }

    /** Loads the library unless it is loaded; {@code source} names what needed it, for the error. */
    static void load(String source) throws ImageException {
        synchronized (LOCK) {
            if (Native.isLoaded()) {
                return;
            }
            if (directory == null) {
                throw new ImageException("cannot decompress zstd " + source
                        + ": no directory was set up for the zstd library (jbox never unpacks it in /tmp)");
            }
            long start = System.nanoTime();
            Path dir = null;
            try {
                dir = Files.createTempDirectory(directory, "zstd-native-"); // a fresh name, 0700
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                Native.load(dir.toFile());
            } catch (IOException e) {
                throw new ImageException("cannot make a root-only directory (mode 700) in " + directory
                        + " for the zstd library: " + IoReason.of(e), e);
            } catch (UnsatisfiedLinkError | ExceptionInInitializerError e) {
                String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                throw new ImageException("cannot load the zstd library for " + System.getProperty("os.name") + "/"
                        + System.getProperty("os.arch") + " from " + directory + " (needed by " + source + "): " + why,
                        e);
            } finally {
                remove(dir);
            }
            loadNanos = System.nanoTime() - start;
        }
    }

    /** The load's directory and what zstd-jni may have left in it (it deletes the library itself). */
    private static void remove(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> left = Files.list(dir)) {
            for (Path f : left.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a root-only directory with at most a mapped library in it: harmless, and prune's to sweep
        }
    }
}

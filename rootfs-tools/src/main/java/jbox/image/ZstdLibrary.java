// zstd-jni's native library: unpacked into a root-only directory jbox made, loaded once per JVM, never from /tmp.
package jbox.image;

import com.github.luben.zstd.util.Native;
import java.io.IOException;
import java.nio.file.Path;
import jbox.io.FileModes;
import jbox.io.IoReason;

/**
 * Commons Compress decodes zstd through zstd-jni, whose jar carries its native code. Left to
 * itself, zstd-jni unpacks that code at first use into java.io.tmpdir, the world-writable /tmp,
 * and loads it into a JVM running as root. So jbox loads it first, with zstd-jni's own
 * {@code Native.load(File)}, into {@link #useDirectory a directory} it makes 0700 root:root
 * (state.root/native): zstd-jni writes the library there under a random name, loads it and
 * deletes the file (the mapping stays). After that, zstd-jni's own {@code Native.load()} in its
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

    /** Where the native library is unpacked when a zstd stream is first met; nothing is made until then. */
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
            try {
                FileModes.ensureDirectory(directory, FileModes.PRIVATE_DIR, 0, 0);
                Native.load(directory.toFile());
            } catch (IOException e) {
                throw new ImageException("cannot make " + directory + " for the zstd library root-only (mode 700): "
                        + IoReason.of(e), e);
            } catch (UnsatisfiedLinkError | ExceptionInInitializerError e) {
                String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                throw new ImageException("cannot load the zstd library for " + System.getProperty("os.name") + "/"
                        + System.getProperty("os.arch") + " from " + directory + " (needed by " + source + "): " + why,
                        e);
            }
            loadNanos = System.nanoTime() - start;
        }
    }
}

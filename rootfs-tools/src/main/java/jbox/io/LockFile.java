// An exclusive lock on a file, as jbox uses them: to serialise a read-modify-write, and to tell a live owner from a dead one.
package jbox.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * fcntl locks (what FileChannel.lock takes on Linux) belong to a process and vanish with it, so a
 * lock file nobody holds marks state whose owner is gone. The shim takes the same kind of lock
 * in C, so Java and the shim see each other's.
 *
 * <p>POSIX also drops every lock a process holds on a file as soon as the process closes ANY
 * descriptor of that file. So this process must never open and close a lock file it holds: the
 * locks of this JVM are kept in {@link #OWN}, {@link #isHeld} answers from there for them, and
 * probes (open, tryLock, close) only files no thread of this JVM holds or is acquiring, under the
 * same monitor that acquiring registers under.
 */
public final class LockFile implements AutoCloseable {
    /** The lock files this JVM holds or is acquiring (canonical path to holding thread). */
    private static final Map<Path, Thread> OWN = new HashMap<>();

    private final FileChannel channel;
    private final Path key;
    private boolean closed;

    private LockFile(FileChannel channel, Path key) {
        this.channel = channel;
        this.key = key;
    }

    /**
     * Waits for and takes the lock on {@code path}, creating the file and its parents if missing.
     * Another thread of this JVM holding it is waited for as another process would be; the same
     * thread asking twice is an error (it would wait for itself).
     */
    public static LockFile acquire(Path path) throws IOException {
        Files.createDirectories(path.getParent(), FileModes.attribute(FileModes.PRIVATE_DIR));
        Path key = key(path);
        synchronized (OWN) {
            while (OWN.containsKey(key)) {
                if (OWN.get(key) == Thread.currentThread()) {
                    throw new IOException("lock " + path + " is already held by this thread");
                }
                try {
                    OWN.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for lock " + path);
                }
            }
            OWN.put(key, Thread.currentThread());
        }
        FileChannel ch = null;
        try {
            // 0600 at creation: the umask can only take bits away from it
            ch = FileChannel.open(path, java.util.EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    FileModes.attribute(FileModes.PRIVATE_FILE));
            ch.lock();
            return new LockFile(ch, key);
        } catch (IOException | RuntimeException | Error e) {
            if (ch != null) {
                ch.close(); // no lock of this JVM on it to lose: it was not registered to anyone else
            }
            release(key);
            throw e;
        }
    }

    /**
     * Whether a process (this one included) holds the lock on {@code path}; false when there is no
     * such file. Never drops a lock of this process: see the class comment.
     */
    public static boolean isHeld(Path path) {
        if (!Files.exists(path)) {
            return false;
        }
        Path key;
        try {
            key = key(path);
        } catch (IOException gone) {
            return false;
        }
        synchronized (OWN) { // nobody in this JVM starts holding it while the probe's descriptor is open
            if (OWN.containsKey(key)) {
                return true;
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                FileLock l = ch.tryLock();
                if (l == null) {
                    return true;
                }
                l.release();
                return false;
            } catch (OverlappingFileLockException e) {
                return true; // a channel of this JVM that did not come from acquire()
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** The same file under every spelling of its directory (symlinks, "..", relative). */
    private static Path key(Path path) throws IOException {
        Path abs = path.toAbsolutePath();
        return abs.getParent().toRealPath().resolve(abs.getFileName());
    }

    private static void release(Path key) {
        synchronized (OWN) {
            OWN.remove(key);
            OWN.notifyAll();
        }
    }

    /** Releases the lock. A failing close still releases it: the kernel drops the lock with the fd. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // the descriptor is gone either way, and with it the lock
        } finally {
            release(key);
        }
    }
}

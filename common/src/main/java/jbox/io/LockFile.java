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
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fcntl locks (what FileChannel.lock takes on Linux) belong to a process and vanish with it, so a
 * lock file nobody holds marks state whose owner is gone. The shim takes the same kind of lock
 * in C, so Java and the shim see each other's.
 *
 * <p>POSIX also drops every lock a process holds on a file as soon as the process closes ANY
 * descriptor of that file. So this process must never close a descriptor of a lock file it holds:
 * the files this JVM holds or is acquiring are kept in {@link #OWN} by identity (device and inode:
 * a lock file's directory may be renamed under it), {@link #isHeld} answers from there for them,
 * and probes (open, tryLock, close) only other files, under the monitor acquiring registers
 * under. A descriptor that turns out to name a held file after all (the path was replaced between
 * stat and open) is parked, not closed, until that lock is released.
 */
public final class LockFile implements AutoCloseable {
    /** The lock files this JVM holds or is acquiring, by file key. Guarded by itself. */
    private static final Map<Object, Holder> OWN = new HashMap<>();

    /**
     * Who holds a lock file, its channel, and probe descriptors of it that must stay open while it
     * does. The channel is referenced from here so a LockFile dropped without close() is never
     * collected: its cleaner would close the descriptor (silently releasing the lock) and free
     * the inode for another file while this registry still names it.
     */
    private static final class Holder {
        final Thread thread;
        final FileChannel channel;
        final List<FileChannel> parked = new ArrayList<>();

        Holder(Thread thread, FileChannel channel) {
            this.thread = thread;
            this.channel = channel;
        }
    }

    private final FileChannel channel;
    private final Object key;
    private boolean closed;

    private LockFile(FileChannel channel, Object key) {
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
        // 0600 at creation: the umask can only take bits away from it
        FileChannel ch = FileChannel.open(path, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                FileModes.attribute(FileModes.PRIVATE_FILE));
        Object key;
        try {
            key = key(path);
        } catch (IOException | RuntimeException e) {
            closeUnlessHeld(ch, null);
            throw e;
        }
        synchronized (OWN) {
            while (OWN.containsKey(key)) {
                Holder h = OWN.get(key);
                if (h.thread == Thread.currentThread()) {
                    h.parked.add(ch); // closing it would drop the lock this thread holds
                    throw new IOException("lock " + path + " is already held by this thread");
                }
                try {
                    OWN.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closeUnlessHeld(ch, key);
                    throw new InterruptedIOException("interrupted while waiting for lock " + path);
                }
            }
            OWN.put(key, new Holder(Thread.currentThread(), ch));
        }
        try {
            ch.lock();
            return new LockFile(ch, key);
        } catch (IOException | RuntimeException | Error e) {
            ch.close(); // registered to this thread, not locked by it: no lock of this JVM to lose
            release(key);
            throw e;
        }
    }

    /**
     * Whether a process (this one included) holds the lock on {@code path}; false when there is no
     * such file. Never drops a lock of this process: see the class comment.
     */
    public static boolean isHeld(Path path) {
        Object key;
        try {
            key = key(path);
        } catch (IOException gone) {
            return false;
        }
        synchronized (OWN) { // nobody in this JVM starts holding it while the probe's descriptor is open
            if (OWN.containsKey(key)) {
                return true;
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(path, StandardOpenOption.WRITE);
            } catch (IOException e) {
                return false;
            }
            try {
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
            } finally {
                closeUnlessHeld(ch, path);
            }
        }
    }

    /** The file's identity (device and inode), whatever path names it. */
    private static Object key(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    /**
     * Closes a descriptor this class opened, unless the file it names is one this JVM holds (the
     * path now names a held file): then it stays open until that lock is released. Called under OWN.
     */
    private static void closeUnlessHeld(FileChannel ch, Object pathOrKey) {
        synchronized (OWN) {
            Holder h = null;
            try {
                Object now = pathOrKey instanceof Path p ? key(p) : pathOrKey;
                h = now == null ? null : OWN.get(now);
            } catch (IOException gone) {
                // the file is gone: the lock of whoever held it went with the last close
            }
            if (h != null) {
                h.parked.add(ch);
                return;
            }
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // only a probe's descriptor
        }
    }

    private static void release(Object key) {
        synchronized (OWN) {
            Holder h = OWN.remove(key);
            if (h != null) {
                for (FileChannel parked : h.parked) { // the lock is gone already: closing them loses nothing
                    try {
                        parked.close();
                    } catch (IOException ignored) {
                        // nothing held through it
                    }
                }
            }
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

// An exclusive lock on a file, as jbox uses them: to serialise a read-modify-write, and to tell a live owner from a dead one.
package jbox.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * fcntl locks (what FileChannel.lock takes on Linux) belong to a process and vanish with it, so a
 * lock file nobody holds marks state whose owner is gone. The shim takes the same kind of lock
 * in C, so Java and the shim see each other's.
 */
public final class LockFile implements AutoCloseable {
    private final FileChannel channel;

    private LockFile(FileChannel channel) {
        this.channel = channel;
    }

    /** Waits for and takes the lock on {@code path}, creating the file and its parents if missing. */
    public static LockFile acquire(Path path) throws IOException {
        Files.createDirectories(path.getParent(), FileModes.attribute(FileModes.PRIVATE_DIR));
        // 0600 at creation: the umask can only take bits away from it
        FileChannel ch = FileChannel.open(path, java.util.EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                FileModes.attribute(FileModes.PRIVATE_FILE));
        try {
            ch.lock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new LockFile(ch);
    }

    /** Whether a process (this one included) holds the lock on {@code path}; false when there is no such file. */
    public static boolean isHeld(Path path) {
        if (!Files.exists(path)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by this very process
        } catch (IOException e) {
            return false;
        }
    }

    /** Releases the lock. A failing close still releases it: the kernel drops the lock with the fd. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the descriptor is gone either way, and with it the lock
        }
    }
}

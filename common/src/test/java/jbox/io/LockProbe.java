// A second process for LockFileTest: fcntl locks are per process, so only another process sees whether one is held.
package jbox.io;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@code probe FILE}: prints "held" or "free". {@code hold FILE}: locks it, prints "locked", holds until stdin closes. */
public final class LockProbe {
    private LockProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[1]), StandardOpenOption.WRITE)) {
            if (args[0].equals("hold")) {
                ch.lock();
                System.out.println("locked");
                System.out.flush();
                System.in.readAllBytes();
                return;
            }
            FileLock l = ch.tryLock();
            System.out.println(l == null ? "held" : "free");
        }
    }
}

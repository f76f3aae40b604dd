package jbox.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file replaced whole: written beside itself, then renamed over, so no reader sees half of it.
 * The temp file is made with the final mode before any byte is in it (never the umask's).
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    public static void write(Path file, byte[] data, int mode) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            FileModes.write(tmp, data, mode);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}

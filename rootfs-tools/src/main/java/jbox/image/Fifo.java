// Creates a named pipe with its mode and mtime; Java can do neither for a FIFO, so this runs coreutils.
package jbox.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/**
 * Java has no mkfifo, and its setTimes opens the file first, which blocks on a FIFO until a writer
 * shows up. mkfifo(1) and touch -h (utimensat, no open) avoid both. FIFOs are rare in images, so
 * two short processes per FIFO are an acceptable price for extracting them faithfully.
 */
final class Fifo {

    private Fifo() {
    }

    /** Creates {@code path} as a FIFO with exactly {@code mode} (mkfifo -m is not subject to the umask). */
    static void create(Path path, int mode, FileTime mtime) throws IOException {
        run("mkfifo", "-m", Integer.toOctalString(mode), "--", path.toString());
        long nanos = mtime.to(TimeUnit.NANOSECONDS);
        String stamp = String.format("@%d.%09d", Math.floorDiv(nanos, 1_000_000_000L),
                Math.floorMod(nanos, 1_000_000_000L));
        run("touch", "-h", "-d", stamp, "--", path.toString());
    }

    private static void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (process.waitFor() != 0) {
                throw new IOException(command[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
            throw new IOException("interrupted while running " + command[0], e);
        }
    }
}

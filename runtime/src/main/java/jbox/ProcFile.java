package jbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a /proc file whole. procfs reports a size of 0, and Files.readString trusts the size
 * (it returned "9" for a max_user_namespaces of 96365 here): read the stream to EOF instead.
 */
public final class ProcFile {
    private ProcFile() {
    }

    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

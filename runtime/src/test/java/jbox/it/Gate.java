package jbox.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A condition a container's workload blocks on until the test releases it, so "still running when
 * the test looks" never depends on how long a {@code sleep} lasts: the test bind-mounts
 * {@link #volume()} and puts {@link #AWAIT} in the workload's shell, then calls {@link #open()}.
 */
final class Gate implements AutoCloseable {
    /** Shell that returns once the test opened the gate (a poll inside the container, not a timer). */
    static final String AWAIT = "until [ -e /gate/open ]; do sleep 0.02; done";
    private final Path dir;

    private Gate(Path dir) {
        this.dir = dir;
    }

    /** A fresh gate: a directory container root (a mapped, unprivileged host id) may look into, read-only. */
    static Gate create() throws IOException {
        Path d = Files.createTempDirectory("jbox-it-gate", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new Gate(d);
    }

    /** The -v argument: the gate's directory at /gate, read-only. */
    String volume() {
        return dir + ":/gate:ro";
    }

    void open() throws IOException {
        Files.createFile(dir.resolve("open"));
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(dir.resolve("open"));
        Files.deleteIfExists(dir);
    }
}

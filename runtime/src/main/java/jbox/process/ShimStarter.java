// Who starts jbox-shim for a command: this JVM itself, or the caller's front end (the engine).
package jbox.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Starts the shim as a child of whoever runs the command, so the shim and the container keep the
 * caller's ancestry and stdio: in a cold jbox the JVM itself ({@link #LOCAL}); in the engine the
 * caller's front end, asked over its connection (jbox.engine).
 */
public interface ShimStarter {
    /**
     * Starts {@code argv} (argv[0] the absolute path) with the caller's stdin, stdout and stderr, or,
     * with {@code log}, detached: stdin /dev/null, stdout and stderr appended to log (which exists).
     */
    Child start(List<String> argv, Path log) throws IOException;

    /** {@link #start}, without waiting where the starter need not (the front end answers SPAWN later). */
    default CompletableFuture<Child> startAsync(List<String> argv, Path log) {
        try {
            return CompletableFuture.completedFuture(start(argv, log));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The caller's process, whose cgroup a relative OCI cgroupsPath goes below (runc's rule, "the
     * cgroup of the runtime's caller"): this JVM on the cold path, the front end for the engine.
     */
    default long callerPid() {
        return ProcessHandle.current().pid();
    }

    /** A started shim. */
    interface Child {
        long pid();

        /** Runs {@code action} once the child has exited (at once if it has). */
        void onExit(Runnable action);

        /** Waits for the child; its status as Process.waitFor gives it (128+N when signal N killed it). */
        int waitFor() throws InterruptedException;

        /** SIGKILL, unless the child was reaped already. */
        void kill();
    }

    /** This JVM's own child, with this JVM's stdio. */
    ShimStarter LOCAL = (argv, log) -> {
        ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
        if (log != null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true);
        }
        Process p = pb.start();
        return new Child() {
            @Override
            public long pid() {
                return p.pid();
            }

            @Override
            public void onExit(Runnable action) {
                p.onExit().thenRun(action);
            }

            @Override
            public int waitFor() throws InterruptedException {
                return p.waitFor();
            }

            @Override
            public void kill() {
                p.destroyForcibly();
            }
        };
    };
}

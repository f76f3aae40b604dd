// Who starts jbox-shim for a command: this JVM itself, or the caller's front end (the engine).
package jbox.process;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Starts the shim as a child of whoever runs the command, so the shim and the container keep the
 * caller's ancestry and stdio: in a cold jbox the JVM itself ({@link #LOCAL}); in the engine the
 * caller's front end, asked over its connection (jbox.engine).
 */
public interface ShimStarter {
    /**
     * Starts {@code argv} (argv[0] the absolute path) with the caller's stdin, stdout and stderr, or,
     * with {@code log}, detached: stdin /dev/null, stdout and stderr appended to log (which exists).
     * The child, or the IOException that prevented it; the front end answers SPAWN later, so the
     * caller may go on meanwhile.
     */
    CompletableFuture<? extends Child> start(List<String> argv, Path log);

    /** Waits for {@code started}: the child, or the IOException that prevented it. */
    static Child await(CompletableFuture<? extends Child> started) throws IOException {
        try {
            return started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a child of the caller was started");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
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
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(new Child() {
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
        });
    };
}

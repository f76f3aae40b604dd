// The shim started by the caller's front end (SPAWN), so it is the caller's child with the caller's stdio.
package jbox.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import jbox.process.ShimStarter;

/**
 * ShimStarter over the front end: SPAWN with the argv (and the caller's environment, as a cold
 * jbox's child would get) and the engine's sealed copy of the shim to execute ({@link SealedShim}), the pid from SPAWNED, the exit from CHILD_EXITED. The shim is the front
 * end's child: it keeps the caller's process tree (its subreaper, its terminal), exactly as when
 * the cold JVM started it.
 */
final class FrontEndShims implements ShimStarter {
    private final Session session;
    private final List<String> env;
    private final long frontEndPid;

    FrontEndShims(Session session, List<String> env, long frontEndPid) {
        this.session = session;
        this.env = List.copyOf(env);
        this.frontEndPid = frontEndPid;
    }

    /** The front end: it waits for this call, so its pid names it until the call ends. */
    @Override
    public long callerPid() {
        return frontEndPid;
    }

    @Override
    public CompletableFuture<Child> start(List<String> argv, Path log) {
        String exec = SealedShim.execPath(Path.of(argv.get(0))); // argv[0] stays the shim's path, for ps
        byte[] frame = EngineProtocol.spawn(log == null ? EngineProtocol.SPAWN_INHERIT : EngineProtocol.SPAWN_DETACHED,
                log == null ? "" : log.toString(), exec == null ? "" : exec, argv, env);
        try {
            return session.spawn(frame);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A child of the front end, known by pid until CHILD_EXITED (its pid cannot be reused before). */
    static final class Child implements ShimStarter.Child {
        private final Session session;
        private final long pid;
        private final CompletableFuture<Integer> status = new CompletableFuture<>();

        Child(Session session, long pid) {
            this.session = session;
            this.pid = pid;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public void onExit(Runnable action) {
            status.thenRun(action);
        }

        @Override
        public int waitFor() throws InterruptedException {
            try {
                return status.get();
            } catch (ExecutionException e) {
                return -1;
            }
        }

        @Override
        public void kill() {
            if (!status.isDone()) {
                session.send(EngineProtocol.u32Frame(EngineProtocol.KILL_CHILD, (int) pid, 9));
            }
        }

        /** CHILD_EXITED: as Process.waitFor says it, the exit code, or 128+N for signal N. */
        void exited(int waitStatus) {
            int sig = waitStatus & 0x7f;
            status.complete(sig == 0 ? (waitStatus >> 8) & 0xff : 128 + sig);
        }

        /** The front end is gone: nobody can tell us this child's end. */
        void orphaned() {
            status.complete(-1);
        }
    }

}

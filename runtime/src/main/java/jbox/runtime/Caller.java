// Who a command works for, as the layers below the CLI see it: where its output goes.
package jbox.runtime;

import java.io.PrintStream;
import java.util.concurrent.Executor;
import jbox.process.ShimStarter;

/**
 * The caller's output streams, for what the runtime itself prints (a detached container's id,
 * warnings, timings), whether they are this JVM's own fds 0..2 (then a child process may simply
 * inherit them; otherwise its output is copied to these streams), and who starts its shims (a
 * child of the caller's, with the caller's stdio). Never System.out: one JVM may serve several
 * callers at once.
 */
public final class Caller {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean ownStdio;
    private final ShimStarter shims;
    private final Executor afterReply;

    private Caller(PrintStream out, PrintStream err, boolean ownStdio, ShimStarter shims, Executor afterReply) {
        this.out = out;
        this.err = err;
        this.ownStdio = ownStdio;
        this.shims = shims;
        this.afterReply = afterReply;
    }

    /** This process's own caller: {@code out} and {@code err} write to fds 1 and 2; shims are our children. */
    public static Caller ofProcess(PrintStream out, PrintStream err) {
        return new Caller(out, err, true, ShimStarter.LOCAL, now(err));
    }

    /** A caller elsewhere (a test's): nothing may inherit this JVM's fds on its behalf. */
    public static Caller of(PrintStream out, PrintStream err, ShimStarter shims) {
        return new Caller(out, err, false, shims, now(err));
    }

    /** After-reply work run at once; its failure is a warning, as it would be in the engine's log. */
    private static Executor now(PrintStream err) {
        return work -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                err.println("jbox: warning: " + e.getMessage());
            }
        };
    }

    /** The engine's caller: as above, and {@code afterReply} runs work once the caller has its status. */
    public static Caller of(PrintStream out, PrintStream err, ShimStarter shims, Executor afterReply) {
        return new Caller(out, err, false, shims, afterReply);
    }

    /**
     * Work the caller need not wait for (freeing disk space): run once its exit status went out,
     * by the engine; at once where the status is this process's exit (the cold path, tests).
     */
    public void afterReply(Runnable work) {
        afterReply.execute(work);
    }

    /** Who starts this caller's shims. */
    public ShimStarter shims() {
        return shims;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    /** True when this JVM's fds 0..2 are the caller's. */
    public boolean ownStdio() {
        return ownStdio;
    }

    /** One line on the caller's stderr: something went wrong that does not fail the command. */
    public void warn(String message) {
        err.println("jbox: warning: " + message);
    }
}

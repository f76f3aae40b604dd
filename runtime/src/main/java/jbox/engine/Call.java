// One command a front end asked the engine to run, as the engine hands it to the CLI.
package jbox.engine;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.IntConsumer;
import jbox.process.ShimStarter;

/**
 * A caller of the engine: what its front end sent (args, env, cwd, terminals), its streams (STDOUT
 * and STDERR frames; stdin asked for on first read), its signals (SIGNAL frames) and its shim
 * starter (SPAWN through the front end), and where work goes that may run after its EXIT
 * (afterReply: the session runs it once EXIT went out). jbox.cli turns it into a Request.
 */
public record Call(List<String> args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path cwd,
        boolean[] terminals, int rows, int cols, Signals signals, ShimStarter shims, Executor afterReply) {

    /** Receives the caller's forwardable signals from now on (one receiver: a later call replaces it). */
    public interface Signals {
        void forward(IntConsumer to);
    }

    /** What the engine runs for each call: the CLI, returning the exit status or {@link #FALLBACK}. */
    public interface Handler {
        int run(Call call);
    }

    /** A handler's answer for a command the engine does not serve (`jbox [GLOBAL FLAGS] engine ...`): the cold path runs it. */
    public static final int FALLBACK = -1;
}

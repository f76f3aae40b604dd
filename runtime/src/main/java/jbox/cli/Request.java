// One call of jbox: everything a command may know about its caller, in one object passed down.
package jbox.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.Caller;

/**
 * The caller of one jbox command: its arguments, streams, environment, working directory,
 * terminals, global flags and signals. Commands and everything below them read these from here,
 * never from System.out, System.getenv or the JVM's working directory, so one JVM can serve many
 * callers at once (the engine) and a command can run with captured streams (tests). Main.main
 * builds one from the real process ({@link #ofProcess}); the engine builds one per connection.
 */
public final class Request {
    /** Which of the caller's fds 0, 1, 2 are terminals, and its window size (0 0: unknown or none). */
    public record Terminals(boolean stdin, boolean stdout, boolean stderr, int rows, int cols) {
        public static final Terminals NONE = new Terminals(false, false, false, 0, 0);

        /** What System.console() answers in a JVM with these fds: stdin and stdout both terminals. */
        public boolean console() {
            return stdin && stdout;
        }
    }

    /** The signals the caller receives (TERM, INT, HUP, …), delivered to whoever asks for them. */
    public interface Signals {
        /**
         * From now on, the caller's forwardable signals go to {@code to} (a signal number each)
         * instead of ending the command. One receiver per request: a later call replaces it.
         */
        void forward(IntConsumer to);
    }

    private final List<String> args;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Path cwd;
    private final Supplier<Terminals> terminals;
    private final Signals signals;
    private final Caller caller;
    private final GlobalFlags flags = new GlobalFlags();
    private Config config;

    /**
     * {@code cwd} must be absolute: relative paths of the command line resolve against it.
     * {@code ownStdio}: the streams are this JVM's own fds 0..2, so child processes may inherit them.
     */
    public Request(List<String> args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path cwd,
            Supplier<Terminals> terminals, Signals signals, Caller caller) {
        if (!cwd.isAbsolute()) {
            throw new IllegalArgumentException("the caller's working directory must be absolute: " + cwd);
        }
        this.args = List.copyOf(args);
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.cwd = cwd;
        this.terminals = terminals;
        this.signals = signals;
        this.caller = caller;
    }

    /** The request of this very process: its argv, stdio, environment, working directory and signals. */
    public static Request ofProcess(String[] args) {
        return new Request(List.of(args), System.in, System.out, System.err, System.getenv(), Path.of("").toAbsolutePath(),
                Request::processTerminals, SignalForwarding::forward, Caller.ofProcess(System.out, System.err));
    }

    public List<String> args() {
        return args;
    }

    public InputStream in() {
        return in;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public Map<String, String> env() {
        return env;
    }

    /** A variable of the caller's environment, or null. */
    public String env(String name) {
        return env.get(name);
    }

    public Path cwd() {
        return cwd;
    }

    /** A path from the command line, resolved as the caller's process would: against its cwd. */
    public Path resolve(Path p) {
        return p == null ? null : cwd.resolve(p);
    }

    public Terminals terminals() {
        return terminals.get();
    }

    public Signals signals() {
        return signals;
    }

    /** What the layers below the CLI need of the caller: its output streams and how to start its processes. */
    public Caller caller() {
        return caller;
    }

    GlobalFlags flags() {
        return flags;
    }

    /** The configuration as this caller sees it ($JBOX_CONFIG is the caller's), read once per request. */
    public synchronized Config config() throws JboxException {
        if (config == null) {
            config = Config.load(env.get("JBOX_CONFIG"));
        }
        return config;
    }

    /** Per fd: a terminal if /proc/self/fd/N names one (the JDK tells only whether both 0 and 1 are). */
    private static Terminals processTerminals() {
        return new Terminals(isTerminal(0), isTerminal(1), isTerminal(2), 0, 0);
    }

    private static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}

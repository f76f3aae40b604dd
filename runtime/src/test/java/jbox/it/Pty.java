package jbox.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A shell command line running in a pty made by script(1). A test types only once the screen shows
 * what it waits for (a prompt, a process started), never after a fixed pause: keys that arrive
 * before jbox put the terminal in raw mode would reach the host's line discipline instead.
 */
final class Pty implements AutoCloseable {
    /** Starts the configured builder (a test may track what it starts, to end it at clean-up). */
    @FunctionalInterface
    interface Starter {
        Process start(ProcessBuilder pb) throws IOException;
    }

    private final Process p;
    private final StringBuffer screen = new StringBuffer();
    private final Thread reader;

    /** {@code pb}: jbox's environment for the command (Jbox.builder(), or a test's own engine). */
    Pty(ProcessBuilder pb, String inner, Starter starter) throws Exception {
        // script(1) runs $SHELL -c INNER, and that shell shares the terminal's foreground process
        // group with jbox: dash (Debian's /bin/sh, script's default when SHELL is unset) stays behind
        // as a parent and dies of a Ctrl-\ itself, bash execs a lone command. One shell for every
        // environment: dash, and a test that types a signal key execs its jbox (see {@link #exec}).
        pb.environment().put("SHELL", "/bin/sh");
        pb.command("script", "-qec", inner, "/dev/null");
        pb.redirectErrorStream(true);
        p = starter.start(pb);
        reader = new Thread(() -> {
            byte[] b = new byte[4096];
            try {
                for (int n; (n = p.getInputStream().read(b)) > 0; ) {
                    screen.append(new String(b, 0, n, StandardCharsets.UTF_8).replace("\r", ""));
                }
            } catch (IOException closed) {
                // the process is gone
            }
        });
        reader.start();
    }

    /** {@code command} run in place of script's shell, so the terminal's signal keys reach it alone. */
    static String exec(String command) {
        return "exec " + command;
    }

    Pty(String inner) throws Exception {
        this(Jbox.builder(), inner, ProcessBuilder::start);
    }

    /** script's process, whose descendants are jbox and what it started. */
    ProcessHandle process() {
        return p.toHandle();
    }

    /** Returns once the screen shows {@code text} after position {@code from}; the position after it. */
    int await(String text, int from) throws Exception {
        Await.until("the terminal shows " + text.strip() + ": " + screen, () -> screen.indexOf(text, from) >= 0);
        return screen.indexOf(text, from) + text.length();
    }

    void type(String keys) throws IOException {
        p.getOutputStream().write(keys.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
    }

    Jbox.Result finish() throws Exception {
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(exited, "hung: " + screen);
        p.getOutputStream().close();
        return new Jbox.Result(p.exitValue(), screen.toString(), "");
    }

    /** SIGKILL script and jbox (the JVM forwards SIGHUP to the container); the shim then kills the container. */
    @Override
    public void close() {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }
}

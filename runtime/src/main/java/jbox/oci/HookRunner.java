package jbox.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.runtime.Caller;
import jbox.spec.ContainerSpec;

/**
 * The hooks that run in jbox's own namespaces (prestart, createRuntime, poststart, poststop):
 * path with args and exactly env, the state JSON on stdin, output to the caller's stdout and stderr
 * (inherited when they are jbox's own, else copied). The hooks that run inside the container are
 * plan steps (PlanBuilder).
 */
final class HookRunner {
    private HookRunner() {
    }

    /** Runs each hook in order; the first failure is thrown. */
    static void run(String kind, List<ContainerSpec.Hook> hooks, String state, Caller caller) throws JboxException {
        if (hooks == null) {
            return;
        }
        for (ContainerSpec.Hook h : hooks) {
            runOne(kind, h, state, caller);
        }
    }

    /** poststart and poststop: a failing hook is reported and the rest still run (runtime-spec). */
    static void runWarning(String kind, List<ContainerSpec.Hook> hooks, String state, Caller caller) {
        if (hooks == null) {
            return;
        }
        for (ContainerSpec.Hook h : hooks) {
            try {
                runOne(kind, h, state, caller);
            } catch (JboxException e) {
                caller.warn(e.getMessage());
            }
        }
    }

    private static void runOne(String kind, ContainerSpec.Hook h, String state, Caller caller) throws JboxException {
        // args[0] is only the name the hook sees; what runs is path (runtime-spec). ProcessBuilder
        // cannot set argv[0] apart from the program, so the hook sees its path there.
        List<String> argv = new ArrayList<>(h.argv());
        argv.set(0, h.path());
        ProcessBuilder.Redirect output = caller.ownStdio() ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.PIPE;
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(output).redirectError(output);
        Map<String, String> env = pb.environment();
        env.clear();
        for (String kv : h.env() == null ? List.<String>of() : h.env()) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        String what = kind + " hook " + h.path();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new JboxException("cannot run " + what + ": " + IoReason.of(e), e);
        }
        // Fed from a thread: the timeout covers a hook that neither reads its stdin nor exits.
        Thread feeder = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(state.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // a hook need not read its stdin
            }
        }, "jbox-hook-stdin");
        feeder.setDaemon(true);
        feeder.start();
        Thread[] copies = caller.ownStdio() ? new Thread[0]
                : new Thread[] {copy(p.getInputStream(), caller.out()), copy(p.getErrorStream(), caller.err())};
        try {
            boolean done = h.timeout() == null ? p.waitFor() >= Integer.MIN_VALUE : p.waitFor(h.timeout(), TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor();
            }
            for (Thread c : copies) {
                c.join(COPY_TAIL_MILLIS); // the hook's last lines; a daemon it left may hold the pipe open
            }
            if (!done) {
                throw new JboxException(what + " timed out after " + h.timeout() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new JboxException("interrupted while running " + what, e);
        }
        if (p.exitValue() != 0) {
            throw new JboxException(what + " failed: exit status " + p.exitValue());
        }
    }

    /** How long the copy of a finished hook's output may take: a child it left may keep the pipe open. */
    private static final long COPY_TAIL_MILLIS = 1000;

    private static Thread copy(InputStream from, PrintStream to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (from) {
                for (int n; (n = from.read(buf)) > 0;) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException ignored) {
                // the hook's output is best effort, as on a closed terminal
            }
        }, "jbox-hook-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}

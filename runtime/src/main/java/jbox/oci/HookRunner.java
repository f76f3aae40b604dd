package jbox.oci;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.spec.ContainerSpec;

/**
 * The hooks that run in jbox's own namespaces (prestart, createRuntime, poststart, poststop):
 * path with args and exactly env, the state JSON on stdin, output to jbox's stderr. The hooks
 * that run inside the container are plan steps (PlanBuilder).
 */
final class HookRunner {
    private HookRunner() {
    }

    /** Runs each hook in order; the first failure is thrown. */
    static void run(String kind, List<ContainerSpec.Hook> hooks, String state) throws JboxException {
        if (hooks == null) {
            return;
        }
        for (ContainerSpec.Hook h : hooks) {
            runOne(kind, h, state);
        }
    }

    /** poststart and poststop: a failing hook is reported and the rest still run (runtime-spec). */
    static void runWarning(String kind, List<ContainerSpec.Hook> hooks, String state) {
        if (hooks == null) {
            return;
        }
        for (ContainerSpec.Hook h : hooks) {
            try {
                runOne(kind, h, state);
            } catch (JboxException e) {
                System.err.println("jbox: warning: " + e.getMessage());
            }
        }
    }

    private static void runOne(String kind, ContainerSpec.Hook h, String state) throws JboxException {
        // args[0] is only the name the hook sees; what runs is path (runtime-spec). ProcessBuilder
        // cannot set argv[0] apart from the program, so the hook sees its path there.
        List<String> argv = new java.util.ArrayList<>(h.argv());
        argv.set(0, h.path());
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
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
        try {
            boolean done = h.timeout() == null ? p.waitFor() >= Integer.MIN_VALUE : p.waitFor(h.timeout(), TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor();
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
}

package jbox.network;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jbox.JboxException;
import jbox.io.IoReason;

/**
 * A host tool (ip, iptables) run as a child process with its input given up front. Networking
 * goes through the tools rather than netlink from Java: their behaviour is documented (ip-link(8),
 * ip-netns(8), iptables(8)), and `ip -batch` makes one process do several steps.
 */
final class Command {
    /** Exit status and what the tool said on stderr (stdout is not kept). */
    record Result(int status, String err) {
        boolean ok() {
            return status == 0;
        }

        /** The tool's first complaint, for a one-line message. */
        String firstError() {
            for (String line : err.split("\n")) {
                if (!line.isBlank()) {
                    return line.trim();
                }
            }
            return "exit status " + status;
        }
    }

    /** A started tool; {@link #await()} collects its result. */
    static final class Running {
        private final Process process;
        private final String what;

        private Running(Process process, String what) {
            this.process = process;
            this.what = what;
        }

        Result await() throws JboxException {
            try {
                String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                return new Result(process.waitFor(), err);
            } catch (IOException e) {
                throw new JboxException("cannot read the output of " + what + ": " + IoReason.of(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JboxException("interrupted while waiting for " + what, e);
            }
        }
    }

    private Command() {
    }

    static Result run(List<String> argv, String stdin) throws JboxException {
        return start(argv, stdin).await();
    }

    /** Runs a tool that reads nothing and returns what it printed on stdout (iptables-save); null when it failed. */
    static String output(List<String> argv) throws JboxException {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new JboxException("cannot run " + argv.get(0) + " (needed for published ports and networks; install iptables): "
                    + e.getMessage(), e);
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            throw new JboxException("cannot read the output of " + String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JboxException("interrupted while waiting for " + String.join(" ", argv), e);
        }
    }

    static Running start(List<String> argv, String stdin) throws JboxException {
        String what = String.join(" ", argv);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new JboxException("cannot run " + argv.get(0) + " (needed for bridge networking; install iproute2 and iptables): "
                    + IoReason.of(e), e);
        }
        if (stdin != null) {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                p.destroyForcibly();
                throw new JboxException("cannot send input to " + what + ": " + IoReason.of(e), e);
            }
        }
        return new Running(p, what);
    }
}

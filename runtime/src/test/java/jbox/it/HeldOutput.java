package jbox.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a runtime command (runc or jbox's OCI verbs) with stdout and stderr through files, not pipes:
 * `create` and `--detach` leave a container init that keeps them open, so reading a pipe to its end
 * would wait for the container rather than for the command.
 */
final class HeldOutput {
    private HeldOutput() {
    }

    /**
     * Starts {@code pb} with its output to new files in {@code dir}; writes {@code stdin} and closes it
     * unless null (then stdin is left as {@code pb} has it); fails naming {@code what} after {@code limit}.
     */
    static Jbox.Result run(ProcessBuilder pb, Path dir, String stdin, Duration limit, String what) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
        }
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(what + " did not finish in " + limit.toSeconds() + " s");
        }
        return new Jbox.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}

// A Request whose streams are byte buffers: runs a command in this JVM and keeps what it printed.
package jbox.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.runtime.Caller;

final class CapturedRequest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final Request request;

    CapturedRequest(Path cwd, Map<String, String> env, String... args) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        request = new Request(List.of(args), new ByteArrayInputStream(new byte[0]), o, e, env, cwd,
                () -> Request.Terminals.NONE, to -> { }, Caller.of(o, e, jbox.process.ShimStarter.LOCAL));
    }

    /** Runs the command: its exit status. */
    int run() {
        return Main.execute(request);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}

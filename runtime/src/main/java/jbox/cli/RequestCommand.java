// The base of jbox's command objects: each holds the request it serves.
package jbox.cli;

import java.io.PrintStream;
import jbox.JboxException;
import jbox.config.Config;

/**
 * A command object for one request. Main's picocli factory and OciFastPath set {@link #request}
 * before the command runs; a command reads its caller (streams, environment, cwd, flags) only
 * from there.
 */
abstract class RequestCommand {
    Request request;

    PrintStream out() {
        return request.out();
    }

    Config config() throws JboxException {
        return request.config();
    }

    GlobalFlags globalFlags() {
        return request.flags();
    }
}

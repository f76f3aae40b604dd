// docker's rule for commands that take several containers: go on past one that fails, fail at the end.
package jbox.cli;

import java.util.List;
import jbox.JboxException;

/**
 * Runs one action per container reference, as docker and podman do for `stop a b`, `rm -f a b c`,
 * `inspect a b`: a reference that fails (no such container, not running) gets its one error line
 * on the caller's stderr and the others still run; the status is that of the first failure, 0
 * when none failed.
 */
final class EachRef {
    interface Action {
        void on(String ref) throws JboxException;
    }

    private EachRef() {
    }

    static int run(Request request, List<String> refs, Action action) {
        int status = 0;
        for (String ref : refs) {
            try {
                action.on(ref);
            } catch (JboxException e) {
                request.err().println("jbox: " + e.getMessage());
                request.flags().logError(e.getMessage());
                if (status == 0) {
                    status = e.exitCode();
                }
            }
        }
        return status;
    }
}

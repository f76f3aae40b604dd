package jbox.cli;

import jbox.runtime.ContainerRunner;
import sun.misc.Signal;

/**
 * SIGTERM, SIGINT and SIGHUP sent to jbox go to the container's PID 1, once each (the shim and
 * the container are out of the terminal's process group, so Ctrl-C reaches only jbox). What PID 1
 * does with them is the kernel's business: without a handler, it ignores them.
 */
final class SignalForwarding {
    private SignalForwarding() {
    }

    static void install(ContainerRunner runner) {
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            Signal.handle(new Signal(name), s -> runner.forwardSignal(s.getNumber()));
        }
    }
}

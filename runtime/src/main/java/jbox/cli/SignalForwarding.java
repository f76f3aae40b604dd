package jbox.cli;

import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * The signals of this JVM's own caller (the cold path: jbox run as a process): SIGTERM, SIGINT
 * and SIGHUP sent to jbox go to the receiver, which passes them to the container's PID 1, once
 * each (the shim and the container are out of the terminal's process group, so Ctrl-C reaches
 * only jbox). What PID 1 does with them is the kernel's business: without a handler, it ignores
 * them. The engine delivers its callers' signals from their front ends instead (Request.Signals).
 */
final class SignalForwarding {
    private SignalForwarding() {
    }

    static void forward(IntConsumer to) {
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            Signal.handle(new Signal(name), s -> to.accept(s.getNumber()));
        }
    }
}

package jbox.runtime;

import java.nio.file.Path;
import jbox.JboxException;
import jbox.spec.ContainerSpec;
import jbox.spec.OciConfig;

/** The container's ContainerSpec as config.json in its state directory (OciConfig's shape, temp + rename), for inspect. */
public final class SpecFile {
    public static final String NAME = "config.json";

    private SpecFile() {
    }

    public static void write(Path stateDir, ContainerSpec spec) throws JboxException {
        OciConfig.write(spec, stateDir.resolve(NAME));
    }

    /**
     * A daemon thread that waits a moment first: short commands (the common `run --rm ... true`)
     * end before it starts and never pay for it; long ones get their config.json 200 ms in.
     */
    static void writeInBackground(Path stateDir, ContainerSpec spec) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(200);
                write(stateDir, spec);
            } catch (JboxException | InterruptedException e) {
                // inspect shows no config then; the container itself is unaffected
            }
        }, "jbox-config-json");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }
}

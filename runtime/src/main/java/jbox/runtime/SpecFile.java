package jbox.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import jbox.JboxException;
import jbox.spec.ContainerSpec;

/** The container's ContainerSpec as config.json in its state directory (temp + rename), for inspect. */
public final class SpecFile {
    public static final String NAME = "config.json";

    private SpecFile() {
    }

    static void write(Path stateDir, ContainerSpec spec) throws JboxException {
        Path tmp = stateDir.resolve(NAME + ".tmp");
        try {
            Files.write(tmp, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(spec));
            Files.move(tmp, stateDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new JboxException("cannot write " + stateDir.resolve(NAME) + ": " + jbox.io.IoReason.of(e), e);
        }
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

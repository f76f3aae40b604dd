package jbox.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import jbox.JboxException;
import jbox.spec.ContainerSpec;
import jbox.spec.OciConfig;
import jbox.spec.OciConfigWriter;

/**
 * The container's ContainerSpec as config.json in its state directory (OciConfig's shape, temp +
 * rename): what `jbox exec` builds its process from (capabilities, rlimits, seccomp, user, env,
 * cwd) and what `jbox inspect` shows. Recorded before the container's process is released, so an
 * exec never finds it missing.
 */
public final class SpecFile {
    public static final String NAME = "config.json";

    private SpecFile() {
    }

    public static void write(Path stateDir, ContainerSpec spec) throws JboxException {
        OciConfigWriter.write(spec, stateDir.resolve(NAME));
    }

    /** The recorded spec of the container whose state directory is {@code stateDir}. */
    public static ContainerSpec read(Path stateDir) throws JboxException {
        Path file = stateDir.resolve(NAME);
        if (!Files.exists(file)) {
            throw new JboxException("cannot read the container's recorded config " + file + ": no such file");
        }
        return OciConfig.read(stateDir);
    }

    /**
     * Writes config.json on another thread while the start path goes on (network, plan, the
     * shim's spawn and clone); {@link Pending#await} before the container's process may run.
     */
    static Pending writeAsync(Path stateDir, ContainerSpec spec) {
        Pending p = new Pending();
        p.thread = new Thread(() -> {
            try {
                write(stateDir, spec);
            } catch (JboxException | RuntimeException e) {
                p.failure = e;
            }
        }, "jbox-config-json");
        p.thread.setDaemon(true);
        p.thread.start();
        return p;
    }

    /** A config.json being written. */
    static final class Pending {
        private Thread thread;
        private volatile Exception failure;

        /** Waits until it is written; its failure is this call's. */
        void await() throws JboxException {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JboxException("interrupted while writing the container's config.json", e);
            }
            if (failure instanceof JboxException j) {
                throw j;
            }
            if (failure != null) {
                throw new JboxException("cannot write the container's config.json: " + failure, failure);
            }
        }

        /** Waits, ignoring a failure (clean-up: the directory is about to go). */
        void awaitQuietly() {
            try {
                await();
            } catch (JboxException ignored) {
                // the run already failed for a reason that matters more
            }
        }
    }
}

package jbox.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;

/**
 * Gives a new container its state directory, making sure its --name is unique: the check and the
 * mkdir happen under one lock file (state.root/names.lock), so two concurrent runs with the same
 * name cannot both win.
 */
final class NameRegistry {
    private NameRegistry() {
    }

    /** Creates the container's state directory and returns its (held) lock. */
    static LockFile claim(StateStore states, String name, String id) throws JboxException {
        if (name == null) {
            return states.create(id);
        }
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}")) {
            throw new JboxException("invalid container name " + name + ": use letters, digits, '_', '.' and '-'");
        }
        Path lockFile = states.root().resolve("names.lock");
        try {
            try (LockFile ignored = LockFile.acquire(lockFile)) {
                for (String other : states.ids()) {
                    ContainerRecord s = states.read(other);
                    if (s != null && name.equals(s.name())) {
                        throw new JboxException("container name " + name + " is already in use by " + s.shortId()
                                + " (remove it with: jbox rm " + name + ")");
                    }
                }
                LockFile lock = states.create(id);
                // The name must be visible before the lock is released: write a first state now.
                states.write(ContainerRecord.ofImage(id, name, null, Instant.now().toString(), false, null));
                return lock;
            }
        } catch (IOException e) {
            throw new JboxException("cannot lock " + lockFile + ": " + IoReason.of(e), e);
        }
    }
}

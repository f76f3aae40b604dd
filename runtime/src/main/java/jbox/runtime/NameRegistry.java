package jbox.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;

/**
 * Gives a new container its state directory, making sure its name is unique: the check and the
 * mkdir happen under one lock file (state.root/names.lock), so two concurrent runs with the same
 * name cannot both win. A container run without --name gets a generated one (docker's
 * adjective_surname), checked the same way.
 */
public final class NameRegistry {
    private NameRegistry() {
    }

    /**
     * `jbox rename OLD NEW`, under the same names lock as a new run's name, so a rename and a run
     * cannot both take NEW. The record is replaced whole while its owner may write it too: the
     * owner's next write (the exit) reads the record back first (ContainerLauncher) or rereads it
     * (Cleanup.finish), so the new name stays; a running container's /etc/hosts keeps the old one
     * until its next start, as docker's does.
     */
    public static void rename(StateStore states, String ref, String newName) throws JboxException {
        checkName(newName);
        Path lockFile = states.root().resolve("names.lock");
        try (LockFile ignored = LockFile.acquire(lockFile)) {
            ContainerRecord s = states.find(ref);
            for (String other : states.ids()) {
                ContainerRecord o = states.read(other);
                if (o != null && newName.equals(o.name()) && !o.id().equals(s.id())) {
                    throw new JboxException("container name " + newName + " is already in use by " + o.shortId());
                }
            }
            states.write(s.withName(newName));
        } catch (IOException e) {
            throw new JboxException("cannot lock " + lockFile + ": " + IoReason.of(e), e);
        }
    }

    private static void checkName(String name) throws JboxException {
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}")) {
            throw new JboxException("invalid container name " + name + ": use letters, digits, '_', '.' and '-'");
        }
    }

    /** The state directory's held lock and the name the container got. */
    record Claim(LockFile lock, String name) {
    }

    /** Creates the container's state directory under {@code name}, or a generated name when null. */
    static Claim claim(StateStore states, String name, String id) throws JboxException {
        if (name != null) {
            checkName(name);
        }
        Path lockFile = states.root().resolve("names.lock");
        try {
            try (LockFile ignored = LockFile.acquire(lockFile)) {
                Map<String, String> taken = new HashMap<>();
                for (String other : states.ids()) {
                    ContainerRecord s = states.read(other);
                    if (s != null && s.name() != null) {
                        taken.put(s.name(), s.shortId());
                    }
                }
                if (name != null && taken.containsKey(name)) {
                    throw new JboxException("container name " + name + " is already in use by " + taken.get(name)
                            + " (remove it with: jbox rm " + name + ")");
                }
                String chosen = name != null ? name : GeneratedNames.pick(taken::containsKey);
                LockFile lock = states.create(id);
                // The name must be visible before the lock is released: write a first state now.
                states.write(ContainerRecord.ofImage(id, chosen, null, Instant.now().toString(), false, null));
                return new Claim(lock, chosen);
            }
        } catch (IOException e) {
            throw new JboxException("cannot lock " + lockFile + ": " + IoReason.of(e), e);
        }
    }
}

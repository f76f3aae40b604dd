package jbox.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import jbox.io.FileModes;
import jbox.io.LockFile;
import jbox.JboxException;

/**
 * Runtime state under state.root (/run/jbox): one directory per container with state.json
 * (written atomically: temp file + rename) and a lock file that the jbox process owning the
 * container holds for as long as it runs. A directory whose lock can be taken has no owner left:
 * that is how clean-up tells a live container from the leftovers of a killed jbox.
 */
public final class StateStore {
    static final String STATE_FILE = "state.json";
    static final String LOCK_FILE = "lock";
    static final String MONITOR_LOCK_FILE = "monitor.lock"; // ContainerRunner.MONITOR_LOCK, taken by the shim
    private static ObjectMapper mapper;

    private final Path root;

    public StateStore(Path root) {
        this.root = root;
    }

    static synchronized ObjectMapper mapper() {
        if (mapper == null) {
            mapper = new ObjectMapper();
        }
        return mapper;
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    /** Creates the container's state directory and takes its lock; the caller keeps the lock open. */
    public LockFile create(String id) throws JboxException {
        Path dir = dir(id);
        try {
            Files.createDirectories(root, FileModes.attribute(FileModes.PRIVATE_DIR)); // HostRoots made it, normally
            FileModes.createDirectory(dir, FileModes.PRIVATE_DIR); // ContainerFiles opens it to the container's group

            return LockFile.acquire(dir.resolve(LOCK_FILE));
        } catch (FileAlreadyExistsException e) {
            throw new JboxException("state directory " + dir + " already exists");
        } catch (IOException e) {
            throw new JboxException("cannot create state directory " + dir + ": " + jbox.io.IoReason.of(e), e);
        }
    }

    public void write(ContainerState state) throws JboxException {
        Path file = dir(state.id()).resolve(STATE_FILE);
        Path tmp = dir(state.id()).resolve(STATE_FILE + ".tmp");
        try {
            FileModes.write(tmp, StateJson.write(state), FileModes.PRIVATE_FILE);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new JboxException("cannot replace " + file + " atomically", e);
            }
        } catch (IOException e) {
            throw new JboxException("cannot write " + file + ": " + jbox.io.IoReason.of(e), e);
        }
    }

    /**
     * The state of one container, or null when it has none: killed before writing it, or removed
     * by its own jbox while we looked (other commands list states concurrently with exits).
     */
    public ContainerState read(String id) throws JboxException {
        Path file = dir(id).resolve(STATE_FILE);
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + jbox.io.IoReason.of(e), e);
        }
        try {
            return mapper().readValue(json, ContainerState.class);
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + jbox.io.IoReason.of(e), e);
        }
    }

    /** Ids of every container directory, live or not. */
    public List<String> ids() throws JboxException {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return ids;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && p.getFileName().toString().matches("[0-9a-f]{64}")) {
                    ids.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot list " + root + ": " + jbox.io.IoReason.of(e), e);
        }
        ids.sort(null);
        return ids;
    }

    /** Every readable state, newest last. */
    public List<ContainerState> list() throws JboxException {
        List<ContainerState> out = new ArrayList<>();
        for (String id : ids()) {
            ContainerState s = read(id);
            if (s != null) {
                out.add(s);
            }
        }
        out.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
        return out;
    }

    /**
     * True when a jbox process holds the container's lock (it is starting or running in the
     * foreground) or its shim holds the monitor lock (it runs, also detached).
     */
    public boolean isOwned(String id) {
        return locked(dir(id).resolve(LOCK_FILE)) || locked(dir(id).resolve(MONITOR_LOCK_FILE));
    }

    private static boolean locked(Path lock) {
        return LockFile.isHeld(lock);
    }

    /**
     * Finds a container that is running now (its owner lives and its init is still the recorded
     * process: same pid, same start time), or fails saying so. A pid that names another process
     * (reused, or a state.json someone edited) is never signalled or entered.
     */
    public ContainerState findRunning(String ref) throws JboxException {
        ContainerState s = find(ref);
        if (!isOwned(s.id()) || !jbox.ProcFile.isSameProcess(s.pid(), s.pidStartTime())) {
            throw new JboxException("container " + ref + " is not running");
        }
        return s;
    }

    /** Finds a container by full id, unique id prefix or name. */
    public ContainerState find(String ref) throws JboxException {
        ContainerState match = null;
        for (ContainerState s : list()) {
            if (s.id().equals(ref) || ref.equals(s.name())) {
                return s;
            }
            if (ref.length() >= 3 && s.id().startsWith(ref)) {
                if (match != null) {
                    throw new JboxException("container id prefix " + ref + " is ambiguous");
                }
                match = s;
            }
        }
        if (match == null) {
            throw new JboxException("no such container: " + ref);
        }
        return match;
    }
}

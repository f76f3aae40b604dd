package jbox.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.rootfs.TreeDeletion;

/**
 * The OCI CLI's state root (runc's --root; jbox's oci.root): one directory per container id,
 * created atomically (two creates of one id: the second fails), holding state.json, the start
 * FIFO while the container is created, and the control socket during create.
 */
public final class OciStore {
    public static final String STATE = "state.json";
    public static final String FIFO = "exec.fifo";
    static final String HOOKS = "hooks.json";
    private static final String CREATE_LOCK = "create.lock";
    private static final java.util.concurrent.atomic.AtomicLong CREATES = new java.util.concurrent.atomic.AtomicLong();

    private final Path root;

    public OciStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    /** runc's rule for ids: they become directory names. */
    public static boolean isValidId(String id) {
        return id != null && id.matches("[A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}");
    }

    public static void checkId(String id) throws JboxException {
        if (!isValidId(id)) {
            throw new JboxException("invalid container id \"" + id + "\": use letters, digits, _ . + - (not first)");
        }
    }

    /**
     * Makes ROOT/ID with its create lock already held, in one step: the directory is prepared as
     * ROOT/.ID.PID.N with create.lock locked inside, then renamed into place (a directory that is not
     * empty is never replaced, so a taken id fails). Prune never sees ROOT/ID without a live lock
     * while its create runs.
     */
    public jbox.io.LockFile create(String id) throws JboxException {
        checkId(id);
        // pid and a count: one JVM (the engine) may create several at once
        Path temp = root.resolve("." + id + "." + ProcessHandle.current().pid() + "." + CREATES.incrementAndGet());
        try {
            for (int attempt = 0;; attempt++) {
                // root-only, made or tightened: state.json, config.json (secrets) and exec.fifo live below
                FileModes.ensureDirectory(root, FileModes.PRIVATE_DIR, 0, 0);
                try {
                    FileModes.createDirectory(temp, FileModes.PRIVATE_DIR);
                    break;
                } catch (NoSuchFileException rootJustRemoved) { // by a delete of the last container
                    if (attempt == 3) {
                        throw rootJustRemoved;
                    }
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot create state directory " + temp + ": " + IoReason.of(e), e);
        }
        jbox.io.LockFile lock = null;
        try {
            lock = jbox.io.LockFile.acquire(temp.resolve(CREATE_LOCK));
            if (Files.exists(dir(id))) {
                throw new JboxException("container " + id + " already exists");
            }
            Files.move(temp, dir(id), StandardCopyOption.ATOMIC_MOVE);
            return lock;
        } catch (IOException | JboxException e) {
            if (lock != null) {
                lock.close();
            }
            TreeDeletion.deleteQuietly(temp, e);
            if (e instanceof JboxException j) {
                throw j;
            }
            if (e instanceof java.nio.file.DirectoryNotEmptyException || e instanceof FileAlreadyExistsException) {
                throw new JboxException("container " + id + " already exists");
            }
            throw new JboxException("cannot create state directory " + dir(id) + ": " + IoReason.of((IOException) e), e);
        }
    }

    public void write(OciState s) throws JboxException {
        try {
            jbox.io.AtomicFile.write(dir(s.id()).resolve(STATE), OciStateJson.write(s), jbox.io.FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new JboxException("cannot write " + dir(s.id()).resolve(STATE) + ": " + IoReason.of(e), e);
        }
        if (s.hooks() != null && (notEmpty(s.hooks().poststart()) || notEmpty(s.hooks().poststop()))
                && !Files.exists(dir(s.id()).resolve(HOOKS))) {
            try {
                FileModes.write(dir(s.id()).resolve(HOOKS), new ObjectMapper().writeValueAsBytes(s.hooks()), FileModes.PRIVATE_FILE);
            } catch (IOException e) {
                throw new JboxException("cannot write " + dir(s.id()).resolve(HOOKS) + ": " + IoReason.of(e), e);
            }
        }
    }

    private static boolean notEmpty(List<?> l) {
        return l != null && !l.isEmpty();
    }

    /** The container's state; its poststart and poststop hooks only when it has any (hooks.json). */
    public OciState load(String id) throws JboxException {
        checkId(id);
        Path f = dir(id).resolve(STATE);
        try {
            OciState s = OciStateJson.read(Files.readAllBytes(f));
            Path hooks = dir(id).resolve(HOOKS);
            if (!Files.exists(hooks)) {
                return s;
            }
            return new OciState(s.id(), s.pid(), s.pidStartTime(), s.bundle(), s.rootfs(), s.created(), s.annotations(),
                    s.cgroup(), s.cgroupParents(), s.cgroupBases(), new ObjectMapper().readValue(Files.readAllBytes(hooks),
                            jbox.spec.ContainerSpec.Hooks.class));
        } catch (NoSuchFileException e) {
            if (Files.isDirectory(dir(id))) { // create is still running, or died before its first write
                return new OciState(id, 0, 0, null, null, null, null, null, 0, null);
            }
            throw new JboxException("container " + id + " does not exist");
        } catch (IOException e) {
            throw new JboxException("cannot read " + f + ": " + IoReason.of(e), e);
        }
    }

    /** Waits for and takes ROOT/ID/NAME's lock; the container must exist. */
    public jbox.io.LockFile lock(String id, String name) throws JboxException {
        checkId(id);
        if (!Files.isDirectory(dir(id))) {
            throw new JboxException("container " + id + " does not exist");
        }
        try {
            return jbox.io.LockFile.acquire(dir(id).resolve(name));
        } catch (IOException e) {
            throw new JboxException("cannot lock " + dir(id).resolve(name) + ": " + IoReason.of(e), e);
        }
    }

    /** Removes ROOT/.ID.PID.N directories of creates that died before their rename; returns their names. */
    public List<String> removeStaleCreates() throws JboxException {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, ".*")) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && !jbox.io.LockFile.isHeld(p.resolve(CREATE_LOCK))) {
                    TreeDeletion.delete(p);
                    removed.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot clean " + root + ": " + IoReason.of(e), e);
        }
        return removed;
    }

    /** Held by the jbox that creates id (see create), for as long as it works on it. */
    public boolean createLocked(String id) {
        return jbox.io.LockFile.isHeld(dir(id).resolve(CREATE_LOCK));
    }

    public boolean fifoExists(String id) {
        return Files.exists(dir(id).resolve(FIFO));
    }

    public String status(OciState s) {
        return s.status(fifoExists(s.id()));
    }

    public List<String> ids() throws JboxException {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return ids;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")) { // .ID.PID: a create
                    ids.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot list " + root + ": " + IoReason.of(e), e);
        }
        ids.sort(null);
        return ids;
    }

    /** Removes ROOT/ID, and ROOT too once it is empty (nothing of jbox stays on the host). */
    public void remove(String id) throws JboxException {
        try {
            TreeDeletion.delete(dir(id));
        } catch (IOException e) {
            throw new JboxException("cannot remove " + dir(id) + ": " + IoReason.of(e), e);
        }
        try {
            Files.deleteIfExists(root);
        } catch (IOException notEmpty) {
            // other containers live here
        }
    }
}

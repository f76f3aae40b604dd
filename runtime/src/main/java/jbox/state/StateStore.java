package jbox.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.io.AtomicFile;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.rootfs.TreeDeletion;
import jbox.spec.ContainerSpec;

/**
 * Runtime state, one directory per container below a root: state.json (a {@link ContainerRecord},
 * written atomically: temp file + rename), config.json (the spec it runs: SpecFile), a lock file
 * held by the jbox process that owns the container while it works on it (`jbox run` for the
 * container's life, the OCI CLI's create until it returns), monitor.lock (held by a detached
 * container's shim), exec.fifo while an OCI container waits for start, hooks.json when it has
 * poststart or poststop hooks. A directory whose locks can be taken has no owner left: that is how
 * clean-up tells a live container from the leftovers of a killed jbox.
 *
 * <p>One type, two roots: `jbox run`'s state.root (ids of 64 hex digits; the root made 0711 by
 * HostRoots and kept) and the OCI CLI's --root (runc's ids; root-only, made on the first create
 * and removed with its last container, as runc does).
 */
public final class StateStore {
    public static final String STATE = "state.json";
    public static final String FIFO = "exec.fifo";
    static final String LOCK = "lock";
    static final String MONITOR_LOCK = "monitor.lock"; // ContainerRunner.MONITOR_LOCK, taken by the shim
    static final String HOOKS = "hooks.json";
    private static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern OCI_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}");

    private static final AtomicLong CREATES = new AtomicLong();

    private final Path root;
    private final Pattern ids;
    private final boolean ociRoot;

    private StateStore(Path root, Pattern ids, boolean ociRoot) {
        this.root = root;
        this.ids = ids;
        this.ociRoot = ociRoot;
    }

    /** `jbox run`'s containers under state.root. */
    public static StateStore ofRun(Path root) {
        return new StateStore(root, RUN_ID, false);
    }

    /** The OCI CLI's containers under runc's --root (jbox's oci.root). */
    public static StateStore ofOci(Path root) {
        return new StateStore(root, OCI_ID, true);
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    public Path fifo(String id) {
        return dir(id).resolve(FIFO);
    }

    /** runc's rule for ids: they become directory names. */
    public static boolean isValidId(String id) {
        return id != null && OCI_ID.matcher(id).matches();
    }

    public static void checkId(String id) throws JboxException {
        if (!isValidId(id)) {
            throw new JboxException("invalid container id \"" + id + "\": use letters, digits, _ . + - (not first)");
        }
    }

    /**
     * Makes ROOT/ID with its owner lock already held, in one step: the directory is prepared as
     * ROOT/.ID.PID.N with the lock taken inside, then renamed into place (a directory that is not
     * empty is never replaced, so a taken id fails). Clean-up never sees ROOT/ID without a live
     * lock while its owner starts it. The caller keeps the lock open.
     */
    public LockFile create(String id) throws JboxException {
        checkId(id);
        // pid and a count: one JVM (the engine) may create several at once
        Path temp = root.resolve("." + id + "." + ProcessHandle.current().pid() + "." + CREATES.incrementAndGet());
        try {
            for (int attempt = 0;; attempt++) {
                if (ociRoot) { // root-only, made or tightened: state.json, config.json (secrets) and exec.fifo live below
                    FileModes.ensureDirectory(root, FileModes.PRIVATE_DIR, 0, 0);
                } else {
                    Files.createDirectories(root, FileModes.attribute(FileModes.PRIVATE_DIR)); // HostRoots made it, normally
                }
                try {
                    FileModes.createDirectory(temp, FileModes.PRIVATE_DIR); // jbox run: ContainerFiles opens it to the container's group
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
        LockFile lock = null;
        try {
            lock = LockFile.acquire(temp.resolve(LOCK));
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
            if (e instanceof DirectoryNotEmptyException || e instanceof FileAlreadyExistsException) {
                throw new JboxException("container " + id + " already exists");
            }
            throw new JboxException("cannot create state directory " + dir(id) + ": " + IoReason.of((IOException) e), e);
        }
    }

    /** Replaces state.json; the first write of a record with poststart or poststop hooks also writes hooks.json. */
    public void write(ContainerRecord s) throws JboxException {
        Path file = dir(s.id()).resolve(STATE);
        try {
            AtomicFile.write(file, StateJson.write(s), FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new JboxException("cannot write " + file + ": " + IoReason.of(e), e);
        }
        Path hooks = dir(s.id()).resolve(HOOKS);
        if (s.hooks() != null && (notEmpty(s.hooks().poststart()) || notEmpty(s.hooks().poststop())) && !Files.exists(hooks)) {
            try {
                FileModes.write(hooks, new ObjectMapper().writeValueAsBytes(s.hooks()), FileModes.PRIVATE_FILE);
            } catch (IOException e) {
                throw new JboxException("cannot write " + hooks + ": " + IoReason.of(e), e);
            }
        }
    }

    private static boolean notEmpty(List<?> l) {
        return l != null && !l.isEmpty();
    }

    /**
     * The record of one container, or null when it has none: killed before writing it, or removed
     * by its owner while we looked (other commands list states concurrently with exits).
     */
    public ContainerRecord read(String id) throws JboxException {
        Path file = dir(id).resolve(STATE);
        try {
            ContainerRecord s = StateJson.read(Files.readAllBytes(file));
            Path hooks = dir(id).resolve(HOOKS);
            if (!Files.exists(hooks)) {
                return s;
            }
            return s.withSpecParts(s.annotations(), new ObjectMapper().readValue(Files.readAllBytes(hooks), ContainerSpec.Hooks.class));
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + IoReason.of(e), e);
        }
    }

    /**
     * The record of the container {@code id} (the OCI CLI names containers by id only); one
     * without a pid when its directory exists without a state (its create still runs, or died
     * before its first write).
     */
    public ContainerRecord load(String id) throws JboxException {
        checkId(id);
        ContainerRecord s = read(id);
        if (s != null) {
            return s;
        }
        if (Files.isDirectory(dir(id))) {
            return ContainerRecord.ofBundle(id, null, null);
        }
        throw new JboxException("container " + id + " does not exist");
    }

    /** Waits for and takes ROOT/ID/NAME's lock; the container must exist. */
    public LockFile lock(String id, String name) throws JboxException {
        checkId(id);
        if (!Files.isDirectory(dir(id))) {
            throw new JboxException("container " + id + " does not exist");
        }
        try {
            return LockFile.acquire(dir(id).resolve(name));
        } catch (IOException e) {
            throw new JboxException("cannot lock " + dir(id).resolve(name) + ": " + IoReason.of(e), e);
        }
    }

    /** Removes ROOT/.ID.PID directories of creates that died before their rename; returns their names. */
    public List<String> removeStaleCreates() throws JboxException {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, ".*")) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && !LockFile.isHeld(p.resolve(LOCK))) {
                    TreeDeletion.delete(p);
                    removed.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot clean " + root + ": " + IoReason.of(e), e);
        }
        return removed;
    }

    /** True while the jbox that made the container works on it (jbox run: its whole life; OCI create: until it returns). */
    public boolean ownerLocked(String id) {
        return LockFile.isHeld(dir(id).resolve(LOCK));
    }

    /**
     * True when a jbox process holds the container's lock (it is starting or running in the
     * foreground) or its shim holds the monitor lock (it runs, also detached).
     */
    public boolean isOwned(String id) {
        return ownerLocked(id) || LockFile.isHeld(dir(id).resolve(MONITOR_LOCK));
    }

    /**
     * The status, read off the kernel: creating while no init is recorded; stopped once the
     * recorded init is gone or a zombie (its pid naming another process now counts as gone);
     * created while it is alive and the start FIFO exists; running otherwise. (Paused needs the
     * cgroup's freezer: ContainerStop.status.)
     */
    public Status status(ContainerRecord s) {
        if (s.pid() <= 0) {
            return Status.CREATING;
        }
        if (!ProcFile.isAlive(s.pid(), s.pidStartTime())) {
            return Status.STOPPED;
        }
        return Files.exists(fifo(s.id())) ? Status.CREATED : Status.RUNNING;
    }

    /**
     * `jbox ps` and `inspect`'s word for a container of `jbox run` (docker's), from the kernel too:
     * while its owner holds it, created (no init yet, or not past its plan), running, or exited (the
     * init is gone, its owner still finishing); without an owner, exited once an exit code was
     * recorded, else dead (its jbox or monitor was killed: `jbox system prune` removes it).
     */
    public String runStatus(ContainerRecord s, boolean owned) {
        if (!owned) {
            return s.exitCode() != null ? ContainerRecord.EXITED : "dead";
        }
        return switch (status(s)) {
            case CREATING, CREATED -> ContainerRecord.CREATED;
            case STOPPED -> ContainerRecord.EXITED;
            default -> ContainerRecord.RUNNING;
        };
    }

    /** Ids of every container directory, live or not, sorted (ROOT/.ID.PID: a create in progress, not listed). */
    public List<String> ids() throws JboxException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && !name.startsWith(".") && ids.matcher(name).matches()) {
                    out.add(name);
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot list " + root + ": " + IoReason.of(e), e);
        }
        out.sort(null);
        return out;
    }

    /** Every readable record, oldest first. */
    public List<ContainerRecord> list() throws JboxException {
        List<ContainerRecord> out = new ArrayList<>();
        for (String id : ids()) {
            ContainerRecord s = read(id);
            if (s != null) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(ContainerRecord::created, Comparator.nullsLast(Comparator.naturalOrder())));
        return out;
    }

    /**
     * Finds a container that is running now (its owner lives and its init is still the recorded
     * process: same pid, same start time), or fails saying so. A pid that names another process
     * (reused, or a state.json someone edited) is never signalled or entered.
     */
    public ContainerRecord findRunning(String ref) throws JboxException {
        ContainerRecord s = find(ref);
        if (!isOwned(s.id()) || status(s) != Status.RUNNING) {
            throw new JboxException("container " + ref + " is not running");
        }
        return s;
    }

    /** Finds a container by full id, unique id prefix or name. */
    public ContainerRecord find(String ref) throws JboxException {
        ContainerRecord match = null;
        for (ContainerRecord s : list()) {
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

    /** Removes ROOT/ID; the OCI CLI's root too once it is empty (nothing of jbox stays on the host). */
    public void remove(String id) throws JboxException {
        try {
            TreeDeletion.delete(dir(id));
        } catch (IOException e) {
            throw new JboxException("cannot remove " + dir(id) + ": " + IoReason.of(e), e);
        }
        if (!ociRoot) {
            return;
        }
        try {
            Files.deleteIfExists(root);
        } catch (IOException notEmpty) {
            // other containers live here
        }
    }
}

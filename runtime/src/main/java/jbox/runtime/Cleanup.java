package jbox.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jbox.JboxException;
import jbox.cgroup.CgroupUsage;
import jbox.cgroup.ContainerCgroup;
import jbox.config.Config;
import jbox.image.ImageStore;
import jbox.io.IoReason;
import jbox.network.NetworkCleanup;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;

/**
 * Finds what dead containers left and removes it: state directories no jbox holds the lock of
 * (a killed jbox, a stopped container), and writable layers with no state directory at all (a
 * jbox killed between creating the layer and writing its state). Live containers are never
 * touched: their owner holds the lock. Also half-built images of killed imports, and the network
 * pieces of dead containers of this state root (address leases, veths, namespace names, port
 * rules; another root's live container has names of the same shape). Returns one line per
 * removed thing.
 */
public final class Cleanup {
    private final Config config;

    public Cleanup(Config config) {
        this.config = config;
    }

    public List<String> prune() throws JboxException {
        StateStore states = StateStore.ofRun(config.stateRoot());
        List<String> removed = new ArrayList<>();
        List<String> removedIds = new ArrayList<>();
        for (String temp : states.removeStaleCreates()) {
            removed.add("state directory " + states.root().resolve(temp) + " (a run that died before it began)");
        }
        for (String id : states.ids()) {
            if (live(states, id)) {
                continue;
            }
            removedIds.add(id);
            ContainerRecord s = states.read(id);
            new ContainerFiles(config.containersDir().resolve(id), states.dir(id)).remove();
            removed.add("container " + id.substring(0, 12) + (s != null && s.name() != null ? " (" + s.name() + ")" : "")
                    + ": state " + states.dir(id) + ", layer " + config.containersDir().resolve(id));
        }
        // Only this state root's containers: the ones it still has and the ones just removed.
        removed.addAll(NetworkCleanup.prune(config.stateRoot(), prefix -> anyLive(states, prefix),
                prefix -> removedIds.stream().anyMatch(id -> id.startsWith(prefix)) || anyKnown(states, prefix)));
        ContainerCgroups cgroups = new ContainerCgroups(config);
        for (String id : cgroups.underParent()) {
            // Only the cgroups of this root's dead containers: the parent is shared with other state
            // roots and with OCI containers (any --root), whose live processes are not prune's to kill.
            // Found by name, not by record: a jbox killed before recording its cgroup leaves one too.
            if (removedIds.contains(id)) {
                Optional<ContainerCgroup> c = cgroups.underParent(id);
                if (c.isPresent()) {
                    removed.add("cgroup " + c.get().relativePath());
                    c.get().remove();
                }
            }
        }
        for (Path p : new ImageStore(config.imagesDir()).pruneStaging()) {
            removed.add("unfinished image import " + p);
        }
        Path layers = config.containersDir();
        if (Files.isDirectory(layers)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(layers)) {
                for (Path p : ds) {
                    String id = p.getFileName().toString();
                    if (id.startsWith(ContainerFiles.GONE_PREFIX)) {
                        // a removed container's layer an engine deletes after its reply (or was killed
                        // deleting): already removed as far as anyone can see, so not listed again
                        ContainerFiles.deleteTree(p);
                    } else if (!Files.exists(states.dir(id))) {
                        ContainerFiles.deleteTree(p);
                        removed.add("orphaned layer " + p);
                    }
                }
            } catch (IOException e) {
                throw new JboxException("cannot list " + layers + ": " + IoReason.of(e), e);
            }
        }
        return removed;
    }

    /**
     * What a jbox in the foreground does when its container exits, done for a detached one: the
     * shim runs `jbox internal-finish ID` after writing the exit record. Releases the network and
     * the cgroup, then records the exit (or, with --rm, removes the container).
     */
    public void finish(String id) throws JboxException {
        StateStore states = StateStore.ofRun(config.stateRoot());
        ContainerRecord s = states.read(id);
        if (s == null) {
            removeOrphanCgroup(config, id);
            return;
        }
        ContainerRunner.Outcome outcome = ExitRecord.read(states.dir(id).resolve(ContainerRunner.EXIT_RECORD));
        CgroupUsage usage = null;
        try {
            NetworkCleanup.prune(config.stateRoot(), prefix -> !id.startsWith(prefix), id::startsWith); // only this one's pieces
        } finally {
            ContainerCgroup cgroup = new ContainerCgroups(config).open(s);
            if (cgroup != null) {
                usage = cgroup.usage();
                cgroup.remove();
            }
        }
        if (s.autoRemove()) {
            new ContainerFiles(config.containersDir().resolve(id), states.dir(id)).remove();
            return;
        }
        // What --report gives a foreground run, kept beside the state for `jbox inspect`.
        RunReport.kept(states.dir(id), id, s.name(), s.image())
                .startedAt(Instant.parse(s.created())).ended(outcome, null, usage);
        states.write(s.withExited(outcome.exitCode(), Instant.now().toString()));
    }

    /**
     * What internal-finish releases, for a container whose monitor died without running it (a
     * SIGKILLed shim): its network pieces (lease, veth, rules, netns name) and its cgroup.
     */
    public static void releaseOrphan(Config config, String id) throws JboxException {
        try {
            NetworkCleanup.prune(config.stateRoot(), prefix -> !id.startsWith(prefix), id::startsWith); // only this one's pieces
        } finally {
            removeOrphanCgroup(config, id);
        }
    }

    /**
     * The cgroup cgroup.parent/ID of a container whose record went before its monitor released it
     * (an rm -f that stopped waiting): found by name, as prune does; a detached container always has one.
     */
    public static void removeOrphanCgroup(Config config, String id) throws JboxException {
        Optional<ContainerCgroup> c = new ContainerCgroups(config).underParent(ContainerCgroups.name(id));
        if (c.isPresent()) {
            c.get().remove();
        }
    }

    /** A container is live while its jbox holds its lock, or while its monitor (the recorded shim) still runs. */
    public static boolean live(StateStore states, String id) {
        if (states.isOwned(id)) {
            return true;
        }
        try {
            ContainerRecord s = states.read(id);
            return s != null && ProcessStart.alive(s.shimPid(), s.shimStartTime());
        } catch (JboxException e) {
            return false; // unreadable state: the lock is what counts, and nobody holds it
        }
    }

    /** Whether this state root has a container (live or not) whose id starts with {@code prefix}. */
    private static boolean anyKnown(StateStore states, String prefix) {
        try {
            return states.ids().stream().anyMatch(id -> id.startsWith(prefix));
        } catch (JboxException e) {
            return false; // cannot tell: leave it
        }
    }

    /** Whether a live container has an id starting with {@code prefix} (names carry 8 or 12 hex digits). */
    private static boolean anyLive(StateStore states, String prefix) {
        try {
            for (String id : states.ids()) {
                if (id.startsWith(prefix) && live(states, id)) {
                    return true;
                }
            }
            return false;
        } catch (JboxException e) {
            return true; // cannot tell: leave it
        }
    }
}

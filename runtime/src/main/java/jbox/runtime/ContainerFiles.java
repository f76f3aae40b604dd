package jbox.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import jbox.JboxException;
import jbox.config.HostRoots;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.rootfs.TreeDeletion;

/**
 * The host-side files of one container: its writable layer (data.root/containers/ID with
 * upper/ and work/ for overlayfs) and its state directory. The overlay itself is mounted inside
 * the container's mount namespace, on the layer directory itself (which hides upper/ and work/
 * from the container; no merged/ to make and remove per run), so no host mount ever needs
 * undoing: these directories are all that a dead container can leave.
 */
public final class ContainerFiles {
    private final Path layerDir;
    private final Path stateDir;

    public ContainerFiles(Path layerDir, Path stateDir) {
        this.layerDir = layerDir;
        this.stateDir = stateDir;
    }

    public Path layerDir() {
        return layerDir;
    }

    public Path upper() {
        return layerDir.resolve("upper");
    }

    public Path work() {
        return layerDir.resolve("work");
    }

    /**
     * Its stdout and stderr as the shim logs them, framed and kept apart (docs/state.md), for
     * foreground and detached runs alike.
     */
    public static final String STDIO_LOG = "stdio.log";

    /** A detached container's shim's own stdout and stderr (before jbox 0.1.x: the container's output too). */
    public Path log() {
        return layerDir.resolve("container.log");
    }

    public Path stdioLog() {
        return layerDir.resolve(STDIO_LOG);
    }

    /**
     * Creates the layer; upper and work belong to the container's root (a host id when mapped).
     * The layer and the state directory are root:GID 0710, GID the container root's group: its
     * init mounts the overlay and binds the /etc files from inside its user namespace and must
     * pass them; nobody else may (a setuid file in upper/ would run as its host owner).
     */
    public void createLayer(long ownerUid, long ownerGid) throws JboxException {
        try {
            FileModes.createDirectory(layerDir, FileModes.PRIVATE_DIR);
            own(layerDir, 0, ownerGid, HostRoots.SHARED_MODE);
            FileModes.createDirectory(upper(), FileModes.PRIVATE_DIR);
            own(upper(), ownerUid, ownerGid, 0755); // the container's / : as any root directory
            FileModes.createDirectory(work(), FileModes.PRIVATE_DIR);
            own(work(), ownerUid, ownerGid, FileModes.PRIVATE_DIR); // overlayfs' own
            own(stateDir, 0, ownerGid, HostRoots.SHARED_MODE);
        } catch (IOException e) {
            throw new JboxException("cannot create container layer " + layerDir + ": " + IoReason.of(e), e);
        }
    }

    /** chown, then chmod: the mode stays exact whatever chown clears. */
    private static void own(Path p, long uid, long gid, int mode) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) uid);
        Files.setAttribute(p, "unix:gid", (int) gid);
        FileModes.set(p, mode);
    }

    /** Removes the layer and the state directory; what is already gone is fine. */
    public void remove() throws JboxException {
        deleteTree(layerDir);
        deleteTree(stateDir);
    }

    /** A layer being deleted after its run's reply: `.gone-ID` beside the others (system prune ends what an engine did not). */
    public static final String GONE_PREFIX = ".gone-";

    /**
     * As {@link #remove}, for a --rm run that ended: the state directory goes now (the container is
     * gone for every command from here on), the layer is renamed to {@link #GONE_PREFIX}ID (one
     * rename) and deleted once the caller has its status: each rmdir of the layer's five or six
     * directories costs 0.1-0.25 ms on this machine's ext4, ~0.7 ms a run the caller waited for.
     */
    public void removeAfterReply(Caller caller) throws JboxException {
        Path gone = layerDir.resolveSibling(GONE_PREFIX + layerDir.getFileName());
        try {
            Files.move(layerDir, gone, StandardCopyOption.ATOMIC_MOVE); // rename(2): never a copy
        } catch (NoSuchFileException e) {
            gone = null;
        } catch (IOException e) {
            deleteTree(layerDir); // not renamed: deleted now, as remove() does
            gone = null;
        }
        deleteTree(stateDir);
        if (gone != null) {
            Path layer = gone;
            caller.afterReply(() -> {
                try {
                    TreeDeletion.delete(layer);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove " + layer + ": " + IoReason.of(e), e);
                }
            });
        }
    }

    /** Deletes a directory tree without following symlinks (the container wrote part of it). */
    public static void deleteTree(Path dir) throws JboxException {
        try {
            TreeDeletion.delete(dir);
        } catch (IOException e) {
            throw new JboxException("cannot remove " + dir + ": " + IoReason.of(e), e);
        }
    }
}

package jbox.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jbox.JboxException;
import jbox.rootfs.TreeDeletion;

/**
 * The host-side files of one container: its writable layer (data.root/containers/ID with
 * upper/, work/ and merged/ for overlayfs) and its state directory. The overlay itself is
 * mounted inside the container's mount namespace, so no host mount ever needs undoing: these
 * directories are all that a dead container can leave.
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

    /** A detached container's stdout and stderr. */
    public Path log() {
        return layerDir.resolve("container.log");
    }

    public Path merged() {
        return layerDir.resolve("merged");
    }

    /** Creates the layer; upper and work belong to the container's root (a host id when mapped). */
    public void createLayer(long ownerUid, long ownerGid) throws JboxException {
        try {
            Files.createDirectories(layerDir.getParent());
            Files.createDirectory(layerDir);
            for (Path p : new Path[] {upper(), work(), merged()}) {
                Files.createDirectory(p);
            }
            for (Path p : new Path[] {upper(), work()}) {
                Files.setAttribute(p, "unix:uid", (int) ownerUid);
                Files.setAttribute(p, "unix:gid", (int) ownerGid);
            }
        } catch (IOException e) {
            throw new JboxException("cannot create container layer " + layerDir + ": " + jbox.io.IoReason.of(e), e);
        }
    }

    /** Removes the layer and the state directory; what is already gone is fine. */
    public void remove() throws JboxException {
        deleteTree(layerDir);
        deleteTree(stateDir);
    }

    /** Deletes a directory tree without following symlinks (the container wrote part of it). */
    public static void deleteTree(Path dir) throws JboxException {
        try {
            TreeDeletion.delete(dir);
        } catch (IOException e) {
            throw new JboxException("cannot remove " + dir + ": " + jbox.io.IoReason.of(e), e);
        }
    }
}

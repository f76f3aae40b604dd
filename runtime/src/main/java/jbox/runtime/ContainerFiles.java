package jbox.runtime;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import jbox.JboxException;

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
                Files.setAttribute(p, "unix:uid", (int) ownerUid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", (int) ownerGid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new JboxException("cannot create container layer " + layerDir + ": " + e.getMessage(), e);
        }
    }

    /** Removes the layer and the state directory; what is already gone is fine. */
    public void remove() throws JboxException {
        deleteTree(layerDir);
        deleteTree(stateDir);
    }

    /** Deletes a directory tree without following symlinks (the container wrote part of it). */
    public static void deleteTree(Path dir) throws JboxException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new JboxException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}

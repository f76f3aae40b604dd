package jbox.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.config.Config;
import jbox.config.HostRoots;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.rootfs.ContainerPath;
import jbox.rootfs.InRootResolver;
import jbox.rootfs.LayerStack;
import jbox.rootfs.TreeDeletion;
import jbox.spec.ContainerSpec;
import jbox.spec.RunOptions;
import jbox.spec.SpecBuilder;
import jbox.spec.VolumeFlag;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;

/**
 * Named volumes (docker's): data.root/volumes/NAME/_data, kept until `jbox volume rm`. volumes/
 * and NAME/ are 0710 root and the container root's group, as images/ (HostRoots): passable by the
 * container's root, which bind-mounts _data from inside its user namespace, listable by nobody
 * else. _data is owned by the container's root on the host (userns.uid.base), so it is writable in
 * the container without idmapping, and filled from the image at the mount point while empty.
 * A volume is in use while any container of the run store (running or not) mounts it.
 */
public final class Volumes {
    public static final String DATA = "_data";

    /** One volume as `volume ls` and `volume inspect` show it. */
    public record Volume(String name, Path mountpoint, String created, long uid, long gid, List<String> usedBy) {
    }

    private final Config config;

    public Volumes(Config config) {
        this.config = config;
    }

    private Path root() throws JboxException {
        return HostRoots.volumes(config);
    }

    private Path dir(String name) throws JboxException {
        if (!name.matches(VolumeFlag.NAME_PATTERN) || name.length() > 255) {
            throw new JboxException("invalid volume name " + name + ": letters, digits, _ . - (not first), at most 255");
        }
        return root().resolve(name);
    }

    private LockFile lock() throws JboxException {
        Path p = root().resolve(".lock");
        try {
            return LockFile.acquire(p);
        } catch (IOException e) {
            throw new JboxException("cannot lock " + p + ": " + IoReason.of(e), e);
        }
    }

    /** `volume create NAME`: fails if it exists. Owned by the configured user namespace's root. */
    public Volume create(String name) throws JboxException {
        Path d = dir(name);
        try (LockFile l = lock()) {
            if (Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
                throw new JboxException("volume " + name + " already exists");
            }
            make(d, rootIds(true));
        }
        return inspect(name);
    }

    /** The host ids of the container's root: the user namespace's base, or host root. */
    private long[] rootIds(boolean userns) throws JboxException {
        return userns ? new long[] {config.getLong("userns.uid.base"), config.getLong("userns.gid.base")} : new long[] {0, 0};
    }

    private boolean make(Path d, long[] ids) throws JboxException {
        Path data = d.resolve(DATA);
        try {
            int group = (int) config.getLong("userns.gid.base");
            FileModes.ensureDirectory(d, HostRoots.SHARED_MODE, 0, group);
            if (Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            FileModes.createDirectory(data, 0755);
            Files.setAttribute(data, "unix:gid", (int) ids[1], LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(data, "unix:uid", (int) ids[0], LinkOption.NOFOLLOW_LINKS);
            FileModes.set(data, 0755);
            return true;
        } catch (IOException e) {
            throw new JboxException("cannot create volume directory " + data + ": " + IoReason.of(e), e);
        }
    }

    public List<Volume> list() throws JboxException {
        List<Volume> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root())) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".") && Files.isDirectory(p.resolve(DATA), LinkOption.NOFOLLOW_LINKS)) {
                    out.add(inspect(n));
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot list volumes in " + root() + ": " + IoReason.of(e), e);
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    public Volume inspect(String name) throws JboxException {
        Path data = dir(name).resolve(DATA);
        try {
            Map<String, Object> a = Files.readAttributes(data, "unix:uid,gid,creationTime", LinkOption.NOFOLLOW_LINKS);
            return new Volume(name, data, ((FileTime) a.get("creationTime")).toInstant().toString(),
                    ((Integer) a.get("uid")).longValue(), ((Integer) a.get("gid")).longValue(), usedBy(data));
        } catch (NoSuchFileException e) {
            throw new JboxException("no such volume: " + name + " (see: jbox volume ls)");
        } catch (IOException e) {
            throw new JboxException("cannot read volume " + data + ": " + IoReason.of(e), e);
        }
    }

    /** `volume rm NAME`: refused while a container (running or stopped, not removed) mounts it. */
    public void remove(String name) throws JboxException {
        Path d = dir(name);
        try (LockFile l = lock()) {
            Volume v = inspect(name);
            if (!v.usedBy().isEmpty()) {
                throw new JboxException("volume " + name + " is in use by container " + String.join(", ", v.usedBy())
                        + " (remove it first: jbox rm)");
            }
            TreeDeletion.delete(d);
        } catch (IOException e) {
            throw new JboxException("cannot remove volume " + d + ": " + IoReason.of(e), e);
        }
    }

    /** The names (else short ids) of the containers whose recorded config mounts {@code data}. */
    private List<String> usedBy(Path data) throws JboxException {
        List<String> out = new ArrayList<>();
        StateStore states = StateStore.ofRun(config.stateRoot());
        for (ContainerRecord r : states.list()) {
            ContainerSpec spec;
            try {
                spec = SpecFile.read(states.dir(r.id()));
            } catch (JboxException e) {
                continue; // a container being created has no config yet; its run holds no volume lock after resolving
            }
            for (ContainerSpec.Mount m : spec.mounts() == null ? List.<ContainerSpec.Mount>of() : spec.mounts()) {
                if (m.source() != null && Path.of(m.source()).equals(data)) {
                    out.add(r.name() != null ? r.name() : r.shortId());
                    break;
                }
            }
        }
        return out;
    }

    /**
     * -v for `jbox run`: named volumes become their _data directory (created on first use, filled
     * from the image's content at the mount point while empty, as docker does) mounted without
     * idmapping (they are owned for the user namespace already); :U chowns the source tree to the
     * container root's host ids. With {@code dryRun} nothing on disk changes.
     */
    public RunOptions resolve(RunOptions o, SpecBuilder.IdRange ids, LayerStack image, boolean dryRun) throws JboxException {
        List<String> in = o.sandboxing() == null ? List.of() : o.sandboxing().volumes();
        if (in.isEmpty()) {
            return o;
        }
        List<String> out = new ArrayList<>();
        long[] root = ids == null ? new long[] {0, 0} : new long[] {ids.uidBase(), ids.gidBase()};
        for (String v : in) {
            VolumeFlag f = VolumeFlag.parse(v);
            if (f.named()) {
                if (f.ownership() != VolumeFlag.Ownership.DEFAULT) {
                    throw new JboxException("invalid volume " + v + ": a named volume is owned for the user namespace"
                            + " already (U, idmap and noidmap are for host paths)");
                }
                Path d = dir(f.source());
                if (!dryRun) {
                    try (LockFile l = lock()) {
                        make(d, root);
                        fillFromImage(d.resolve(DATA), image, f.destination());
                    }
                }
                out.add(f.withSource(d.resolve(DATA).toString(), VolumeFlag.Ownership.NOIDMAP));
            } else if (f.ownership() == VolumeFlag.Ownership.CHOWN) {
                if (!dryRun) {
                    chownTree(Path.of(f.source()), root);
                }
                out.add(f.withSource(f.source(), VolumeFlag.Ownership.NOIDMAP));
            } else {
                out.add(v);
            }
        }
        return o.withVolumes(out);
    }

    /**
     * While _data is empty: the image's directory at dest (resolved inside the image, seen as
     * overlayfs merges its layers), with owners and modes.
     */
    private static void fillFromImage(Path data, LayerStack image, String dest) throws JboxException {
        try {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(data)) {
                if (ds.iterator().hasNext()) {
                    return;
                }
            }
            ContainerPath dir = new InRootResolver(image).resolve(ContainerPath.of(dest));
            Path src = image.find(dir);
            if (src == null || !Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            copyTree(image, dir, data);
            own(src, data);
        } catch (IOException e) {
            throw new JboxException("cannot fill volume " + data + " from the image at " + dest + ": " + IoReason.of(e), e);
        }
    }

    /**
     * Copies the merged tree under {@code dir} without following symlinks: directories, regular
     * files and symlinks with their owners and modes (setuid bits included: the ids are the user
     * namespace's, as in the image), each from the topmost layer showing it; whiteouts, device
     * nodes, FIFOs and sockets are left out.
     */
    static void copyTree(LayerStack image, ContainerPath dir, Path dst) throws IOException {
        for (String name : image.list(dir)) {
            ContainerPath child = dir.child(name);
            Path from = image.find(child);
            if (from == null) {
                continue;
            }
            Path to = dst.resolve(name);
            BasicFileAttributes attrs = Files.readAttributes(from, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isDirectory()) {
                FileModes.createDirectory(to, 0700);
                copyTree(image, child, to);
                own(from, to);
            } else if (attrs.isSymbolicLink()) {
                Files.createSymbolicLink(to, Files.readSymbolicLink(from));
                own(from, to);
            } else if (attrs.isRegularFile()) {
                Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                own(from, to);
            }
        }
    }

    /** Owner first, then the mode (a chown clears setuid bits). */
    private static void own(Path from, Path to) throws IOException {
        Map<String, Object> a = Files.readAttributes(from, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", a.get("gid"), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:uid", a.get("uid"), LinkOption.NOFOLLOW_LINKS);
        if (!Files.isSymbolicLink(to)) {
            Files.setAttribute(to, "unix:mode", (Integer) a.get("mode") & 07777, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** podman's :U — every entry of the tree (links themselves, not their targets) to the container root's ids. */
    static void chownTree(Path top, long[] ids) throws JboxException {
        try {
            Files.walkFileTree(top.toRealPath(), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    chown(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    chown(file);
                    return FileVisitResult.CONTINUE;
                }

                private void chown(Path p) throws IOException {
                    // chown(2) drops set-id bits, and they stay dropped: the host's files are not the image's.
                    Map<String, Object> a = Files.readAttributes(p, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
                    if ((Integer) a.get("uid") != ids[0] || (Integer) a.get("gid") != ids[1]) {
                        Files.setAttribute(p, "unix:gid", (int) ids[1], LinkOption.NOFOLLOW_LINKS);
                        Files.setAttribute(p, "unix:uid", (int) ids[0], LinkOption.NOFOLLOW_LINKS);
                    }
                }
            });
        } catch (IOException e) {
            throw new JboxException("cannot chown volume source " + top + " for :U: " + IoReason.of(e), e);
        }
    }
}

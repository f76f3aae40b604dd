// A layer `jbox build` writes from the host, without a container: COPY's files, WORKDIR's directory.
package jbox.image;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.rootfs.ContainerPath;
import jbox.rootfs.InRootResolver;
import jbox.rootfs.LayerStack;

/**
 * An overlayfs-style upper directory, filled on the host in a staging dir of the store and then
 * committed like a container's ({@link ImageCommit}). Destinations are resolved in the image with
 * {@link InRootResolver} over its layers, as the container would see them; the directories above
 * a destination are mirrored from the image (owner, mode, time), so the layer changes nothing but
 * what it adds. Sources are resolved in the build context the same way, with the context as the
 * root: a name that leaves it ({@code ../x}) is refused, and a symlink is followed only inside it
 * (a link to {@code /etc} names the context's {@code etc}). Below a copied directory symlinks are
 * copied as links, never followed. New files belong to the container's root (the image's id
 * base), with the source's permission bits less setuid and setgid (as `jbox cp`) and its mtime.
 */
public final class BuildLayer implements AutoCloseable {
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;

    private final ImageStore store;
    private final ImageMeta image;
    private final LayerStack stack;
    private final InRootResolver resolver;
    private final Path staging;
    private final Path upper;
    private boolean changed;

    private BuildLayer(ImageStore store, ImageMeta image, Path staging) throws ImageException {
        this.store = store;
        this.image = image;
        this.stack = store.layers(image);
        this.resolver = new InRootResolver(stack);
        this.staging = staging;
        this.upper = staging.resolve("upper");
    }

    /** An empty layer on top of {@code image} (migrated to layers first if it is of the older format). */
    public static BuildLayer on(ImageStore store, ImageMeta image) throws ImageException {
        ImageMeta layered = store.migrate(image);
        Path staging = store.createStaging();
        try {
            BuildLayer layer = new BuildLayer(store, layered, staging);
            FileModes.createDirectory(layer.upper, 0755);
            chown(layer.upper, layered.uidBase(), layered.gidBase());
            return layer;
        } catch (IOException e) {
            ImageException failure = new ImageException("cannot create a layer in " + staging + ": " + IoReason.of(e), e);
            store.discard(staging, failure);
            throw failure;
        } catch (ImageException | RuntimeException e) {
            store.discard(staging, e);
            throw e;
        }
    }

    /** True once something was added (WORKDIR of an existing directory adds nothing). */
    public boolean changed() {
        return changed;
    }

    /**
     * WORKDIR: the directory and its missing parents (0755, container root's); nothing when the
     * image has it. Fails when a name on the way is a file.
     */
    public void mkdirs(String dir) throws ImageException {
        try {
            ContainerPath resolved = resolver.resolve(ContainerPath.of(dir));
            Path found = stack.find(resolved);
            if (found != null && Files.isDirectory(found, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            upperDir(resolved);
            changed = true;
        } catch (IOException e) {
            throw new ImageException("cannot create directory " + dir + " in the image: " + IoReason.of(e), e);
        }
    }

    /**
     * COPY SRC... DEST: {@code dest} is absolute (the builder made a relative one absolute with
     * WORKDIR). A directory source's contents go into DEST; a file goes into DEST when DEST ends
     * in "/", is a directory in the image, or there are several sources, else it becomes DEST.
     */
    public void copy(Path context, List<String> sources, String dest) throws ImageException {
        List<Path> from = new ArrayList<>();
        for (String s : sources) {
            from.add(inContext(context, s));
        }
        try {
            ContainerPath target = ContainerPath.of(dest);
            ContainerPath resolved = resolver.resolve(target);
            Path found = stack.find(resolved);
            boolean intoDir = dest.endsWith("/") || dest.endsWith("/.") || sources.size() > 1
                    || (found != null && Files.isDirectory(found, LinkOption.NOFOLLOW_LINKS));
            for (int i = 0; i < from.size(); i++) {
                Path src = from.get(i);
                if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                    Path dir = upperDir(resolved);
                    copyChildren(src, dir);
                } else if (intoDir) {
                    copyEntry(src, upperDir(resolved).resolve(src.getFileName().toString()));
                } else {
                    if (target.names().isEmpty()) {
                        throw new IOException("a file cannot replace the root directory");
                    }
                    ContainerPath parent = resolver.resolve(target.parent());
                    copyEntry(src, upperDir(parent).resolve(target.names().get(target.names().size() - 1)));
                }
            }
            changed = true;
        } catch (IOException e) {
            throw new ImageException("cannot COPY " + String.join(" ", sources) + " to " + dest + ": " + IoReason.of(e), e);
        }
    }

    /** The layer as image {@code name} on top of the image, with these run defaults. */
    public ImageMeta commit(String name, String comment, ImageCommit.Defaults defaults) throws ImageException {
        return new ImageCommit().commit(store, image, upper, name, comment, defaults);
    }

    @Override
    public void close() {
        store.discard(staging, new ImageException("removing build layer " + staging));
    }

    /** A source named in the build context, resolved with the context as its root. */
    static Path inContext(Path context, String source) throws ImageException {
        String rel = source.startsWith("/") ? source.substring(1) : source;
        Path lexical = Path.of(rel.isEmpty() ? "." : rel).normalize();
        if (lexical.startsWith("..")) {
            throw new ImageException("cannot COPY " + source + ": it is outside the build context " + context);
        }
        try {
            ContainerPath resolved = new InRootResolver(context).resolve(ContainerPath.of("/" + lexical));
            Path host = resolved.on(context);
            if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageException("cannot COPY " + source + ": no such file or directory in the build context "
                        + context);
            }
            return host;
        } catch (IOException e) {
            throw new ImageException("cannot COPY " + source + " from the build context " + context + ": "
                    + IoReason.of(e), e);
        }
    }

    /**
     * The upper directory for container directory {@code dir} (resolved): each missing name is
     * made, as the image has it (owner, mode, mtime) or new (0755, root's) where the image has
     * nothing; a name that is no directory in the image fails.
     */
    private Path upperDir(ContainerPath dir) throws IOException {
        Path at = upper;
        ContainerPath cp = ContainerPath.ROOT;
        for (String name : dir.names()) {
            cp = cp.child(name);
            at = at.resolve(name);
            if (Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path lower = stack.find(cp);
            if (lower != null && !Files.isDirectory(lower, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(cp + " is not a directory in the image");
            }
            Files.createDirectory(at);
            if (lower != null) {
                Map<String, Object> a = Files.readAttributes(lower, "unix:mode,uid,gid,lastModifiedTime",
                        LinkOption.NOFOLLOW_LINKS);
                chown(at, (Integer) a.get("uid"), (Integer) a.get("gid"));
                FileModes.set(at, (Integer) a.get("mode") & 07777);
                Files.setLastModifiedTime(at, (FileTime) a.get("lastModifiedTime"));
            } else {
                chown(at, image.uidBase(), image.gidBase());
                FileModes.set(at, 0755);
            }
        }
        return at;
    }

    private void copyChildren(Path srcDir, Path destDir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(srcDir)) {
            ds.forEach(children::add);
        }
        children.sort(null);
        for (Path child : children) {
            copyEntry(child, destDir.resolve(child.getFileName().toString()));
        }
    }

    private void copyEntry(Path src, Path dest) throws IOException {
        Map<String, Object> a = Files.readAttributes(src, "unix:mode,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        switch (mode & S_IFMT) {
            case S_IFLNK -> {
                Files.deleteIfExists(dest);
                Files.createSymbolicLink(dest, Files.readSymbolicLink(src));
                chown(dest, image.uidBase(), image.gidBase());
            }
            case S_IFREG -> {
                Files.copy(src, dest, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                chown(dest, image.uidBase(), image.gidBase());
                FileModes.set(dest, mode & 01777);
                Files.setLastModifiedTime(dest, mtime);
            }
            case S_IFDIR -> {
                if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(dest);
                    Files.createDirectory(dest);
                }
                chown(dest, image.uidBase(), image.gidBase());
                FileModes.set(dest, mode & 01777);
                copyChildren(src, dest);
                Files.getFileAttributeView(dest, BasicFileAttributeView.class).setTimes(mtime, null, null);
            }
            default -> throw new IOException(src + " is not a file, directory or symlink");
        }
    }

    /** lchown: never through a symlink. */
    private static void chown(Path p, long uid, long gid) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
    }
}

// An image's layer directories seen as overlayfs will merge them: lookups and listings without mounting anything.
package jbox.rootfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Layers are listed top first, as overlayfs's lowerdir takes them. A name is found in the topmost
 * layer that has it; a whiteout there (a character device 0/0, what overlayfs and jbox's layer
 * store write for a deleted file) hides it in every layer below; a directory stops the search
 * below it when it is opaque ({@code user.overlay.opaque} or {@code trusted.overlay.opaque} = y;
 * jbox writes both, and the user one is what can be read here without native calls) or when a
 * layer has a non-directory in its place. Nothing here follows a symlink: callers resolve links
 * themselves (InRootResolver), inside the image.
 */
public final class LayerStack {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFDIR = 0040000;
    /** The name under which the JDK's user-attribute view shows user.overlay.opaque. */
    static final String USER_OPAQUE = "overlay.opaque";

    private final List<Path> layers;

    /** @param layers layer directories, top first */
    public LayerStack(List<Path> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a layer stack needs at least one layer");
        }
        this.layers = List.copyOf(layers);
    }

    public static LayerStack of(Path single) {
        return new LayerStack(List.of(single));
    }

    public List<Path> layers() {
        return layers;
    }

    /** The top layer, where a lookup of a missing path lands (as overlayfs's upper would). */
    public Path top() {
        return layers.get(0);
    }

    /** The host path of {@code path} in the topmost layer holding it, or null if no layer shows it. */
    public Path find(ContainerPath path) throws IOException {
        List<Path> entries = walk(path);
        return entries.isEmpty() ? null : entries.get(0);
    }

    /** The merged directory's entries (sorted), without whiteouts; empty if {@code dir} is no directory. */
    public List<String> list(ContainerPath dir) throws IOException {
        List<Path> contributing = walk(dir);
        if (contributing.isEmpty() || !Files.isDirectory(contributing.get(0), LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        TreeSet<String> shown = new TreeSet<>();
        TreeSet<String> hidden = new TreeSet<>();
        for (Path layerDir : contributing) {
            List<String> here = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(layerDir)) {
                for (Path child : entries) {
                    String name = child.getFileName().toString();
                    if (shown.contains(name) || hidden.contains(name)) {
                        continue;
                    }
                    if (isWhiteout(child)) {
                        hidden.add(name);
                    } else {
                        here.add(name);
                    }
                }
            }
            shown.addAll(here);
        }
        return new ArrayList<>(shown);
    }

    /**
     * What makes up {@code path}, top first: its topmost entry, and if that is a directory, the
     * same directory in the layers below down to an opaque one, a whiteout or a non-directory.
     * Empty when no layer shows the path.
     */
    private List<Path> walk(ContainerPath path) throws IOException {
        List<Path> contributing = layers;
        ContainerPath p = ContainerPath.ROOT;
        if (path.names().isEmpty()) {
            return rootLayers();
        }
        for (String name : path.names()) {
            p = p.child(name);
            List<Path> parents = contributing;
            contributing = new ArrayList<>();
            for (Path parent : parents) {
                Path host = parent.resolve(name);
                Map<String, Object> attrs = lstat(host);
                if (attrs == null) {
                    continue;
                }
                int type = (Integer) attrs.get("mode") & S_IFMT;
                if (type == S_IFCHR && ((Long) attrs.get("rdev")) == 0) {
                    break; // a whiteout: nothing of this name below
                }
                if (type != S_IFDIR) {
                    if (contributing.isEmpty()) {
                        contributing.add(host); // a file hides whatever lower layers have of this name
                    }
                    break;
                }
                contributing.add(host);
                if (isOpaque(host)) {
                    break;
                }
            }
            if (contributing.isEmpty()) {
                return List.of();
            }
            if (!Files.isDirectory(contributing.get(0), LinkOption.NOFOLLOW_LINKS)) {
                return p.equals(path) ? contributing : List.of();
            }
        }
        return contributing;
    }

    /** The root: every layer's root directory down to the first opaque one. */
    private List<Path> rootLayers() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path layer : layers) {
            out.add(layer);
            if (isOpaque(layer)) {
                break;
            }
        }
        return out;
    }

    /** A character device 0/0: overlayfs's whiteout. */
    public static boolean isWhiteout(Path host) throws IOException {
        Map<String, Object> attrs = lstat(host);
        return attrs != null && ((Integer) attrs.get("mode") & S_IFMT) == S_IFCHR && ((Long) attrs.get("rdev")) == 0;
    }

    /** user.overlay.opaque = "y" on a directory (jbox writes trusted.overlay.opaque beside it). */
    public static boolean isOpaque(Path dir) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return false;
        }
        try {
            if (!view.list().contains(USER_OPAQUE)) {
                return false;
            }
            ByteBuffer value = ByteBuffer.allocate(view.size(USER_OPAQUE));
            view.read(USER_OPAQUE, value);
            value.flip();
            return value.remaining() == 1 && value.get() == 'y';
        } catch (UnsupportedOperationException | FileSystemException e) {
            return false; // a filesystem without user xattrs has no opaque directories of ours
        }
    }

    private static Map<String, Object> lstat(Path host) throws IOException {
        try {
            return Files.readAttributes(host, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            if ("Not a directory".equals(e.getReason())) {
                return null;
            }
            throw e;
        }
    }
}

package jbox.rootfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves symlinks in a container path the way the kernel will after pivot_root: inside the
 * image, never on the host. An image may hold "/etc -> /host-etc" or "x -> ../../.."; resolved
 * naively on the host these would point a mount at the host's own files (the mistake jib's tar
 * extractor made). Here an absolute link restarts at the image root and ".." stops at it.
 */
public final class InRootResolver {
    private static final int MAX_LINKS = 40; // the kernel's limit too

    private final Path root;
    /** An image's layers, when it has more than one directory; null for a single root. */
    private final LayerStack stack;

    public InRootResolver(Path root) {
        this.root = root;
        this.stack = null;
    }

    /** Over an image's layers: each name is looked up as overlayfs will show it (see {@link LayerStack}). */
    public InRootResolver(LayerStack stack) {
        this.root = stack.top();
        this.stack = stack.layers().size() == 1 ? null : stack;
    }

    /** The path with every existing symlink replaced by its in-root target; missing tails stay. */
    public ContainerPath resolve(ContainerPath path) throws IOException {
        ContainerPath done = ContainerPath.ROOT;
        Deque<String> todo = new ArrayDeque<>(path.names());
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.removeFirst();
            if (name.equals("..")) {
                done = done.parent();
                continue;
            }
            if (name.equals(".") || name.isEmpty()) {
                continue;
            }
            ContainerPath next = done.child(name);
            Path host = stack == null ? next.on(root) : stack.find(next);
            if (host == null || !Files.isSymbolicLink(host)) {
                done = next;
                continue;
            }
            if (++links > MAX_LINKS) {
                throw new IOException("cannot resolve " + path + " in the image: too many levels of symbolic links");
            }
            String target;
            try {
                target = Files.readSymbolicLink(host).toString();
            } catch (IOException e) {
                throw new IOException("cannot read symlink " + next + " in the image: " + e.getMessage(), e);
            }
            if (target.startsWith("/")) {
                done = ContainerPath.ROOT;
            }
            String[] parts = target.split("/");
            for (int i = parts.length - 1; i >= 0; i--) {
                todo.addFirst(parts[i]);
            }
        }
        return done;
    }

    /** The host path a container path ends up at, for looking at what the image holds there. */
    public Path onHost(ContainerPath path) throws IOException {
        ContainerPath resolved = resolve(path);
        if (stack == null) {
            return resolved.on(root);
        }
        Path found = stack.find(resolved);
        return found != null ? found : resolved.on(root);
    }
}

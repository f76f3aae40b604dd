package jbox.rootfs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A path as the container sees it ("/etc/hosts"), kept apart from host paths so the two are
 * never mixed up. Always absolute and normalised; ".." cannot climb above "/".
 */
public final class ContainerPath {
    public static final ContainerPath ROOT = new ContainerPath(List.of());

    private final List<String> names;

    private ContainerPath(List<String> names) {
        this.names = names;
    }

    /** Parses an absolute container path; ".." at the root stays at the root, as the kernel does. */
    public static ContainerPath of(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("container path must be absolute: " + path);
        }
        List<String> out = new ArrayList<>();
        for (String name : path.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
            } else {
                out.add(name);
            }
        }
        return new ContainerPath(Collections.unmodifiableList(out));
    }

    public List<String> names() {
        return names;
    }

    public ContainerPath child(String name) {
        List<String> out = new ArrayList<>(names);
        out.add(name);
        return new ContainerPath(Collections.unmodifiableList(out));
    }

    public ContainerPath parent() {
        return names.isEmpty() ? this : new ContainerPath(names.subList(0, names.size() - 1));
    }

    public boolean startsWith(ContainerPath prefix) {
        return names.size() >= prefix.names.size() && names.subList(0, prefix.names.size()).equals(prefix.names);
    }

    /** The host path of this container path under the directory that is the container's root. */
    public Path on(Path root) {
        Path p = root;
        for (String n : names) {
            p = p.resolve(n);
        }
        return p;
    }

    @Override
    public String toString() {
        return "/" + String.join("/", names);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContainerPath && ((ContainerPath) o).names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }
}

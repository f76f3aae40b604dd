// jbox's directories on the host and the one mode each must have (the CVE-2021-41091 lesson).
package jbox.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import jbox.io.FileModes;
import jbox.io.IoReason;

/**
 * The roots below which jbox keeps state, images and container layers: made, or tightened, with
 * their modes when a command that writes there starts (an older install or a root made under a
 * loose umask is fixed on first use; `jbox doctor` reports one left loose).
 *
 * <p>Others must not reach a container's layer or an image's rootfs: a setuid file a container
 * wrote there would run on the host as its owner (host root with --userns host, the container
 * root's host id otherwise). But the container's root must reach them: the overlay and the /etc
 * binds are mounted inside the container's user namespace, with its credentials, and there host
 * root's directories give it no capability. So, as docker answered CVE-2021-41091: the roots are
 * 0711 (passable, not listable), and images/, containers/ and each container's own directories are
 * 0710 root:GID, GID being the container root's group on the host. Nothing else passes them.
 */
public final class HostRoots {
    /** state.root and data.root: root's; others may pass, not list (each entry below is closed itself). */
    public static final int ROOT_MODE = 0711;
    /** images/, containers/, a container's layer and state directory: root and the container root's group. */
    public static final int SHARED_MODE = 0710;

    /** One directory with the owner and mode jbox gives it. */
    public record Expected(String what, Path path, int mode, int uid, int gid) {
    }

    private HostRoots() {
    }

    public static Path stateRoot(Config c) throws JboxException {
        return ensure(expected(c).get(0));
    }

    public static Path dataRoot(Config c) throws JboxException {
        return ensure(expected(c).get(1));
    }

    public static Path images(Config c) throws JboxException {
        dataRoot(c);
        return ensure(expected(c).get(2));
    }

    public static Path containers(Config c) throws JboxException {
        dataRoot(c);
        return ensure(expected(c).get(3));
    }

    /** volumes/ (named volumes): as images/, the container's root passes it to bind-mount its volume. */
    public static Path volumes(Config c) throws JboxException {
        dataRoot(c);
        return ensure(expected(c).get(4));
    }

    /** The OCI CLI's root (--root, else oci.root): root only, its containers need no path through it. */
    public static Path ociRoot(Path root) throws JboxException {
        return ensure(oci(root));
    }

    /** What the roots must be, in the order they are made; for doctor, which compares without changing. */
    public static List<Expected> expected(Config c) throws JboxException {
        int group = (int) c.getLong("userns.gid.base");
        return List.of(new Expected("state root (state.root)", c.stateRoot(), ROOT_MODE, 0, 0),
                new Expected("data root (data.root)", c.dataRoot(), ROOT_MODE, 0, 0),
                new Expected("image store", c.imagesDir(), SHARED_MODE, 0, group),
                new Expected("container layers", c.containersDir(), SHARED_MODE, 0, group),
                new Expected("named volumes", c.dataRoot().resolve("volumes"), SHARED_MODE, 0, group));
    }

    public static Expected oci(Path root) {
        return new Expected("OCI root (oci.root or --root)", root, FileModes.PRIVATE_DIR, 0, 0);
    }

    private static Path ensure(Expected e) throws JboxException {
        try {
            return FileModes.ensureDirectory(e.path(), e.mode(), e.uid(), e.gid());
        } catch (IOException x) {
            throw new JboxException("cannot make " + e.what() + " " + e.path() + " root-only (mode "
                    + Integer.toOctalString(e.mode()) + "): " + IoReason.of(x), x);
        }
    }
}

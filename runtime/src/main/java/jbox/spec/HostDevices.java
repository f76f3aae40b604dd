// `--device HOST[:CONTAINER[:PERMS]]`: a host device node given to the container.
package jbox.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import jbox.JboxException;
import jbox.io.IoReason;

/**
 * Each device is a bind mount of the host's node (mknod is refused in a user namespace, and a
 * bind works with or without one), so the node keeps the host's owner and mode: in the default
 * user namespace the container opens it only if "other" may. PERMS (docker's r, w, m; default
 * rwm) narrower than rwm turn on docker's device cgroup model for the container: every device
 * denied, then jbox's default nodes (null, zero, tty, ptys...: ContainerCgroups, always rwm as in
 * docker) and each --device with its PERMS allowed.
 */
final class HostDevices {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    private HostDevices() {
    }

    /** What jbox's own /dev has (PlanBuilder's defaults, the pts instance), or what is no device to hand over. */
    private static final Set<String> OWN = Set.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random",
            "/dev/urandom", "/dev/tty", "/dev/ptmx", "/dev/console");

    /**
     * --privileged's devices: every character and block node of the host's /dev (two levels: /dev/net/tun,
     * /dev/dri/card0), each bound onto jbox's own /dev as --device does; /dev/pts, /dev/shm and
     * /dev/mqueue stay the container's own. Never a bind of the host's /dev itself: its mountpoints
     * would be made in the host's tree.
     */
    static List<String> allOfHost() throws JboxException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Path.of("/dev"), 2)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String name = p.toString();
                if (OWN.contains(name) || name.startsWith("/dev/pts/") || name.startsWith("/dev/shm/")
                        || name.startsWith("/dev/mqueue/") || Files.isSymbolicLink(p)) {
                    continue;
                }
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if ((mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK) {
                    out.add(name);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new JboxException("--privileged: cannot list the host's /dev: " + e.getMessage(), e);
        }
        return out;
    }

    static List<ContainerSpec.Mount> mounts(List<String> flags, List<ContainerSpec.DeviceRule> rules) throws JboxException {
        List<ContainerSpec.Mount> out = new ArrayList<>();
        List<ContainerSpec.DeviceRule> allowed = new ArrayList<>();
        boolean narrow = false;
        for (String f : flags) {
            String[] parts = f.split(":", -1);
            if (parts.length > 3 || parts[0].isEmpty()) {
                throw new JboxException("invalid --device " + f + ": expected HOST[:CONTAINER[:PERMS]]");
            }
            String host = parts[0];
            String container = parts.length >= 2 && !parts[1].isEmpty() ? parts[1] : host;
            String perms = parts.length == 3 ? parts[2] : "rwm";
            if (parts.length == 2 && parts[1].matches("[rwm]{1,3}")) {
                container = host; // docker's HOST:PERMS
                perms = parts[1];
            }
            if (!host.startsWith("/") || !container.startsWith("/")) {
                throw new JboxException("invalid --device " + f + ": paths must be absolute");
            }
            if (!perms.matches("[rwm]{1,3}") || perms.chars().distinct().count() != perms.length()) {
                throw new JboxException("invalid --device " + f + ": permissions are some of r, w and m");
            }
            int mode;
            long rdev;
            try {
                Path p = Path.of(host).toRealPath(); // the user named this host path: its links are the host's
                mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
                host = p.toString();
            } catch (IOException e) {
                throw new JboxException("--device " + f + ": cannot use " + host + ": " + IoReason.of(e), e);
            }
            int type = mode & S_IFMT;
            if (type != S_IFCHR && type != S_IFBLK) {
                throw new JboxException("--device " + f + ": " + host + " is not a character or block device");
            }
            out.add(new ContainerSpec.Mount(container, "bind", host, List.of("bind", "nosuid")));
            // Linux's dev_t: major in bits 8-19 (and 32-43), minor in bits 0-7 and 20-31.
            long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & 0xfffff000L);
            long minor = (rdev & 0xff) | ((rdev >>> 12) & 0xffffff00L);
            allowed.add(new ContainerSpec.DeviceRule(true, type == S_IFCHR ? "c" : "b", major, minor, perms));
            narrow |= !perms.equals("rwm");
        }
        if (narrow) {
            // docker's model: every device denied, then jbox's defaults (ContainerCgroups) and these allowed
            rules.add(new ContainerSpec.DeviceRule(false, "a", null, null, "rwm"));
            rules.addAll(allowed);
        }
        return out;
    }
}

package jbox.process;

import static jbox.process.MountOptions.MS_BIND;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import jbox.JboxException;
import jbox.rootfs.ContainerPath;
import jbox.spec.ContainerSpec;

/**
 * linux.devices as plan steps, as runc 1.1 creates them: without a user namespace an OP_MKNOD
 * with the config's type, numbers, mode (default 0666), uid and gid; inside one, where the kernel
 * refuses mknod, the host's node at the same path is bind-mounted onto an empty file (its own
 * mode and owner then show). No device cgroup rule is added for them: runc adds none either, so
 * a container whose rules deny a node gets the node but cannot open it.
 */
final class ConfigDevices {
    /** S_IFCHR, S_IFBLK, S_IFIFO (octal, from sys/stat.h). */
    private static final long S_IFCHR = 0020000;
    private static final long S_IFBLK = 0060000;
    private static final long S_IFIFO = 0010000;
    private static final long DEFAULT_MODE = 0666;

    /** Where a device's container path lands on the host side of the plan; makes its parent directories. */
    interface Target {
        String prepare(ContainerPath dest) throws JboxException;
    }

    private ConfigDevices() {
    }

    /** The container paths the config lists, normalized ("dev/fuse" → "/dev/fuse", as runc joins it to the root). */
    static Set<String> paths(List<ContainerSpec.Device> devices) {
        Set<String> out = new TreeSet<>();
        for (ContainerSpec.Device d : devices) {
            out.add(path(d).toString());
        }
        return out;
    }

    static void add(Plan plan, List<ContainerSpec.Device> devices, boolean userns, Target target) throws JboxException {
        for (int i = 0; i < devices.size(); i++) {
            ContainerSpec.Device d = devices.get(i);
            ContainerPath dest = path(d);
            if (dest.toString().equals("/dev/ptmx")) {
                continue; // the pts instance's ptmx is linked there, as runc's setupPtmx does
            }
            if (userns && !Files.exists(Path.of(dest.toString()))) {
                throw new JboxException("config.json: linux.devices[" + i + "]: " + dest + " does not exist on the host"
                        + " (in a user namespace mknod is refused and the host's node is bind-mounted, as runc does)");
            }
            String on = target.prepare(dest);
            if (userns) {
                plan.mkfile(on, 0644, "create " + dest + " to bind the host's device onto");
                plan.mount(dest.toString(), on, "", MS_BIND, "", "bind-mount the host's " + dest + " on " + dest);
            } else {
                long mode = type(d.type()) | (d.fileMode() == null ? DEFAULT_MODE : d.fileMode() & 07777);
                plan.add(Protocol.OP_MKNOD, "create device " + dest + " (" + d.type() + " " + number(d) + ")", on, mode,
                        d.major() == null ? 0L : d.major(), d.minor() == null ? 0L : d.minor(),
                        d.uid() == null ? 0L : d.uid(), d.gid() == null ? 0L : d.gid());
            }
        }
    }

    private static ContainerPath path(ContainerSpec.Device d) {
        return ContainerPath.of(d.path().startsWith("/") ? d.path() : "/" + d.path());
    }

    /** u is an unbuffered character device: the kernel knows only character ones. */
    private static long type(String t) {
        return switch (t) {
            case "b" -> S_IFBLK;
            case "p" -> S_IFIFO;
            default -> S_IFCHR;
        };
    }

    private static String number(ContainerSpec.Device d) {
        return d.type().equals("p") ? "fifo" : d.major() + ":" + d.minor();
    }
}

package jbox.spec;

import static jbox.spec.OciValidation.error;

import java.util.List;
import java.util.Map;
import java.util.Set;
import jbox.JboxException;

/**
 * The spec's rules for linux.devices and for the resources that become cgroup file names or
 * lines (hugepage sizes, unified keys, interface names): checked before anything is created, so
 * that a value can neither name another file nor add a second line to one.
 */
final class OciResourceValidation {
    private static final Set<String> DEVICE_TYPES = Set.of("c", "b", "u", "p");

    private OciResourceValidation() {
    }

    /** config-linux.md, Devices: path and type are required, major and minor too unless type is p. */
    static void devices(List<ContainerSpec.Device> devices) throws JboxException {
        for (int i = 0; devices != null && i < devices.size(); i++) {
            ContainerSpec.Device d = devices.get(i);
            String at = "linux.devices[" + i + "]";
            if (d.path() == null || d.path().isEmpty()) {
                throw error(at + ".path", "is required");
            }
            if (d.path().contains("\0")) {
                throw error(at + ".path", "contains a NUL byte");
            }
            if (d.type() == null || !DEVICE_TYPES.contains(d.type())) {
                throw error(at + ".type", (d.type() == null ? "is required (one of" : d.type() + " is not one of") + " c, b, u, p" + (d.type() == null ? ")" : ""));
            }
            if (!d.type().equals("p") && (d.major() == null || d.minor() == null)) {
                throw error(at + (d.major() == null ? ".major" : ".minor"), "is required for a device of type " + d.type());
            }
            range(at + ".major", d.major(), 0xfffffffL);
            range(at + ".minor", d.minor(), 0xfffffffffL);
            range(at + ".uid", d.uid(), 0xffffffffL);
            range(at + ".gid", d.gid(), 0xffffffffL);
            if (d.fileMode() != null && d.fileMode() < 0) {
                throw error(at + ".fileMode", d.fileMode() + " must not be negative");
            }
        }
    }

    static void resources(ContainerSpec.Resources r) throws JboxException {
        List<ContainerSpec.HugepageLimit> huge = r.hugepageLimits() == null ? List.of() : r.hugepageLimits();
        for (int i = 0; i < huge.size(); i++) {
            String size = huge.get(i).pageSize();
            // It becomes part of a file name: hugetlb.<pageSize>.limit_in_bytes (v1), .max (v2).
            if (size == null || !size.matches("[0-9]+[KMGT]B")) {
                throw error("linux.resources.hugepageLimits[" + i + "].pageSize", size
                        + " is not a page size such as 2MB or 1GB");
            }
        }
        ContainerSpec.Network n = r.network();
        List<ContainerSpec.InterfacePriority> prios = n == null || n.priorities() == null ? List.of() : n.priorities();
        for (int i = 0; i < prios.size(); i++) {
            String name = prios.get(i).name();
            // net_prio.ifpriomap takes "NAME PRIORITY": a name with a blank would be two fields.
            if (name == null || !name.matches("[^\\s/:]{1,15}")) {
                throw error("linux.resources.network.priorities[" + i + "].name", name + " is not an interface name");
            }
        }
        if (n != null && n.classID() != null && (n.classID() < 0 || n.classID() > 0xffffffffL)) {
            throw error("linux.resources.network.classID", n.classID() + " is outside 0..4294967295");
        }
        for (Map.Entry<String, String> e : r.unified() == null ? Set.<Map.Entry<String, String>>of() : r.unified().entrySet()) {
            String key = e.getKey();
            // runc: "unified resource %q must be a file name (no slashes)"
            if (key.contains("/") || key.equals(".") || key.equals("..") || key.isEmpty() || key.contains("\0")) {
                throw error("linux.resources.unified." + key, "must be a file name of the container's cgroup (no slashes)");
            }
            if (e.getValue() == null) {
                throw error("linux.resources.unified." + key, "must be a string");
            }
        }
        ContainerSpec.BlockIO b = r.blockIO();
        if (b != null) {
            weight("linux.resources.blockIO.weight", b.weight());
            weight("linux.resources.blockIO.leafWeight", b.leafWeight());
            List<ContainerSpec.WeightDevice> wd = b.weightDevice() == null ? List.of() : b.weightDevice();
            for (int i = 0; i < wd.size(); i++) {
                weight("linux.resources.blockIO.weightDevice[" + i + "].weight", wd.get(i).weight());
                weight("linux.resources.blockIO.weightDevice[" + i + "].leafWeight", wd.get(i).leafWeight());
            }
        }
    }

    /** 10..1000 as the kernel takes it; 0 means unset (runc writes nothing). */
    private static void weight(String field, Integer w) throws JboxException {
        if (w != null && w != 0 && (w < 10 || w > 1000)) {
            throw error(field, w + " is outside 10..1000");
        }
    }

    private static void range(String field, Long v, long max) throws JboxException {
        if (v != null && (v < 0 || v > max)) {
            throw error(field, v + " is outside 0.." + max);
        }
    }
}

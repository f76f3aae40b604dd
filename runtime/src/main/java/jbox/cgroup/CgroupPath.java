package jbox.cgroup;

import java.util.List;
import jbox.JboxException;

/**
 * An OCI linux.cgroupsPath ("/libpod_parent/libpod-ID") as the parent levels and the
 * container's own leaf. Absolute and relative paths are both taken from each hierarchy's root
 * (runc puts a relative one below its own cgroup; jbox has no cgroup of its own to offer).
 * Every level is checked like a cgroup name, so ".." cannot reach elsewhere.
 */
record CgroupPath(String parent, String leaf) {
    static CgroupPath parse(String cgroupsPath) throws JboxException {
        List<String> names = List.of(cgroupsPath.split("/")).stream().filter(s -> !s.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new JboxException("invalid cgroupsPath \"" + cgroupsPath + "\": names no cgroup below the root");
        }
        for (String n : names) {
            CgroupName.check("cgroupsPath level", n);
        }
        return new CgroupPath(String.join("/", names.subList(0, names.size() - 1)), names.get(names.size() - 1));
    }

    /** The number of parent levels. */
    int depth() {
        return parent.isEmpty() ? 0 : parent.split("/").length;
    }
}

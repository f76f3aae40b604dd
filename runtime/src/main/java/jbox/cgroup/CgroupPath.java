package jbox.cgroup;

import java.util.List;
import jbox.JboxException;

/**
 * An OCI linux.cgroupsPath ("/libpod_parent/libpod-ID") as the parent levels and the
 * container's own leaf. An absolute path is taken from each hierarchy's root; a relative one goes
 * below the cgroup the creating jbox is in, per hierarchy (runc's rule, see
 * {@link ContainerCgroup#createAt}): that cgroup is the "base". Every level is checked like a
 * cgroup name, so ".." cannot reach elsewhere.
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

    static boolean isRelative(String cgroupsPath) {
        return !cgroupsPath.startsWith("/");
    }

    /**
     * A base ("/process_api/x", as /proc/self/cgroup names it, or as a state file recorded it) as a
     * path relative to its hierarchy's root; "." and ".." are refused so a base cannot leave it.
     */
    static String base(String base) throws JboxException {
        if (base == null || !base.startsWith("/")) {
            throw new JboxException("invalid cgroup base \"" + base + "\": not an absolute cgroup path");
        }
        List<String> names = List.of(base.split("/")).stream().filter(s -> !s.isEmpty()).toList();
        for (String n : names) {
            if (n.equals(".") || n.equals("..")) {
                throw new JboxException("invalid cgroup base \"" + base + "\": \"" + n + "\" is not a cgroup name");
            }
        }
        return String.join("/", names);
    }

    /** The number of parent levels. */
    int depth() {
        return parent.isEmpty() ? 0 : parent.split("/").length;
    }
}

package jbox;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Hints for failures whose usual cause is known, keyed on (operation, errno): the one place that
 * chooses them. Each ends an error's message, after "; ".
 */
public final class Hints {
    private static final Map<Operation, Map<Integer, String>> TABLE = new EnumMap<>(Operation.class);

    static {
        def(Operation.CLONE, Errno.EPERM, "are user namespaces allowed? check /proc/sys/user/max_user_namespaces (jbox doctor)");
        def(Operation.CLONE, Errno.ENOSPC, "a namespace limit is reached: see /proc/sys/user/max_*_namespaces");
        for (Operation mount : new Operation[] {Operation.MOUNT, Operation.BIND_MOUNT}) {
            def(mount, Errno.EBUSY, "something is still mounted there");
            def(mount, Errno.EPERM, "the kernel refuses this mount inside a user namespace (try --userns host)");
        }
        def(Operation.BIND_MOUNT, Errno.EACCES, "the container's root is an unprivileged host user:"
                + " every directory above the source must be searchable by others");
        def(Operation.MOUNT_SETATTR, Errno.ENOSYS, "this kernel has no mount_setattr (linux 5.12 or newer is needed):"
                + " jbox will not leave mounts below a read-only one writable");
        def(Operation.IDMAP_MOUNT, Errno.EINVAL, "this file system cannot be idmapped (ext4, xfs, btrfs, tmpfs"
                + " and overlay can): use -v SRC:DST:U (chown to the container's ids) or :noidmap");
        def(Operation.IDMAP_MOUNT, Errno.EPERM, "idmapped mounts need the host's root and a user namespace:"
                + " use -v SRC:DST:U or :noidmap");
        def(Operation.IDMAP_MOUNT, Errno.ENOSYS, "this kernel has no idmapped mounts (linux 5.12 or newer is needed):"
                + " use -v SRC:DST:U or :noidmap");
        def(Operation.DELEGATE_CONTROLLERS, Errno.EBUSY, "processes in that cgroup itself keep it from delegating"
                + " controllers (cgroup v2's no-internal-processes rule)");
    }

    private Hints() {
    }

    private static void def(Operation op, int errno, String hint) {
        TABLE.computeIfAbsent(op, o -> new HashMap<>()).put(errno, hint);
    }

    /** "; the hint" for a known (operation, errno), or "" (also when either is unknown). */
    public static String of(Operation op, int errno) {
        String hint = op == null ? null : TABLE.getOrDefault(op, Map.of()).get(errno);
        return hint == null ? "" : "; " + hint;
    }
}

package jbox;

/**
 * What jbox was doing when an error happened: with the errno, the key of the hint table
 * ({@link Hints}), so a hint never depends on how a message is worded.
 */
public enum Operation {
    /** clone(2) of the container init, with its namespace flags. */
    CLONE,
    /** setns(2) into a namespace of another process (exec, a shared network). */
    JOIN,
    /** mount(2) of a file system, or a remount. */
    MOUNT,
    /** mount(2) with MS_BIND of a host path (not a remount). */
    BIND_MOUNT,
    /** mount_setattr(2), e.g. making a tree read-only recursively. */
    MOUNT_SETATTR,
    /** An idmapped bind mount: open_tree, mount_setattr(MOUNT_ATTR_IDMAP) by the shim, move_mount by the init. */
    IDMAP_MOUNT,
    /** A write of a cgroup interface file. */
    CGROUP_WRITE,
    /** Enabling controllers for child cgroups (cgroup.subtree_control). */
    DELEGATE_CONTROLLERS,
}

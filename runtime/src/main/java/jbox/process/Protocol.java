package jbox.process;

/**
 * The JVM side of launcher-c-shim/src/protocol.h: message types and plan step ops. The numbers
 * must match the C header; ProtocolMatchesHeaderTest checks them against it.
 */
public final class Protocol {
    private Protocol() {
    }

    public static final int MSG_CLONE = 1;
    public static final int MSG_PID = 2;
    public static final int MSG_PLAN = 3;
    public static final int MSG_STARTED = 4;
    public static final int MSG_FAILED = 5;
    public static final int MSG_SIGNAL = 6;
    public static final int MSG_EXITED = 7;
    /** Shim-internal (child to shim): a seccomp listener fd; the JVM never sees it. */
    public static final int MSG_NOTIFY_FD = 8;
    public static final int MSG_DENIED = 9;
    /** Shim-internal (child to shim): the master of the container's terminal. */
    public static final int MSG_PTY_FD = 10;
    /** The init reached OP_WAIT_START: created, waiting for `jbox start`. */
    public static final int MSG_CREATED = 11;
    /** JVM to shim, after the id maps and before PLAN: u32 at-flags, s host path to idmap for an OP_MOVE_MOUNT. */
    public static final int MSG_IDMAP = 12;
    /** Shim-internal (shim to child): i32 errno and the idmapped detached mount (SCM_RIGHTS). */
    public static final int MSG_MOUNT_FD = 13;

    public static final int OP_SETID = 1;
    public static final int OP_SETSID = 2;
    public static final int OP_SETHOSTNAME = 3;
    public static final int OP_MOUNT = 4;
    public static final int OP_MKDIR = 5;
    public static final int OP_MKFILE = 6;
    public static final int OP_SYMLINK = 7;
    public static final int OP_PIVOT_ROOT = 8;
    public static final int OP_CHDIR = 9;
    public static final int OP_EXEC = 10;
    public static final int OP_UMOUNT = 11;
    public static final int OP_LINK_UP = 12;
    public static final int OP_CAP_BOUNDING = 13;
    public static final int OP_CAPS = 14;
    public static final int OP_NO_NEW_PRIVS = 15;
    public static final int OP_SECCOMP = 16;
    public static final int OP_SETRLIMIT = 17;
    public static final int OP_UNSHARE = 18;
    public static final int OP_INIT = 19;
    public static final int OP_PTY = 20;
    public static final int OP_WAIT_START = 21;
    public static final int OP_WRITE = 22;
    public static final int OP_UMASK = 23;
    public static final int OP_HOOK = 24;
    public static final int OP_MOUNT_SETATTR = 25;
    /** s path, u mode (type and permission bits), u major, u minor, u uid, u gid: a config's device node. */
    public static final int OP_MKNOD = 26;
    /** u index, s target: attach the index-th idmapped mount the shim made (MSG_IDMAP) at target. */
    public static final int OP_MOVE_MOUNT = 27;
    /** The most MSG_IDMAP a container may be given. */
    public static final int MAX_MOUNT_FDS = 64;
    /** OP_HOOK's errno when the hook ran and failed: or-ed with its wait status. */
    public static final int HOOK_FAILED = 0x10000;

    /** Or-ed into an op: ENOENT from the step counts as success. */
    public static final int OPTIONAL_STEP = 0x10000;

    /** FAILED's step when clone() itself failed. Every STEP_ is far above a plan index. */
    public static final long STEP_CLONE = 0xffffffffL;
    /** FAILED's step for a malformed frame (a truncated or unexpected one from the init): errno EPROTO. */
    public static final long STEP_PROTOCOL = 0xfffffffeL;
    /** FAILED's step when connecting to SHIM_OPT_CONSOLE's socket failed. */
    public static final long STEP_CONSOLE = 0xfffffffcL;
    /** FAILED's step when making SHIM_OPT_START_FIFO's FIFO failed. */
    public static final long STEP_START_FIFO = 0xfffffffbL;
    /** FAILED's step when taking SHIM_OPT_RECORD's monitor lock failed. */
    public static final long STEP_MONITOR_LOCK = 0xfffffffaL;
    /** FAILED's step when blocking the monitor's signals or making their signalfd failed. */
    public static final long STEP_SIGNALFD = 0xfffffff9L;
    /** FAILED's step when making the socketpair to the init failed. */
    public static final long STEP_SOCKETPAIR = 0xfffffff8L;
    /** FAILED's step when opening SHIM_OPT_LOG's file or making the output pipes failed. */
    public static final long STEP_LOG = 0xfffffff7L;
    /** FAILED's step when making SHIM_OPT_ATTACH's socket (bind, chmod, listen) failed. */
    public static final long STEP_ATTACH = 0xfffffff6L;
    /** FAILED's step, plus i, when opening or joining the i-th namespace of SHIM_OPT_JOIN failed. */
    public static final long STEP_JOIN = 0xffffff00L;
    public static final int MAX_JOINS = 16;
    /** FAILED's payload: u32 step, i32 errno, u32 exit status. */
    public static final int FAILED_MSG_LEN = 12;
    /** The most strings SHIM_OPT_ON_EXIT may carry. */
    public static final int MAX_ON_EXIT_ARGS = 63;

    /** MSG_CLONE option: a count and that many namespace paths to setns() into before clone follow. */
    public static final int SHIM_OPT_JOIN = 1;
    /** MSG_CLONE option: jbox leaves after STARTED; the shim must not kill the container then. */
    public static final int SHIM_OPT_DETACH = 2;
    /** MSG_CLONE option: a monitor lock path and an exit record path follow. */
    public static final int SHIM_OPT_RECORD = 4;
    /** MSG_CLONE option: the remaining strings are a command the shim execs when all is over. */
    public static final int SHIM_OPT_ON_EXIT = 8;
    /** MSG_CLONE option: no monitor; the shim leaves after CREATED or STARTED (the OCI CLI). */
    public static final int SHIM_OPT_HANDOVER = 32;
    /** MSG_CLONE option: a path follows where the shim makes the start FIFO for OP_WAIT_START. */
    public static final int SHIM_OPT_START_FIFO = 64;
    /** MSG_CLONE option: a unix socket path follows; the terminal's master is sent there. */
    public static final int SHIM_OPT_CONSOLE = 128;
    /** MSG_CLONE option: a path follows where the shim logs the init's stdout and stderr (and relays them unless detached). */
    public static final int SHIM_OPT_LOG = 256;
    /** MSG_CLONE option: a path follows where a detached shim listens for `jbox attach` (attach.h). */
    public static final int SHIM_OPT_ATTACH = 512;
    /** MSG_CLONE option: with DETACH, the init's stdin is a pipe the shim holds for attach's keys. */
    public static final int SHIM_OPT_STDIN = 1024;
    /** Largest MSG_CLONE payload the shim reads (two u32s and the strings). */
    public static final int CLONE_MSG_MAX = 8 + 8192;

    public static final int PLAN_MAX_BYTES = 4 << 20;

    public static String messageName(int type) {
        switch (type) {
            case MSG_CLONE: return "CLONE";
            case MSG_PID: return "PID";
            case MSG_PLAN: return "PLAN";
            case MSG_STARTED: return "STARTED";
            case MSG_FAILED: return "FAILED";
            case MSG_SIGNAL: return "SIGNAL";
            case MSG_EXITED: return "EXITED";
            case MSG_NOTIFY_FD: return "NOTIFY_FD";
            case MSG_DENIED: return "DENIED";
            case MSG_PTY_FD: return "PTY_FD";
            case MSG_CREATED: return "CREATED";
            case MSG_IDMAP: return "IDMAP";
            case MSG_MOUNT_FD: return "MOUNT_FD";
            default: return "message " + type;
        }
    }
}

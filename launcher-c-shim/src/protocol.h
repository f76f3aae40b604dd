/*
 * protocol.h — the wire format between the jbox JVM and jbox-shim, mirrored in Java by
 * jbox.process.Protocol (keep the two in step; docs/protocol.md has the sequence diagram).
 *
 * Every message on either channel (JVM <-> shim over a unix stream socket, shim <-> child over a
 * socketpair) is a frame: u32 type, u32 payload length, payload. Integers are little endian.
 *
 *   JVM -> shim   MSG_CLONE   u32 clone flags (CLONE_NEW*), u32 options (SHIM_OPT_*), then the
 *                             NUL-terminated strings the options ask for, in the options' order;
 *                             with SHIM_OPT_JOIN a count and that many namespace paths
 *                             (/proc/PID/ns/net, /var/run/netns/NAME): the shim setns()es into each,
 *                             in the list's order (the JVM decides it: user first), before clone (as
 *                             the host's root: the child, in a new user namespace, could not), and
 *                             the flags do not create those types. jbox exec joins every namespace
 *                             of the container this way, with flags 0 (a fork).
 *   shim -> JVM   MSG_PID     u32 pid of the container init, as the host sees it, u32 the shim's
 *                             own pid (the JVM checks it is the shim it spawned)
 *   JVM -> shim   MSG_IDMAP   u32 at-flags (0 or AT_RECURSIVE), s host path; after the id maps are
 *                             written, before MSG_PLAN, once per OP_MOVE_MOUNT of the plan: the
 *                             shim clones the tree at the path into a detached mount
 *                             (open_tree(OPEN_TREE_CLONE)), idmaps it with the init's user
 *                             namespace (mount_setattr(MOUNT_ATTR_IDMAP), which needs the host's
 *                             CAP_SYS_ADMIN the init lacks, and maps that exist only after clone)
 *                             and passes it to the init as MSG_MOUNT_FD
 *   shim -> child MSG_MOUNT_FD i32 errno: 0 and the detached mount with SCM_RIGHTS, or why the shim
 *                             could not make it; the init counts them (OP_MOVE_MOUNT's index) and
 *                             a failure surfaces as that step's (step, errno)
 *   JVM -> shim   MSG_PLAN    the plan (below); the shim forwards it to the child unchanged.
 *                             Receiving it is the child's signal that the id maps are written.
 *   shim -> JVM   MSG_STARTED the workload was execve()d (the child's end of the socketpair is
 *                             close-on-exec, so EOF without MSG_FAILED means success)
 *   shim -> JVM   MSG_CREATED the init reached OP_WAIT_START: the container is created and waits
 *                             for `jbox start` (with SHIM_OPT_HANDOVER the shim exits right after)
 *   shim -> JVM   MSG_FAILED  u32 step, i32 errno, u32 exit status: the step failed, the child has
 *                             exited. step < PLAN_MAX_STEPS: an index into the plan; otherwise one
 *                             of STEP_* below (no child exists then, except for STEP_PROTOCOL). The
 *                             exit status is docker's rule, applied by failure_exit_status() in
 *                             steps.c: the one place it is decided (a handed-over init has nobody
 *                             else to ask)
 *   JVM -> shim   MSG_SIGNAL  u32 signal number: deliver it to the container init
 *   shim -> JVM   MSG_DENIED  (u32 nr, u32 count)...: syscalls the seccomp filter sent to the
 *                             shim (SECCOMP_RET_USER_NOTIF), each answered with EPERM and counted
 *   shim -> JVM   MSG_EXITED  i32 wait status of the container init, u32 0, then u64 user and
 *                             u64 system CPU time (µs) and u64 peak RSS (KiB) of the init and
 *                             the descendants it reaped (wait4's rusage); the shim then exits
 *
 * EOF from the child is success only where a frame could start (execve closed the socket); a
 * truncated, oversized or unexpected frame is MSG_FAILED(STEP_PROTOCOL, EPROTO), never STARTED.
 *
 * If the JVM's socket reaches EOF before MSG_EXITED (jbox was killed), the shim kills the
 * container with SIGKILL, reaps it and exits: nothing runs without a jbox watching it.
 *
 * The plan: u32 step count, then per step: u32 op, u32 argc, then argc args as u32 length +
 * bytes. String args (s) include their terminating NUL; integer args (u) are 8 bytes (u64);
 * byte args (b) are raw.
 */
#ifndef JBOX_PROTOCOL_H
#define JBOX_PROTOCOL_H

enum msg_type {
	MSG_CLONE = 1,
	MSG_PID = 2,
	MSG_PLAN = 3,
	MSG_STARTED = 4,
	MSG_FAILED = 5,
	MSG_SIGNAL = 6,
	MSG_EXITED = 7,
	MSG_NOTIFY_FD = 8,  /* child -> shim only: a seccomp listener fd, passed with SCM_RIGHTS */
	MSG_DENIED = 9,     /* shim -> JVM, just before EXITED: (u32 syscall nr, u32 count) pairs */
	MSG_PTY_FD = 10,    /* child -> shim only: the master of the container's terminal (SCM_RIGHTS) */
	MSG_CREATED = 11,   /* child -> shim -> JVM: OP_WAIT_START reached, the command not yet run */
	MSG_IDMAP = 12,     /* JVM -> shim: an idmapped copy of a host tree for the init (above) */
	MSG_MOUNT_FD = 13,  /* shim -> child only, before MSG_PLAN: i32 errno, the mount (SCM_RIGHTS) */
};

/* Options of MSG_CLONE. */
#define SHIM_OPT_NONE 0u
#define SHIM_OPT_JOIN 1u       /* a decimal count n and n namespace paths follow the two u32s */
#define SHIM_OPT_DETACH 2u     /* the JVM will leave after STARTED: do not kill the container then */
#define SHIM_OPT_RECORD 4u     /* two paths follow: a lock file the shim holds (fcntl) while it
                                  lives, and a file it writes "status user_us sys_us maxrss_kb
                                  nr:count,..." to (temp + rename) when the container has exited */
#define SHIM_OPT_ON_EXIT 8u    /* the remaining strings are a command the shim execs at the end */
#define SHIM_OPT_HANDOVER 32u  /* no monitor (the OCI CLI: the caller, e.g. conmon, is the subreaper
                                  that waits): no parent-death signal in the container; the shim
                                  exits once the init reports CREATED, or once the command started */
#define SHIM_OPT_START_FIFO 64u /* a path follows: the shim creates a FIFO there (mode 0622) and
                                  the child keeps an O_PATH fd of it for OP_WAIT_START */
#define SHIM_OPT_CONSOLE 128u  /* a unix socket path follows: the terminal's master (MSG_PTY_FD) is
                                  sent there with SCM_RIGHTS (runc's --console-socket), not relayed */
#define SHIM_OPT_LOG 256u      /* a path follows (after the console's): the shim appends the init's
                                  stdout and stderr there as frames (output.h), from pipes it makes
                                  the init's fds 1 and 2 (or from the terminal it relays), and,
                                  without SHIM_OPT_DETACH, copies them to its own fds 1 and 2 */
#define SHIM_OPT_ATTACH 512u   /* a path follows (after the log's): with SHIM_OPT_DETACH the shim
                                  listens there (a unix socket, 0600, root peers only) for one
                                  `jbox attach` client at a time, and relays the container's output
                                  and terminal to it (attach.h); removed when the shim exits */
#define SHIM_OPT_STDIN 1024u   /* with SHIM_OPT_DETACH (run -di without -t): the init's fd 0 is a
                                  pipe whose writing end the shim keeps, for an attached client's
                                  keys (no string) */
#define CLONE_MSG_MAX (8u + 8192u)
#define CHILD_FRAME_MAX 64u    /* child -> shim: FAILED, CREATED and the fd-carrying frames only */
#define MAX_JOINS 16           /* namespaces SHIM_OPT_JOIN may list */
#define MAX_ON_EXIT_ARGS 63    /* strings SHIM_OPT_ON_EXIT may carry */
#define MAX_MOUNT_FDS 64       /* MSG_IDMAP (MSG_MOUNT_FD) a container may be given */
#define IDMAP_MSG_MAX 4104u    /* MSG_IDMAP's payload: u32 and a path of at most PATH_MAX */

/* MSG_FAILED's step for failures outside the plan: far above any plan index (PLAN_MAX_STEPS). */
#define STEP_CLONE 0xffffffffu        /* clone() itself */
#define STEP_PROTOCOL 0xfffffffeu     /* a malformed frame: errno EPROTO (or the read's errno) */
#define STEP_CONSOLE 0xfffffffcu      /* connecting to SHIM_OPT_CONSOLE's socket */
#define STEP_START_FIFO 0xfffffffbu   /* making SHIM_OPT_START_FIFO's FIFO */
#define STEP_MONITOR_LOCK 0xfffffffau /* taking SHIM_OPT_RECORD's monitor lock */
#define STEP_SIGNALFD 0xfffffff9u     /* blocking the monitor's signals and making their signalfd */
#define STEP_SOCKETPAIR 0xfffffff8u   /* making the socketpair to the init */
#define STEP_LOG 0xfffffff7u          /* opening SHIM_OPT_LOG's file or making the output pipes */
#define STEP_ATTACH 0xfffffff6u       /* making SHIM_OPT_ATTACH's socket (bind, chmod, listen) or
                                         SHIM_OPT_STDIN's pipe */
#define STEP_JOIN 0xffffff00u         /* + i: opening or setns() into the i-th SHIM_OPT_JOIN path */
#define FAILED_MSG_LEN 12u            /* u32 step, i32 errno, u32 exit status */

/* Exit statuses (docker's): jbox's own failure, a command found but not executable, not found. */
#define EXIT_FAILED 125
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127

/* Plan steps. Args are listed as s=string, u=u64, ...=the rest. */
enum step_op {
	OP_SETID = 1,       /* u gid, u uid, u... supplementary gids: setgroups, setresgid, setresuid;
	                       capabilities are kept (PR_SET_KEEPCAPS) for a following OP_CAPS */
	OP_SETSID = 2,      /* (none): new session, so the terminal's signals go to jbox only */
	OP_SETHOSTNAME = 3, /* s name */
	OP_MOUNT = 4,       /* s source, s target, s fstype, u flags, s data ("" = NULL) */
	OP_MKDIR = 5,       /* s path, u mode[, u uid, u gid]: EEXIST is success; a directory this
	                       step creates is then chowned to uid:gid when they are given */
	OP_MKFILE = 6,      /* s path, u mode: create an empty file if absent (a bind-mount target) */
	OP_SYMLINK = 7,     /* s target, s linkpath */
	OP_PIVOT_ROOT = 8,  /* s new root: pivot_root(".", "."), detach the old root, chdir("/") */
	OP_CHDIR = 9,       /* s path */
	OP_EXEC = 10,       /* u argc, s argv..., s env...: PATH search uses env's PATH */
	OP_UMOUNT = 11,     /* s target, u umount2 flags */
	OP_LINK_UP = 12,    /* s interface name: set IFF_UP (loopback of a new network namespace) */
	OP_CAP_BOUNDING = 13, /* u caps to keep: every other capability leaves the bounding set */
	OP_CAPS = 14,       /* u effective, u permitted, u inheritable, u ambient (bit N = capability N) */
	OP_NO_NEW_PRIVS = 15, /* (none): prctl(PR_SET_NO_NEW_PRIVS) */
	OP_SECCOMP = 16,    /* b struct sock_filter[], u seccomp(2) filter flags: install the filter; with
	                       SECCOMP_FILTER_FLAG_NEW_LISTENER the listener goes to the shim */
	OP_SETRLIMIT = 17,  /* u resource, u soft, u hard (~0 = unlimited) */
	OP_UNSHARE = 18,    /* u CLONE_NEW* flags */
	OP_INIT = 19,       /* (none): fork; the parent stays as a minimal init (PID 1) that forwards
	                       signals to the child, reaps every zombie and exits with the child's
	                       status; the child goes on with the next steps (the workload's EXEC) */
	OP_PTY = 20,        /* (none): a terminal from the container's own /dev/ptmx becomes our
	                       controlling terminal and stdio; its master goes to the shim, which
	                       relays it to its own stdin/stdout (started with --tty: raw mode) */
	OP_WAIT_START = 21, /* s command, s PATH: look the command up as EXEC will (a missing one fails
	                       here, at create time), report MSG_CREATED, then block opening the start
	                       FIFO for writing until `jbox start` opens it for reading */
	OP_WRITE = 22,      /* s path, s data: write data to an existing file (sysctls in /proc/sys) */
	OP_UMASK = 23,      /* u mask */
	OP_HOOK = 24,       /* u timeout seconds (0 = none), u argc, s path, s argv..., s env..., s stdin:
	                       run a hook, its stdin fed with the state JSON; fails unless it exits 0 */
	OP_MOUNT_SETATTR = 25, /* s path, u at-flags (AT_RECURSIVE...), u attr_set, u attr_clr (MOUNT_ATTR_*):
	                       mount_setattr(2) — with AT_RECURSIVE on every mount at and below path */
	OP_MKNOD = 26,      /* s path, u mode (file type and permission bits), u major, u minor, u uid, u gid:
	                       mknod, then chown and chmod (the mode exact whatever the umask); an
	                       existing node of that type and number is kept, anything else is EEXIST */
	OP_MOVE_MOUNT = 27, /* u index, s target: move_mount(2) the index-th MSG_MOUNT_FD's detached mount
	                       onto target; fails with the shim's errno if it could not make it */
	OP_MAX = 28,
};

/* Or-ed into a step's op: ENOENT from this step counts as success (e.g. masking a path the
 * kernel does not have). */
#define OPTIONAL_STEP 0x10000u

/* OP_HOOK's errno when the hook ran and failed: or-ed with its wait status. */
#define HOOK_FAILED 0x10000

#define PLAN_MAX_BYTES (4u << 20)
#define PLAN_MAX_STEPS 4096u
#define STEP_MAX_ARGS 4096u

#endif

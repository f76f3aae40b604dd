/*
 * steps.c — runs a plan inside the container init, one step at a time, in the order the JVM
 * chose. The first failing step stops the run; its index and errno go back to the JVM, which
 * knows what the step meant and prints it. A malformed plan fails with EINVAL before any step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "steps.h"
#include "wire.h"

extern char **environ;

int handed_over;
int start_fifo_fd = -1;
uint32_t failed_op;
int report_fd = -1;
int mount_fds[MAX_MOUNT_FDS];
uint32_t mount_fd_count;

struct step {
	uint32_t op;
	int optional;
	uint32_t argc;
	const uint8_t *arg[STEP_MAX_ARGS];
	uint32_t len[STEP_MAX_ARGS];
};

static struct step cur; /* one step at a time; static so the stack stays small */

/* Decodes the step at *pos into cur; -1 if the bytes are not a well-formed step. */
static int decode_step(const uint8_t *plan, uint32_t size, uint32_t *pos)
{
	if (size - *pos < 8)
		return -1;
	uint32_t op = get_u32(plan + *pos);
	cur.optional = (op & OPTIONAL_STEP) != 0;
	cur.op = op & ~OPTIONAL_STEP;
	cur.argc = get_u32(plan + *pos + 4);
	*pos += 8;
	if (cur.op == 0 || cur.op >= OP_MAX || cur.argc > STEP_MAX_ARGS)
		return -1;
	for (uint32_t i = 0; i < cur.argc; i++) {
		if (size - *pos < 4)
			return -1;
		uint32_t n = get_u32(plan + *pos);
		*pos += 4;
		if (n > size - *pos)
			return -1;
		cur.arg[i] = plan + *pos;
		cur.len[i] = n;
		*pos += n;
	}
	return 0;
}

static const char *str(uint32_t i)
{
	if (i >= cur.argc || cur.len[i] == 0 || cur.arg[i][cur.len[i] - 1] != '\0')
		return NULL;
	return (const char *)cur.arg[i];
}

static const char *opt_str(uint32_t i) /* "" means NULL for mount(2) */
{
	const char *s = str(i);
	return s && *s ? s : NULL;
}

static int num(uint32_t i, uint64_t *out)
{
	if (i >= cur.argc || cur.len[i] != 8)
		return -1;
	*out = get_u64(cur.arg[i]);
	return 0;
}

static int step_setid(void)
{
	uint64_t gid, uid, g;
	gid_t groups[64];
	uint32_t n = cur.argc >= 2 ? cur.argc - 2 : 0;
	if (num(0, &gid) < 0 || num(1, &uid) < 0 || n > 64)
		return EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		if (num(2 + i, &g) < 0)
			return EINVAL;
		groups[i] = (gid_t)g;
	}
	/* Keep the permitted set across the uid change; OP_CAPS then sets exactly what is wanted. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return errno;
	if (setgroups(n, groups) < 0 || setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0 ||
	    setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
		return errno;
	return 0;
}

static int step_mount(void)
{
	uint64_t flags;
	const char *target = str(1);
	if (!str(0) || !target || !str(2) || num(3, &flags) < 0 || !str(4))
		return EINVAL;
	if (mount(opt_str(0), target, opt_str(2), (unsigned long)flags, opt_str(4)) < 0)
		return errno;
	return 0;
}

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442 /* x86_64; kernels before 5.12 answer ENOSYS */
#endif

/* struct mount_attr of linux/mount.h, spelt out: older libc headers lack it. */
struct setattr_arg {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static int step_mount_setattr(void)
{
	uint64_t at_flags, set, clr;
	const char *path = str(0);
	if (!path || num(1, &at_flags) < 0 || num(2, &set) < 0 || num(3, &clr) < 0)
		return EINVAL;
	struct setattr_arg attr = { .attr_set = set, .attr_clr = clr };
	if (syscall(SYS_mount_setattr, AT_FDCWD, path, (unsigned int)at_flags, &attr, sizeof(attr)) < 0)
		return errno;
	return 0;
}

#ifndef SYS_move_mount
#define SYS_move_mount 429 /* x86_64, Linux 5.2 */
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

/* Attaches a detached mount the shim made (MSG_MOUNT_FD) at target, in our mount namespace. */
static int step_move_mount(void)
{
	uint64_t index;
	const char *target = str(1);
	if (num(0, &index) < 0 || !target)
		return EINVAL;
	if (index >= mount_fd_count)
		return EBADF; /* the plan names a mount the shim never sent */
	int fd = mount_fds[index];
	if (fd < 0)
		return -fd; /* why the shim could not make it */
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return errno;
	close(fd);
	mount_fds[index] = -EBADF; /* attached once */
	return 0;
}

static int step_mkdir(void)
{
	uint64_t mode, uid = 0, gid = 0;
	struct stat st;
	const char *path = str(0);
	int owned = cur.argc == 4;
	if (!path || num(1, &mode) < 0 || (cur.argc != 2 && !owned) ||
	    (owned && (num(2, &uid) < 0 || num(3, &gid) < 0 || uid > 0xfffffffeu || gid > 0xfffffffeu)))
		return EINVAL;
	if (mkdir(path, (mode_t)mode) == 0) /* only a directory made here changes owner: never the image's */
		return owned && lchown(path, (uid_t)uid, (gid_t)gid) < 0 ? errno : 0;
	if (errno != EEXIST)
		return errno;
	if (lstat(path, &st) < 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

static int step_mkfile(void)
{
	uint64_t mode;
	const char *path = str(0);
	if (!path || num(1, &mode) < 0)
		return EINVAL;
	/* mknod, not open(O_CREAT|O_WRONLY): opening an image's file for writing copies it up into the
	 * container's layer (overlayfs), and would wait forever on a FIFO. A file there already is
	 * fine unless it is a symlink (a mount onto it would follow the link) or a directory. */
	struct stat st;
	if (mknod(path, S_IFREG | ((mode_t)mode & 07777), 0) == 0)
		return 0;
	if (errno != EEXIST)
		return errno;
	if (lstat(path, &st) < 0)
		return errno;
	return S_ISLNK(st.st_mode) ? ELOOP : S_ISDIR(st.st_mode) ? EISDIR : 0;
}

static int step_mknod(void)
{
	uint64_t mode, major, minor, uid, gid;
	struct stat st;
	const char *path = str(0);
	if (!path || num(1, &mode) < 0 || num(2, &major) < 0 || num(3, &minor) < 0 || num(4, &uid) < 0 ||
	    num(5, &gid) < 0 || major > 0xffffffffu || minor > 0xffffffffu)
		return EINVAL;
	dev_t dev = makedev((unsigned int)major, (unsigned int)minor);
	if (mknod(path, (mode_t)mode, dev) < 0) {
		if (errno != EEXIST)
			return errno;
		/* runtime-spec: a file at path that does not match the requested device is an error */
		if (lstat(path, &st) < 0)
			return errno;
		if ((st.st_mode & S_IFMT) != ((mode_t)mode & S_IFMT) || (!S_ISFIFO(st.st_mode) && st.st_rdev != dev))
			return EEXIST;
		return 0;
	}
	/* chown first: it clears set-id bits that chmod then sets as asked */
	if (lchown(path, (uid_t)uid, (gid_t)gid) < 0 || chmod(path, (mode_t)mode & 07777) < 0)
		return errno;
	return 0;
}

static int step_pivot_root(void)
{
	const char *root = str(0);
	if (!root)
		return EINVAL;
	/* pivot_root(".", ".") stacks the old root on top of the new one; detaching "." then
	 * drops the old root without needing a directory for it inside the image. */
	if (chdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0)
		return errno;
	return 0;
}

/* Args first..first+n-1 of the step: the first argc are argv, the rest envp; both NULL-ended. */
static char *argv[STEP_MAX_ARGS + 1], *envp[STEP_MAX_ARGS + 1];

static int split_argv_env(uint32_t first, uint32_t n, uint64_t argc)
{
	if (argc > n || first + n > cur.argc)
		return EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		char *s = (char *)str(first + i);
		if (!s)
			return EINVAL;
		if (i < argc)
			argv[i] = s;
		else
			envp[i - argc] = s;
	}
	argv[argc] = NULL;
	envp[n - argc] = NULL;
	return 0;
}

static int step_exec(void)
{
	uint64_t argc;
	if (num(0, &argc) < 0 || argc == 0 || split_argv_env(1, cur.argc - 1, argc))
		return EINVAL;
	environ = envp; /* execvp searches the PATH of the container's environment */
	/* Changing credentials (SETID) cleared the parent-death signal: set it again, so the
	 * container cannot outlive a monitor that was killed (unless there is no monitor). */
	if (!handed_over && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return errno;
	execvp(argv[0], argv);
	return errno;
}

static int step_link_up(void)
{
	struct ifreq ifr;
	const char *name = str(0);
	if (!name || strlen(name) >= IFNAMSIZ)
		return EINVAL;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	int err = rc < 0 ? errno : 0;
	close(fd);
	return err;
}

static int step_cap_bounding(void)
{
	uint64_t keep;
	if (num(0, &keep) < 0)
		return EINVAL;
	/* The kernel knows how many capabilities it has: PR_CAPBSET_READ fails past the last. */
	for (int cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return errno;
	return 0;
}

static int step_caps(void)
{
	uint64_t eff, perm, inh, amb;
	if (num(0, &eff) < 0 || num(1, &perm) < 0 || num(2, &inh) < 0 || num(3, &amb) < 0)
		return EINVAL;
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = {
		{ (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
	};
	if (syscall(SYS_capset, &head, data) < 0)
		return errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return errno;
	for (int cap = 0; cap < 64; cap++)
		if ((amb & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return errno;
	return 0;
}


/* Hands a descriptor to the monitor (MSG_NOTIFY_FD, MSG_PTY_FD) and closes ours. */
static int send_fd(uint32_t type, int fd)
{
	uint8_t head[8];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = head, .iov_len = sizeof(head) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	memset(cbuf, 0, sizeof(cbuf));
	put_u32(head, type);
	put_u32(head + 4, 0);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	int rc = sendmsg(report_fd, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(head) ? 0 : (errno ? errno : EIO);
	close(fd);
	return rc;
}

static int step_seccomp(void)
{
	uint64_t flags;
	if (cur.argc != 2 || num(1, &flags) < 0 || cur.len[0] == 0 || cur.len[0] % sizeof(struct sock_filter) != 0 ||
	    cur.len[0] / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return EINVAL;
	/* The plan buffer holds the program at an arbitrary offset: copy it to aligned memory. */
	static struct sock_filter filter[BPF_MAXINSNS];
	memcpy(filter, cur.arg[0], cur.len[0]);
	struct sock_fprog prog = { .len = (unsigned short)(cur.len[0] / sizeof(struct sock_filter)), .filter = filter };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned int)flags, &prog);
	if (fd < 0)
		return errno;
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		return send_fd(MSG_NOTIFY_FD, (int)fd);
	return 0;
}

/* The built-in init: PID 1 that never lets zombies pile up and passes signals on (tini-like). */
static void init_loop(pid_t workload, const sigset_t *all)
{
	for (;;) {
		siginfo_t si;
		if (sigwaitinfo(all, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(workload, si.si_signo);
			continue;
		}
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p != workload)
				continue; /* an orphan re-parented to us: reaped, nothing more */
			if (WIFSIGNALED(status))
				_exit(128 + WTERMSIG(status));
			_exit(WEXITSTATUS(status));
		}
	}
}

static int step_init(void)
{
	sigset_t all, old;
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	/* Block before fork so no signal slips past between the two. */
	if (sigprocmask(SIG_BLOCK, &all, &old) < 0)
		return errno;
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	/* Our copy of the report socket would hide the workload's exec (EOF) from the monitor. */
	close(report_fd);
	prctl(PR_SET_NAME, "init", 0, 0, 0);
	if (!handed_over)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* cleared by SETID; the monitor's death ends us */
	init_loop(pid, &all);
	return 0;
}

/* After pivot_root: /dev/ptmx is the container's own devpts instance, so the slave is its. */
static int step_pty(void)
{
	char name[64];
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return errno;
	if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
		return errno;
	int slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return errno;
	/* The caller's window size before the workload can ask (fd 0 is still the caller's terminal,
	 * if it is one): the monitor copies it too, but only once it has the master, after our exec
	 * may have run `stty size` on a 0x0 terminal. */
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
	if (ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		return errno;
	if (slave > 2)
		close(slave);
	return send_fd(MSG_PTY_FD, master);
}

static int step_setrlimit(void)
{
	uint64_t res, soft, hard;
	if (num(0, &res) < 0 || num(1, &soft) < 0 || num(2, &hard) < 0)
		return EINVAL;
	struct rlimit rl = { .rlim_cur = (rlim_t)soft, .rlim_max = (rlim_t)hard };
	return setrlimit((int)res, &rl) < 0 ? errno : 0;
}

/* 0 for a regular file we may execute; EACCES for a directory or one without x (as execve). */
static int executable(const char *file)
{
	struct stat st;
	if (stat(file, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode) || access(file, X_OK) < 0)
		return EACCES;
	return 0;
}

/* Where execvp would find cmd in path: 0, ENOENT, or EACCES (found, not executable). */
static int look_up(const char *cmd, const char *path)
{
	char buf[4096];
	int err = ENOENT;
	if (strchr(cmd, '/'))
		return executable(cmd);
	for (const char *p = path; p && *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0 && n + strlen(cmd) + 2 <= sizeof(buf)) {
			memcpy(buf, p, n);
			buf[n] = '/';
			strcpy(buf + n + 1, cmd);
			int e = executable(buf);
			if (e == 0)
				return 0;
			if (e == EACCES)
				err = EACCES;
		}
		p = end ? end + 1 : p + n;
	}
	return err;
}

/* create/start: the command must exist now; then tell the monitor, and wait until `jbox start`
 * opens the FIFO for reading. The FIFO is reopened through our O_PATH fd: its host path is
 * outside the container's root. */
static int step_wait_start(void)
{
	char fdpath[64];
	const char *cmd = str(0), *path = str(1);
	if (!cmd || !path || start_fifo_fd < 0)
		return EINVAL;
	int err = look_up(cmd, path);
	if (err)
		return err;
	if (write_frame(report_fd, MSG_CREATED, NULL, 0) < 0)
		return errno ? errno : EPIPE;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", start_fifo_fd);
	int fd;
	while ((fd = open(fdpath, O_WRONLY | O_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (fd < 0)
		return errno;
	int rc = write(fd, "0", 1) == 1 ? 0 : errno;
	close(fd);
	close(start_fifo_fd);
	start_fifo_fd = -1;
	return rc;
}

static int step_write(void)
{
	const char *path = str(0), *data = str(1);
	if (!path || !data)
		return EINVAL;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = write(fd, data, strlen(data));
	int err = n == (ssize_t)strlen(data) ? 0 : n < 0 ? errno : EIO;
	close(fd);
	return err;
}

/* A hook: path argv... env... with the state on stdin. A non-zero exit comes back as
 * HOOK_FAILED | wait status (not an errno), a timeout as ETIMEDOUT. */
static int step_hook(void)
{
	uint64_t timeout, argc;
	if (num(0, &timeout) < 0 || num(1, &argc) < 0 || cur.argc < 4 || split_argv_env(3, cur.argc - 4, argc))
		return EINVAL;
	const char *path = str(2), *input = str(cur.argc - 1);
	if (!path || !input)
		return EINVAL;
	int in[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return errno;
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		dup2(in[0], 0);
		execve(path, argc ? argv : (char *[]){ (char *)path, NULL }, envp);
		_exit(EXIT_NOT_FOUND); /* the hook's status: non-zero, so OP_HOOK fails */
	}
	close(in[0]);
	/* The timeout covers feeding stdin too: a hook that neither reads nor exits must not hang us. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN); /* a hook that does not read its stdin is fine */
	size_t n = strlen(input), off = 0;
	int status, err = 0;
	for (uint64_t waited = 0;; waited += 10) {
		while (in[1] >= 0 && off < n) {
			ssize_t w = write(in[1], input + off, n - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (in[1] >= 0 && (off == n || (errno != EAGAIN && errno != EINTR))) {
			close(in[1]); /* all written, or the hook closed its stdin */
			in[1] = -1;
		}
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			err = errno;
			break;
		}
		if (timeout && waited >= timeout * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			err = ETIMEDOUT;
			break;
		}
		struct pollfd pf = { .fd = in[1], .events = POLLOUT };
		poll(&pf, 1, 10); /* the pipe taking more, or 10 ms */
	}
	if (in[1] >= 0)
		close(in[1]);
	signal(SIGPIPE, SIG_DFL);
	if (err)
		return err;
	return status == 0 ? 0 : HOOK_FAILED | (status & 0xffff);
}

static int run_step(void)
{
	uint64_t u;
	switch (cur.op) {
	case OP_SETID:
		return step_setid();
	case OP_SETSID:
		return setsid() < 0 ? errno : 0;
	case OP_SETHOSTNAME:
		if (!str(0))
			return EINVAL;
		return sethostname(str(0), strlen(str(0))) < 0 ? errno : 0;
	case OP_MOUNT:
		return step_mount();
	case OP_MKDIR:
		return step_mkdir();
	case OP_MKFILE:
		return step_mkfile();
	case OP_MKNOD:
		return step_mknod();
	case OP_SYMLINK:
		if (!str(0) || !str(1))
			return EINVAL;
		return symlink(str(0), str(1)) < 0 ? errno : 0;
	case OP_PIVOT_ROOT:
		return step_pivot_root();
	case OP_CHDIR:
		if (!str(0))
			return EINVAL;
		return chdir(str(0)) < 0 ? errno : 0;
	case OP_EXEC:
		return step_exec();
	case OP_LINK_UP:
		return step_link_up();
	case OP_UMOUNT:
		if (!str(0) || num(1, &u) < 0)
			return EINVAL;
		return umount2(str(0), (int)u) < 0 ? errno : 0;
	case OP_CAP_BOUNDING:
		return step_cap_bounding();
	case OP_CAPS:
		return step_caps();
	case OP_NO_NEW_PRIVS:
		return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? errno : 0;
	case OP_SECCOMP:
		return step_seccomp();
	case OP_SETRLIMIT:
		return step_setrlimit();
	case OP_INIT:
		return step_init();
	case OP_PTY:
		return step_pty();
	case OP_UNSHARE:
		if (num(0, &u) < 0)
			return EINVAL;
		return unshare((int)u) < 0 ? errno : 0;
	case OP_WAIT_START:
		return step_wait_start();
	case OP_WRITE:
		return step_write();
	case OP_UMASK:
		if (num(0, &u) < 0)
			return EINVAL;
		umask((mode_t)u);
		return 0;
	case OP_HOOK:
		return step_hook();
	case OP_MOUNT_SETATTR:
		return step_mount_setattr();
	case OP_MOVE_MOUNT:
		return step_move_mount();
	}
	return EINVAL;
}

int plan_check(const uint8_t *plan, uint32_t size)
{
	uint32_t pos = 4, count;
	if (size < 4 || (count = get_u32(plan)) == 0 || count > PLAN_MAX_STEPS)
		return EINVAL;
	for (uint32_t i = 0; i < count; i++)
		if (decode_step(plan, size, &pos) < 0)
			return EINVAL;
	return pos == size ? 0 : EINVAL;
}

int failure_exit_status(uint32_t op, int err)
{
	if (op != OP_EXEC && op != OP_WAIT_START)
		return EXIT_FAILED;
	if (err == ENOENT)
		return EXIT_NOT_FOUND;
	if (err == EACCES || err == ENOEXEC || err == EISDIR || err == EPERM)
		return EXIT_NOT_EXECUTABLE;
	return EXIT_FAILED;
}

int run_plan(const uint8_t *plan, uint32_t size, uint32_t *failed_step)
{
	uint32_t pos = 4;
	*failed_step = 0;
	failed_op = 0;
	int bad = plan_check(plan, size); /* the whole plan before acting on any of it */
	if (bad)
		return bad;
	uint32_t count = get_u32(plan);
	for (uint32_t i = 0; i < count; i++) {
		decode_step(plan, size, &pos);
		int err = run_step();
		if (err == ENOENT && cur.optional)
			err = 0;
		if (err) {
			*failed_step = i;
			failed_op = cur.op;
			return err;
		}
	}
	*failed_step = count;
	return ENOEXEC; /* a plan must end in OP_EXEC */
}

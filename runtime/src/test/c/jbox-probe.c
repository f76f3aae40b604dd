/*
 * jbox-probe — facts busybox cannot show, checked from inside a container by the integration
 * tests. Built static by the tests and copied into their test image.
 *   jbox-probe shm KEY         exit 0 if a SysV shared memory segment with KEY is visible, else 1
 *   jbox-probe shm-create KEY  create one (run on the host), print its id
 *   jbox-probe shm-remove ID   remove it again
 *   jbox-probe try ATTEMPT     make one escape attempt (vsock-socket, mount, ...); print "ok" or the errno's name (EPERM...)
 *   jbox-probe fds             list this process's open descriptors
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
	if (!strcmp(what, "vsock-socket"))
		return socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
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
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	default: return "EOTHER";
	}
}

int main(int argc, char **argv)
{
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
	fprintf(stderr, "usage: jbox-probe shm|shm-create KEY | shm-remove ID | try ATTEMPT... | fds\n");
	return 2;
}

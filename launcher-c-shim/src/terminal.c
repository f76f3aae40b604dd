/* terminal.c — the user's terminal (raw mode, window size, relay) and runc's --console-socket. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "output.h"
#include "terminal.h"

static struct termios saved_termios;
static int termios_saved;

void raw_terminal(void)
{
	struct termios t;
	if (!isatty(0) || tcgetattr(0, &saved_termios) < 0)
		return;
	termios_saved = 1;
	t = saved_termios;
	cfmakeraw(&t);
	tcsetattr(0, TCSANOW, &t);
}

void restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(0, TCSANOW, &saved_termios);
	termios_saved = 0;
}

void copy_window_size(int master)
{
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Non-blocking reads only: a last drain must not wait for orphans holding the terminal. */
ssize_t relay(int from, int to, int log, struct attach *a)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n > 0)
		output_log(log, 1, buf, (size_t)n);
	if (n > 0 && a)
		attach_output(a, 1, buf, (size_t)n);
	if (n > 0 && to >= 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(to, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += w;
		}
	}
	return n;
}

/* A unix stream socket connected to path (close-on-exec); -1 with errno. The shim's three
 * clients use it: the control socket, --console-socket (the terminal's master goes to whoever
 * listens there: conmon, containerd; connected first thing, as the path is the caller's and
 * joining a container's mount namespace would hide it) and jbox attach's monitor socket. */
int connect_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int send_console(int sock, int master)
{
	char name[] = "jbox-console";
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	memset(cbuf, 0, sizeof(cbuf));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) > 0 ? 0 : -1;
}

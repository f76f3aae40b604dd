/*
 * monitor.h — the shim after clone(): the container init's parent. It relays the plan and the
 * init's reports, delivers signals, answers seccomp notifications, relays the terminal, reaps the
 * init and reports its wait status.
 */
#ifndef JBOX_MONITOR_H
#define JBOX_MONITOR_H

#include <signal.h>
#include <sys/types.h>

#include "attach.h"
#include "clone_request.h"
#include "output.h"

struct monitor {
	int ctl;        /* the JVM's control socket */
	int child;      /* the shim's end of the socketpair to the init */
	int sigfd;      /* signalfd of the signals block_monitor_signals() blocked */
	int console;    /* SHIM_OPT_CONSOLE's socket, or -1 */
	int tty_mode;   /* --tty: relay the user's terminal in raw mode */
	pid_t pid;      /* the init */
	const struct clone_request *req;
	struct output out; /* SHIM_OPT_LOG: the init's stdout and stderr (out.log -1 without) */
	struct attach att; /* SHIM_OPT_ATTACH: `jbox attach`'s socket and client (att.listen -1 without) */
	int stdin_pipe;    /* SHIM_OPT_STDIN: the writing end of the init's stdin, or -1 */
};

/* Blocks the signals the monitor takes through a signalfd (returned; the old mask into *orig). */
int block_monitor_signals(sigset_t *orig);

/* Takes the monitor lock at path (fcntl, held for the shim's life); the fd, or -1 with errno. */
int hold_monitor_lock(const char *path);

/* Runs until the init is reaped and reported; returns the shim's exit status, or execs ON_EXIT. */
int monitor_run(struct monitor *m);

#endif

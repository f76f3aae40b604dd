/*
 * terminal.h — the container's terminal as the shim sees it: the user's terminal in raw mode and
 * relayed both ways (jbox run -t), or the master handed to a console socket (the OCI CLI).
 */
#ifndef JBOX_TERMINAL_H
#define JBOX_TERMINAL_H

#include <sys/types.h>

#include "attach.h"

void raw_terminal(void);
void restore_terminal(void);
void copy_window_size(int master);
/* Copies what is there from one fd to another (to -1: nowhere), appends it to log as stream
 * 1 (log -1: none) and gives it to an attached client (a NULL: none); <= 0 at end or error. */
ssize_t relay(int from, int to, int log, struct attach *a);
/* A connected socket to path, or -1 with errno. */
int connect_unix(const char *path);
int send_console(int sock, int master);

#endif

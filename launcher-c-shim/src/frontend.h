/*
 * frontend.h — what the front end's two files share: frontend.c serves one command (relay,
 * signals, children, the cold path), engine_start.c finds or starts the engine that serves it.
 */
#ifndef JBOX_FRONTEND_H
#define JBOX_FRONTEND_H

#include <limits.h>

/* The directory of this binary: jbox-jvm, jbox.jar, jbox-shim beside it (/proc/self/exe). */
extern char home[PATH_MAX];

/* The engine's files: <key>.sock/.lock/.log in /run/jbox/engine, or in directory D for
 * JBOX_ENGINE_SOCKET=D. key names this process's namespaces. */
struct paths {
	char key[160], dir[PATH_MAX], sock[PATH_MAX], lock[PATH_MAX + 8], log[PATH_MAX + 8];
	int own_dir; /* the default location under /run/jbox/engine, which the front end makes */
};

/* Default signal dispositions and an empty mask, for a child or before an exec. */
void restore_signals(void);

/* 0 when the cold path must serve: JBOX_ENGINE=off, engine.enabled=false, `jbox engine ...`, not root. */
int engine_wanted(int argc, char **argv);

/* 0, or -1 when the namespaces cannot be read or a path does not fit. */
int engine_paths(struct paths *p);

/* A socket connected to a root engine of these namespaces, started if none listens; -1: cold path. */
int reach_engine(const struct paths *p);

#endif

/*
 * engine_protocol.h — the wire format between the native front end `jbox` (frontend.c) and the
 * resident engine (Java, jbox.engine). The reference is docs/engine.md (issue #15); this
 * header is its C mirror. One unix stream connection per command; every frame is u32 type, u32
 * length, payload (little endian); a string is u32 length + bytes (no NUL).
 *
 *   front end -> engine
 *     REQUEST       u32 version, u32 ttys (ENGINE_TTY_*), u16 rows, u16 cols, u32 front-end pid,
 *                   string ns key, string cwd, u32 argc, argc strings (argv without argv[0]),
 *                   u32 envc, envc strings ("K=V")
 *     STDIN         bytes of fd 0, only after WANT_STDIN; length 0 = EOF
 *     SIGNAL        u32 signo the front end received (TERM INT HUP QUIT USR1 USR2 WINCH)
 *     SPAWNED       u32 pid of the child just started for SPAWN
 *     SPAWN_FAILED  u32 errno of fork or of the child's execve
 *     CHILD_EXITED  u32 pid, u32 raw wait status
 *   engine -> front end
 *     STDOUT/STDERR bytes for fd 1 / fd 2
 *     WANT_STDIN    (none): start sending STDIN frames, once, until EOF
 *     SPAWN         u32 mode (SPAWN_MODE_*), string log path (empty in mode 0), string the absolute
 *                   path to exec (empty: argv[0]; the engine's sealed copy of the shim, named by
 *                   /proc/ENGINE/fd/N), u32 argc, argc strings (argv[0] absolute), u32 envc, envc
 *                   strings
 *     KILL_CHILD    u32 pid, u32 signo: only a child of SPAWN not yet reaped
 *     EXIT          u32 status: the front end exits with it at once
 *     FALLBACK      (none): the front end execs the cold path with its argv
 */
#ifndef JBOX_ENGINE_PROTOCOL_H
#define JBOX_ENGINE_PROTOCOL_H

enum engine_msg {
	EMSG_REQUEST = 1,
	EMSG_STDIN = 2,
	EMSG_SIGNAL = 3,
	EMSG_SPAWNED = 4,
	EMSG_SPAWN_FAILED = 5,
	EMSG_CHILD_EXITED = 6,
	EMSG_STDOUT = 101,
	EMSG_STDERR = 102,
	EMSG_WANT_STDIN = 103,
	EMSG_SPAWN = 104,
	EMSG_KILL_CHILD = 105,
	EMSG_EXIT = 106,
	EMSG_FALLBACK = 107,
};

#define ENGINE_PROTOCOL_VERSION 2u

/* Limits both sides check (a frame's length field is its payload's size). */
#define ENGINE_FRAME_MAX (1u << 20)
#define ENGINE_DATA_MAX (64u << 10) /* STDOUT, STDERR, STDIN */
#define ENGINE_ARGC_MAX 4096u
#define ENGINE_ENVC_MAX 4096u
#define ENGINE_STRING_MAX (256u << 10)

/* REQUEST's ttys: which of the front end's stdio are terminals. */
#define ENGINE_TTY_STDIN 1u
#define ENGINE_TTY_STDOUT 2u
#define ENGINE_TTY_STDERR 4u

/* Where the engine lives and how it is started (JBOX_ENGINE_SOCKET=D: directory D instead of
 * ENGINE_DIR, still one <key>.sock per namespace set; root's, writable by nobody else). */
#define ENGINE_DIR "/run/jbox/engine" /* <key>.sock, .lock, .log, .pid; 0700 root */
#define ENGINE_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define ENGINE_LOCALE "LC_ALL=C.UTF-8" /* the engine's file names are UTF-8 (sun.jnu.encoding) */
#define START_TIMEOUT_MS 30000 /* waiting for a started engine's socket, then the cold path */
#define START_RETRY_MS 10

/* SPAWN's modes. */
#define SPAWN_MODE_INHERIT 0u  /* the child gets the front end's fds 0, 1, 2 */
#define SPAWN_MODE_DETACHED 1u /* stdin /dev/null, stdout and stderr appended to the log path (0600) */

#endif

/*
 * steps.h — what steps.c shares with the rest of the shim: running a plan inside the container
 * init, checking a plan's shape (also used by test/decode_test.c), docker's exit-status rule, and
 * the few globals the init's steps need from the clone request.
 */
#ifndef JBOX_STEPS_H
#define JBOX_STEPS_H

#include <stdint.h>

extern int report_fd;     /* the init's end of the socketpair to the shim (set before run_plan) */
extern int handed_over;   /* SHIM_OPT_HANDOVER: no monitor, so no parent-death signal */
extern int start_fifo_fd; /* SHIM_OPT_START_FIFO: an O_PATH fd of the start FIFO, or -1 */
extern uint32_t failed_op; /* the op of the step run_plan stopped at */

/* The MSG_MOUNT_FD frames received before the plan, in order: a detached mount's fd, or -errno
 * (the shim could not make it). OP_MOVE_MOUNT names them by index. */
extern int mount_fds[];
extern uint32_t mount_fd_count;

/* 0 if the plan is well formed (count, every step's op and args, no trailing bytes), else EINVAL. */
int plan_check(const uint8_t *plan, uint32_t size);

/* Runs the plan; returns only on failure: the errno, with the step's index in *failed_step. */
int run_plan(const uint8_t *plan, uint32_t size, uint32_t *failed_step);

/* Docker's rule, decided here only: a command not found is 127, one that cannot be executed 126,
 * any other failure 125. */
int failure_exit_status(uint32_t op, int err);

#endif

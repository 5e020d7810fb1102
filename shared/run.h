#ifndef SG_RUN_H
#define SG_RUN_H
/*
 * Running child processes the way git's run-command.c does: an argv and no shell, fork/exec
 * with a close-on-exec pipe that reports an exec failure, stdin fed while stdout and stderr
 * are collected, waitpid retried on EINTR. Many children run at once.
 */
#include <stddef.h>
#include "buf.h"

/* Exit statuses beyond a program's own, as a shell reports them. */
#define SG_RUN_CANNOT_EXEC 126
#define SG_RUN_NOT_FOUND 127
#define SG_RUN_SIGNALED 128	/* + signal number */

struct sg_child {
	/* in */
	const char *const *argv;	/* argv[0] is the path to execute */
	const char *const *env;		/* extra "NAME=VALUE" entries, NULL-terminated, or NULL */
	const char *in;			/* bytes for stdin, or NULL for /dev/null */
	size_t inlen;
	int inherit_output;		/* 1: stdout/stderr go to ours instead of being collected */
	unsigned long timeout_ms;	/* 0: none; otherwise killed with SIGKILL past it */
	/* out */
	struct sg_buf out;
	struct sg_buf err;
	int status;			/* exit code, 126/127 for exec trouble, 128+N for signal N */
	int exec_errno;			/* errno of a failed exec, else 0 */
	int timed_out;
	double elapsed_ms;
};

/* Make sure fds 0-2 are open (a closed one would be reused by the next open() or pipe(), and a
 * child's stdin or stdout would then be some other file). */
void sg_sanitize_fds(void);

void sg_child_init(struct sg_child *c);
void sg_child_release(struct sg_child *c);
/* Run all n children concurrently and wait for them. Returns 0 when every child was started
 * and waited for (whatever their status), -1 on a system error (reported). */
int sg_run_all(struct sg_child *children, size_t n);
/* Find an executable named name on PATH as execvp would (empty entries skipped; only regular
 * files with execute permission count). 0 with the path in out, -1 (nothing reported). */
int sg_path_find(struct sg_buf *out, const char *name);
/* 1 when path is a regular file we may execute. */
int sg_is_executable(const char *path);

/* "exited with 3", "killed by signal 11 (SIGSEGV)", "could not start: ..." into out. */
void sg_child_describe(struct sg_buf *out, const struct sg_child *c);

#endif

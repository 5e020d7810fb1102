/*
 * fork/exec with an error pipe, and a poll loop that feeds and drains every child at once so
 * that no child can block on a full pipe while we wait for another.
 */
/* pipe2 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "banned.h"

extern char **environ;

struct slot {
	pid_t pid;
	int in, out, err;	/* our ends, -1 when closed */
	size_t written;
	double start;
};

void sg_sanitize_fds(void)
{
	int fd;

	/* open() returns the lowest free fd: once it returns 3, 0-2 are all open. */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

void sg_child_init(struct sg_child *c)
{
	memset(c, 0, sizeof(*c));
}

void sg_child_release(struct sg_child *c)
{
	sg_buf_release(&c->out);
	sg_buf_release(&c->err);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Build the child's environment: ours plus the extra entries, which override. */
static char **child_env(const char *const *extra)
{
	size_t n = 0, m = 0, i, j, k = 0;
	char **env;

	while (environ[n])
		n++;
	while (extra && extra[m])
		m++;
	env = sg_calloc(n + m + 1, sizeof(*env));
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
		int overridden = 0;

		for (j = 0; j < m; j++)
			overridden |= !strncmp(extra[j], environ[i], len);
		if (!overridden)
			env[k++] = environ[i];
	}
	for (j = 0; j < m; j++)
		env[k++] = (char *)extra[j];
	env[k] = NULL;
	return env;
}

/* In the child: only async-signal-safe calls until exec. */
static void SG_NORETURN child_exec(const struct sg_child *c, char **env, int in, int out,
				   int err, int errpipe)
{
	int e;

	if (in >= 0)
		dup2(in, 0);
	if (out >= 0)
		dup2(out, 1);
	if (err >= 0)
		dup2(err, 2);
	signal(SIGPIPE, SIG_DFL);
	execve(c->argv[0], (char *const *)c->argv, env);
	e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(SG_RUN_NOT_FOUND);
	_exit(e == ENOENT ? SG_RUN_NOT_FOUND : SG_RUN_CANNOT_EXEC);
}

static int start(struct sg_child *c, struct slot *s)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int ep[2] = { -1, -1 }, devnull = -1, e = 0;
	char **env = child_env(c->env);
	ssize_t r;

	s->in = s->out = s->err = -1;
	s->pid = -1;
	/*
	 * Every descriptor is close-on-exec: dup2 onto 0-2 clears the flag for the child's own
	 * ends, and no child inherits another's pipes. (Without it a check kept the stdin of the
	 * checks started before it open, and they ran one after another, not in parallel.)
	 */
	if ((c->in ? pipe2(inp, O_CLOEXEC) : 0) < 0 ||
	    (!c->inherit_output && (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)) ||
	    pipe2(ep, O_CLOEXEC) < 0)
		goto fail;
	if (!c->in && (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	s->start = now_ms();
	s->pid = fork();
	if (s->pid < 0)
		goto fail;
	if (!s->pid)
		child_exec(c, env, c->in ? inp[0] : devnull, outp[1], errp[1], ep[1]);
	close_fd(&ep[1]);
	close_fd(&inp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	close_fd(&devnull);
	/* EOF on the error pipe means exec succeeded; an int means it did not. */
	do
		r = read(ep[0], &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close_fd(&ep[0]);
	if (r == sizeof(e))
		c->exec_errno = e;
	s->in = inp[1];
	s->out = outp[0];
	s->err = errp[0];
	if (s->in >= 0)
		fcntl(s->in, F_SETFL, fcntl(s->in, F_GETFL) | O_NONBLOCK);
	free(env);
	return 0;

fail:
	e = errno;
	close_fd(&inp[0]);
	close_fd(&inp[1]);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&ep[0]);
	close_fd(&ep[1]);
	close_fd(&devnull);
	free(env);
	return sg_error("cannot start '%s': %s", c->argv[0], strerror(e));
}

static void drain(int *fd, struct sg_buf *b)
{
	char tmp[65536];
	ssize_t r = read(*fd, tmp, sizeof(tmp));

	if (r > 0)
		sg_buf_add(b, tmp, (size_t)r);
	else if (r == 0 || (errno != EINTR && errno != EAGAIN))
		close_fd(fd);
}

static void feed(struct sg_child *c, struct slot *s)
{
	ssize_t w = write(s->in, c->in + s->written, c->inlen - s->written);

	if (w > 0)
		s->written += (size_t)w;
	/* EPIPE: the child stopped reading, which is its right. */
	if ((w < 0 && errno != EINTR && errno != EAGAIN) || s->written >= c->inlen)
		close_fd(&s->in);
}

/* Collect the child's status; with nohang, only if it has exited. 1 reaped, 0 not yet. */
static int reap(struct sg_child *c, struct slot *s, int nohang)
{
	int st = 0;
	pid_t r;

	do
		r = waitpid(s->pid, &st, nohang ? WNOHANG : 0);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	c->elapsed_ms = now_ms() - s->start;
	if (r < 0)
		c->status = SG_RUN_SIGNALED + SIGKILL;
	else if (WIFSIGNALED(st))
		c->status = SG_RUN_SIGNALED + WTERMSIG(st);
	else
		c->status = WEXITSTATUS(st);
	s->pid = -1;
	return 1;
}

int sg_run_all(struct sg_child *children, size_t n)
{
	struct slot *slots = sg_calloc(n ? n : 1, sizeof(*slots));
	struct pollfd *pfd = sg_calloc(3 * (n ? n : 1), sizeof(*pfd));
	size_t i;
	int ret = 0;

	/* Pipes must not land on 0-2: dup2 onto them in the child would clobber each other. */
	sg_sanitize_fds();
	for (i = 0; i < n; i++) {
		slots[i].pid = -1;
		slots[i].in = slots[i].out = slots[i].err = -1;
	}
	for (i = 0; i < n; i++) {
		if (start(&children[i], &slots[i]) < 0) {
			size_t j;

			/* The rest never ran: say so rather than let them look passed. */
			for (j = i; j < n; j++) {
				children[j].exec_errno = ECANCELED;
				children[j].status = SG_RUN_CANNOT_EXEC;
			}
			ret = -1;
			break;
		}
	}

	for (;;) {
		size_t np = 0, running = 0;
		double t = now_ms();
		int wait = -1;

		for (i = 0; i < n; i++) {
			struct slot *s = &slots[i];
			struct sg_child *c = &children[i];

			if (s->pid > 0 && c->timeout_ms && !c->timed_out &&
			    t - s->start > (double)c->timeout_ms) {
				c->timed_out = 1;
				kill(s->pid, SIGKILL);
				close_fd(&s->in);
			}
			if (s->pid > 0 && reap(c, s, 1) && c->timed_out) {
				/* A grandchild may still hold the pipes: stop waiting for it. */
				close_fd(&s->out);
				close_fd(&s->err);
			}
			if (s->pid > 0) {
				running++;
				if (c->timeout_ms && !c->timed_out) {
					int left = (int)(c->timeout_ms - (t - s->start)) + 1;

					if (wait < 0 || left < wait)
						wait = left;
				}
			}
			if (s->in >= 0)
				pfd[np++] = (struct pollfd){ s->in, POLLOUT, 0 };
			if (s->out >= 0)
				pfd[np++] = (struct pollfd){ s->out, POLLIN, 0 };
			if (s->err >= 0)
				pfd[np++] = (struct pollfd){ s->err, POLLIN, 0 };
		}
		if (!np && !running)
			break;
		/* With no pipe left to watch, look for exits (and the timeout) every 10 ms. */
		if (!np && (wait < 0 || wait > 10))
			wait = 10;
		if (poll(pfd, np, wait) < 0 && errno != EINTR) {
			ret = sg_error("poll: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			struct slot *s = &slots[i];
			size_t k;

			for (k = 0; k < np; k++) {
				if (!pfd[k].revents)
					continue;
				if (pfd[k].fd == s->in && s->in >= 0)
					feed(&children[i], s);
				else if (pfd[k].fd == s->out && s->out >= 0)
					drain(&s->out, &children[i].out);
				else if (pfd[k].fd == s->err && s->err >= 0)
					drain(&s->err, &children[i].err);
			}
		}
	}

	for (i = 0; i < n; i++) {
		close_fd(&slots[i].in);
		close_fd(&slots[i].out);
		close_fd(&slots[i].err);
		if (slots[i].pid > 0) {
			kill(slots[i].pid, SIGKILL);
			reap(&children[i], &slots[i], 0);
		}
	}
	free(slots);
	free(pfd);
	return ret;
}

int sg_is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int sg_path_find(struct sg_buf *out, const char *name)
{
	const char *p = getenv("PATH");

	while (p && *p) {
		size_t len = strcspn(p, ":");

		if (len) {
			sg_buf_reset(out);
			sg_buf_add(out, p, len);
			sg_buf_addf(out, "/%s", name);
			if (sg_is_executable(sg_buf_str(out)))
				return 0;
		}
		p += len;
		if (*p == ':')
			p++;
	}
	sg_buf_reset(out);
	return -1;
}

void sg_child_describe(struct sg_buf *out, const struct sg_child *c)
{
	int sig;

	if (c->timed_out) {
		sg_buf_addf(out, "timed out after %lu ms and was killed", c->timeout_ms);
	} else if (c->exec_errno) {
		sg_buf_addf(out, "could not start '%s': %s", c->argv[0], strerror(c->exec_errno));
	} else if (c->status > SG_RUN_SIGNALED) {
		sig = c->status - SG_RUN_SIGNALED;
		sg_buf_addf(out, "killed by signal %d (%s)", sig, strsignal(sig));
	} else {
		sg_buf_addf(out, "exited with status %d", c->status);
	}
}

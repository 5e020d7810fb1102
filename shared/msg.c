/*
 * Messages and allocation: the two things every module needs and none should reinvent.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "msg.h"
#include "banned.h"

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	fputs("stagegate: ", stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int sg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	return -1;
}

void sg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

int sg_error_git(int code, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	va_list ap;

	fputs("stagegate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e && e->message)
		fprintf(stderr, ": %s", e->message);
	else if (code)
		fprintf(stderr, ": libgit2 error %d", code);
	fputc('\n', stderr);
	return -1;
}

static void oom(size_t n)
{
	fprintf(stderr, "stagegate: out of memory allocating %zu bytes\n", n);
	abort();
}

void *sg_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *sg_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *sg_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *sg_strdup(const char *s)
{
	return sg_strndup(s, strlen(s));
}

char *sg_strndup(const char *s, size_t n)
{
	char *p = sg_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void sg_grow(void **p, size_t *alloc, size_t n, size_t size)
{
	size_t want;

	if (n <= *alloc)
		return;
	want = *alloc ? *alloc : 8;
	while (want < n)
		want *= 2;
	if (want > ((size_t)-1) / size)
		oom((size_t)-1);
	*p = sg_realloc(*p, want * size);
	*alloc = want;
}

/*
 * Growable buffers. Everything that builds text (diagnostics, JSON, paths) goes through here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "banned.h"

void sg_buf_init(struct sg_buf *b)
{
	b->buf = NULL;
	b->len = 0;
	b->alloc = 0;
}

void sg_buf_release(struct sg_buf *b)
{
	free(b->buf);
	sg_buf_init(b);
}

void sg_buf_reset(struct sg_buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

static void reserve(struct sg_buf *b, size_t extra)
{
	SG_GROW(b->buf, b->alloc, b->len + extra + 1);
}

void sg_buf_add(struct sg_buf *b, const void *data, size_t len)
{
	reserve(b, len);
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void sg_buf_addstr(struct sg_buf *b, const char *s)
{
	sg_buf_add(b, s, strlen(s));
}

void sg_buf_addch(struct sg_buf *b, char c)
{
	sg_buf_add(b, &c, 1);
}

void sg_buf_vaddf(struct sg_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	reserve(b, 64);
	/* The list may be walked twice: once to measure, once more when it did not fit. */
	va_copy(again, ap);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	if (n >= 0 && (size_t)n >= b->alloc - b->len) {
		reserve(b, (size_t)n);
		vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, again);
	}
	va_end(again);
	if (n < 0)
		return;
	b->len += (size_t)n;
}

void sg_buf_addf(struct sg_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sg_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned long cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void sg_buf_add_json(struct sg_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (!n) {
			/* JSON is UTF-8: a Latin-1 commit subject must not make the whole
			 * record unreadable. */
			sg_buf_addstr(b, "\\ufffd");
			p++;
			continue;
		}
		if (n > 1) {
			sg_buf_add(b, p, n);
			p += n;
			continue;
		}
		switch (*p) {
		case '"': sg_buf_addstr(b, "\\\""); break;
		case '\\': sg_buf_addstr(b, "\\\\"); break;
		case '\n': sg_buf_addstr(b, "\\n"); break;
		case '\r': sg_buf_addstr(b, "\\r"); break;
		case '\t': sg_buf_addstr(b, "\\t"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sg_buf_addf(b, "\\u%04x", *p);
			else
				sg_buf_addch(b, (char)*p);
		}
		p++;
	}
}

const char *sg_buf_str(const struct sg_buf *b)
{
	return b->buf ? b->buf : "";
}

char *sg_buf_detach(struct sg_buf *b)
{
	char *s = b->buf ? b->buf : sg_strdup("");

	sg_buf_init(b);
	return s;
}

int sg_buf_read_fd(struct sg_buf *b, int fd)
{
	for (;;) {
		ssize_t n;

		reserve(b, 65536);
		n = read(fd, b->buf + b->len, b->alloc - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->buf[b->len] = '\0';
	}
	return 0;
}

int sg_buf_read_file(struct sg_buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return sg_error("cannot open '%s': %s", path, strerror(errno));
	ret = sg_buf_read_fd(b, fd);
	if (ret < 0)
		sg_error("cannot read '%s': %s", path, strerror(errno));
	close(fd);
	return ret;
}

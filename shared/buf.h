#ifndef SG_BUF_H
#define SG_BUF_H
/*
 * A growable, always NUL-terminated byte buffer, as git's strbuf: the one way this code builds
 * strings, so that no sprintf into a fixed array can truncate or overflow.
 */
#include <stdarg.h>
#include <stddef.h>
#include "msg.h"

struct sg_buf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define SG_BUF_INIT { NULL, 0, 0 }

void sg_buf_init(struct sg_buf *b);
/* Free the contents; the buffer is empty and reusable afterwards. */
void sg_buf_release(struct sg_buf *b);
void sg_buf_reset(struct sg_buf *b);
void sg_buf_add(struct sg_buf *b, const void *data, size_t len);
void sg_buf_addstr(struct sg_buf *b, const char *s);
void sg_buf_addch(struct sg_buf *b, char c);
void sg_buf_addf(struct sg_buf *b, const char *fmt, ...) SG_PRINTF(2, 3);
/* sg_buf_addf with a va_list, for functions that format on behalf of their callers. */
void sg_buf_vaddf(struct sg_buf *b, const char *fmt, va_list ap) SG_PRINTF(2, 0);
/* Append s as the body of a JSON string (no quotes), escaping what JSON requires; bytes that
 * are not UTF-8 become U+FFFD. */
void sg_buf_add_json(struct sg_buf *b, const char *s);
/* The contents, never NULL (an empty buffer yields ""). Borrowed. */
const char *sg_buf_str(const struct sg_buf *b);
/* Hand the contents to the caller, who frees them with free(); the buffer is reset. */
char *sg_buf_detach(struct sg_buf *b);
/* Read a whole file; returns 0, or -1 after reporting. */
int sg_buf_read_file(struct sg_buf *b, const char *path);
/* Read all of fd until EOF; returns 0 or -1 (errno set). */
int sg_buf_read_fd(struct sg_buf *b, int fd);

#endif

#ifndef SG_MSG_H
#define SG_MSG_H
/*
 * The one choke point for messages to the user: every line starts with "stagegate: " and goes
 * to stderr, which is where git relays hook output to the pusher.
 */
#include <stddef.h>

#if defined(__GNUC__)
#define SG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define SG_NORETURN __attribute__((noreturn))
#else
#define SG_PRINTF(a, b)
#define SG_NORETURN
#endif

/* Print "stagegate: <message>" and return -1, so callers can `return sg_error(...)`. */
int sg_error(const char *fmt, ...) SG_PRINTF(1, 2);
/* Print "stagegate: warning: <message>". */
void sg_warn(const char *fmt, ...) SG_PRINTF(1, 2);
/* Convert libgit2's last error into one message with our context; returns -1. */
int sg_error_git(int code, const char *fmt, ...) SG_PRINTF(2, 3);

/* Allocation that never returns NULL: out of memory is not something a hook can recover from. */
void *sg_malloc(size_t n);
void *sg_calloc(size_t n, size_t size);
void *sg_realloc(void *p, size_t n);
char *sg_strdup(const char *s);
char *sg_strndup(const char *s, size_t n);
/* Grow *p (of *alloc elements of size) to hold at least n elements. */
void sg_grow(void **p, size_t *alloc, size_t n, size_t size);
#define SG_GROW(p, alloc, n) sg_grow((void **)&(p), &(alloc), (n), sizeof(*(p)))

#endif

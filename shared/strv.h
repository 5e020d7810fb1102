#ifndef SG_STRV_H
#define SG_STRV_H
/*
 * NULL-terminated vectors of strings (char **), the shape argv has: every list of names,
 * paths and globs in stagegate is one, built with these and freed with sg_strv_free.
 */
#include <stddef.h>

/* Number of strings in v (NULL counts as empty). */
size_t sg_strv_len(char *const *v);
/* Append a copy of s to *v (which may start NULL); returns the new length. */
size_t sg_strv_push(char ***v, const char *s);
/* Sort and drop duplicates, in place. */
void sg_strv_sort_unique(char **v);
/* Free every string and the vector; accepts NULL. */
void sg_strv_free(char **v);

#endif

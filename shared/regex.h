#ifndef SG_REGEX_H
#define SG_REGEX_H
/*
 * PCRE2 patterns from the config: compiled once at load, JIT-compiled when the platform
 * allows, matched with a limit so that a pattern in a config file cannot hang a hook.
 * PCRE2's NULL-and-offset error convention is converted here.
 */
#include <stddef.h>

#include "strv.h"

struct sg_buf;
struct sg_regex;

/* Compile pattern; on error returns -1 and puts "message at offset N" into err. */
int sg_regex_compile(struct sg_regex **out, const char *pattern, struct sg_buf *err);
void sg_regex_free(struct sg_regex *re);
/* 1 match, 0 no match, -1 error (match limit hit, reported). */
int sg_regex_match(const struct sg_regex *re, const char *subject);
/* Match subject, then expand ${name} (named groups) and ${N} in tmpl into out.
 * Returns 1 matched and expanded, 0 no match, -1 error (unknown group name, reported). */
int sg_regex_expand(const struct sg_regex *re, const char *subject, const char *tmpl,
		    struct sg_buf *out);
/* Expand ${name} in tmpl from a NULL-terminated list of name, value pairs. Unknown names
 * are kept as written. */
void sg_template_expand(struct sg_buf *out, const char *tmpl, const char *const *vars);



/* 1 when the pattern has a group called name (or numbered, for digits), else 0. */
int sg_regex_has_group(const struct sg_regex *re, const char *name);

/* Match subject and return its named groups as a NULL-terminated name, value, ... array
 * (caller frees with sg_strv_free). Returns 1 matched, 0 no match (*out NULL), -1 error. */
int sg_regex_groups(char ***out, const struct sg_regex *re, const char *subject);

#endif

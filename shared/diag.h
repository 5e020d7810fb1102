#ifndef SG_DIAG_H
#define SG_DIAG_H
/*
 * Diagnostics: what a check found, as data. A check appends to a list and returns 0; the exit
 * status is derived from the list at the end. Rendered as compiler-style text, as JSON lines
 * (the plugin protocol of docs/checks.md) or as GitHub workflow commands.
 */
#include <stdarg.h>
#include <stdio.h>
#include "msg.h"

enum sg_severity {
	SG_NOTE,
	SG_WARNING,
	SG_ERROR
};

enum sg_format {
	SG_FORMAT_TEXT,
	SG_FORMAT_JSON,
	SG_FORMAT_GITHUB
};

/* Every string is owned by the diagnostic; absent fields are NULL / 0. */
struct sg_diag {
	char *check;
	char *rule;
	enum sg_severity severity;
	char *path;
	unsigned long line;
	unsigned long col;
	char *ref;
	char *commit;
	char *message;
	char *hint;
};

struct sg_diags {
	struct sg_diag *v;
	size_t n;
	size_t alloc;
	const char *check;	/* borrowed: stamped on every diagnostic added */
};

void sg_diags_init(struct sg_diags *d, const char *check);
void sg_diags_release(struct sg_diags *d);
/* Append one diagnostic; the returned pointer is valid until the next add. */
struct sg_diag *sg_diags_add(struct sg_diags *d, enum sg_severity sev, const char *rule,
			     const char *fmt, ...) SG_PRINTF(4, 5);
struct sg_diag *sg_diags_addv(struct sg_diags *d, enum sg_severity sev, const char *rule,
			      const char *fmt, va_list ap);
/* Take ownership of *diag's contents (the struct is zeroed). */
void sg_diags_take(struct sg_diags *d, struct sg_diag *diag);
void sg_diag_set_pos(struct sg_diag *d, const char *path, unsigned long line, unsigned long col);
void sg_diag_set_ref(struct sg_diag *d, const char *ref, const char *commit);
void sg_diag_set_hint(struct sg_diag *d, const char *fmt, ...) SG_PRINTF(2, 3);
void sg_diag_release(struct sg_diag *d);
size_t sg_diags_count(const struct sg_diags *d, enum sg_severity sev);

const char *sg_severity_name(enum sg_severity sev);
/* Parse "text", "json" or "github"; returns 0 or -1. */
int sg_format_parse(enum sg_format *out, const char *s);

/* One diagnostic in the given format, with its hint; color only for text on a terminal. */
void sg_diag_write(FILE *f, const struct sg_diag *d, enum sg_format fmt, int color);
/* "path:line:col" (or the parts that exist) into f, no newline. */
void sg_diag_write_location(FILE *f, const struct sg_diag *d);
/* Parse one JSON line of the protocol into *out (caller releases). Returns 0, or -1 when the
 * line is not a JSON object with at least "severity" and "message". */
int sg_diag_parse_json(struct sg_diag *out, const char *line, size_t len);
/* 1 when text output to f should be colored: a terminal and NO_COLOR unset. */
int sg_want_color(FILE *f);

#endif

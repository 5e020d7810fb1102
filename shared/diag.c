/*
 * Diagnostics and their three renderings. JSON lines are parsed back with the YAML tree
 * builder, since JSON is YAML's flow style: one parser for both, no extra dependency.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "yamldoc.h"
#include "banned.h"

void sg_diags_init(struct sg_diags *d, const char *check)
{
	memset(d, 0, sizeof(*d));
	d->check = check;
}

void sg_diag_release(struct sg_diag *d)
{
	free(d->check);
	free(d->rule);
	free(d->path);
	free(d->ref);
	free(d->commit);
	free(d->message);
	free(d->hint);
	memset(d, 0, sizeof(*d));
}

void sg_diags_release(struct sg_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		sg_diag_release(&d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = d->alloc = 0;
}

struct sg_diag *sg_diags_addv(struct sg_diags *d, enum sg_severity sev, const char *rule,
			      const char *fmt, va_list ap)
{
	struct sg_diag *diag;
	va_list cp;
	char *msg;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	msg = sg_malloc(n > 0 ? (size_t)n + 1 : 1);
	if (n > 0)
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	else
		msg[0] = '\0';
	SG_GROW(d->v, d->alloc, d->n + 1);
	diag = &d->v[d->n++];
	memset(diag, 0, sizeof(*diag));
	diag->severity = sev;
	diag->check = d->check ? sg_strdup(d->check) : NULL;
	diag->rule = rule ? sg_strdup(rule) : NULL;
	diag->message = msg;
	return diag;
}

struct sg_diag *sg_diags_add(struct sg_diags *d, enum sg_severity sev, const char *rule,
			     const char *fmt, ...)
{
	struct sg_diag *diag;
	va_list ap;

	va_start(ap, fmt);
	diag = sg_diags_addv(d, sev, rule, fmt, ap);
	va_end(ap);
	return diag;
}

void sg_diags_take(struct sg_diags *d, struct sg_diag *diag)
{
	SG_GROW(d->v, d->alloc, d->n + 1);
	d->v[d->n++] = *diag;
	memset(diag, 0, sizeof(*diag));
}

static void replace(char **field, const char *value)
{
	free(*field);
	*field = value ? sg_strdup(value) : NULL;
}

void sg_diag_set_pos(struct sg_diag *d, const char *path, unsigned long line, unsigned long col)
{
	replace(&d->path, path);
	d->line = line;
	d->col = col;
}

void sg_diag_set_ref(struct sg_diag *d, const char *ref, const char *commit)
{
	replace(&d->ref, ref);
	replace(&d->commit, commit);
}

void sg_diag_set_hint(struct sg_diag *d, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	s = sg_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	free(d->hint);
	d->hint = s;
}

size_t sg_diags_count(const struct sg_diags *d, enum sg_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->v[i].severity == sev;
	return n;
}

const char *sg_severity_name(enum sg_severity sev)
{
	switch (sev) {
	case SG_ERROR: return "error";
	case SG_WARNING: return "warning";
	default: return "note";
	}
}

int sg_format_parse(enum sg_format *out, const char *s)
{
	if (!strcmp(s, "text"))
		*out = SG_FORMAT_TEXT;
	else if (!strcmp(s, "json"))
		*out = SG_FORMAT_JSON;
	else if (!strcmp(s, "github"))
		*out = SG_FORMAT_GITHUB;
	else
		return -1;
	return 0;
}

int sg_want_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fileno(f)) && !(nc && *nc);
}

void sg_diag_write_location(FILE *f, const struct sg_diag *d)
{
	if (d->path) {
		fputs(d->path, f);
		if (d->line) {
			fprintf(f, ":%lu", d->line);
			if (d->col)
				fprintf(f, ":%lu", d->col);
		}
	} else if (d->ref) {
		fputs(d->ref, f);
	}
}

static void json_field(struct sg_buf *b, const char *key, const char *value)
{
	if (!value)
		return;
	sg_buf_addf(b, ",\"%s\":\"", key);
	sg_buf_add_json(b, value);
	sg_buf_addch(b, '"');
}

static void write_json(FILE *f, const struct sg_diag *d)
{
	struct sg_buf b = SG_BUF_INIT;

	sg_buf_addstr(&b, "{\"check\":\"");
	sg_buf_add_json(&b, d->check ? d->check : "");
	sg_buf_addch(&b, '"');
	json_field(&b, "rule", d->rule);
	json_field(&b, "severity", sg_severity_name(d->severity));
	json_field(&b, "path", d->path);
	if (d->line)
		sg_buf_addf(&b, ",\"line\":%lu", d->line);
	if (d->col)
		sg_buf_addf(&b, ",\"col\":%lu", d->col);
	json_field(&b, "ref", d->ref);
	json_field(&b, "commit", d->commit);
	json_field(&b, "message", d->message);
	json_field(&b, "hint", d->hint);
	sg_buf_addstr(&b, "}\n");
	fwrite(b.buf, 1, b.len, f);
	sg_buf_release(&b);
}

/* GitHub workflow commands escape %, CR and LF in data, and also : and , in properties. */
static void gh_escape(FILE *f, const char *s, int property)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", f);
		else if (*s == '\r')
			fputs("%0D", f);
		else if (*s == '\n')
			fputs("%0A", f);
		else if (property && *s == ':')
			fputs("%3A", f);
		else if (property && *s == ',')
			fputs("%2C", f);
		else
			fputc(*s, f);
	}
}

static void write_github(FILE *f, const struct sg_diag *d)
{
	fprintf(f, "::%s ", d->severity == SG_NOTE ? "notice" : sg_severity_name(d->severity));
	if (d->path) {
		fputs("file=", f);
		gh_escape(f, d->path, 1);
		if (d->line)
			fprintf(f, ",line=%lu", d->line);
		if (d->col)
			fprintf(f, ",col=%lu", d->col);
		fputc(',', f);
	}
	fputs("title=", f);
	gh_escape(f, d->check ? d->check : "stagegate", 1);
	if (d->rule) {
		fputc(' ', f);
		gh_escape(f, d->rule, 1);
	}
	fputs("::", f);
	gh_escape(f, d->message ? d->message : "", 0);
	if (d->hint) {
		fputs("%0Ahint: ", f);
		gh_escape(f, d->hint, 0);
	}
	fputc('\n', f);
}

static void write_text(FILE *f, const struct sg_diag *d, int color)
{
	static const char *const colors[] = { "\033[1;36m", "\033[1;35m", "\033[1;31m" };

	if (d->path || d->ref) {
		sg_diag_write_location(f, d);
		fputs(": ", f);
	}
	fprintf(f, "%s%s:%s %s", color ? colors[d->severity] : "", sg_severity_name(d->severity),
		color ? "\033[0m" : "", d->message ? d->message : "");
	if (d->rule)
		fprintf(f, " [%s]", d->rule);
	fputc('\n', f);
	if (d->hint)
		fprintf(f, "  hint: %s\n", d->hint);
}

void sg_diag_write(FILE *f, const struct sg_diag *d, enum sg_format fmt, int color)
{
	switch (fmt) {
	case SG_FORMAT_JSON: write_json(f, d); break;
	case SG_FORMAT_GITHUB: write_github(f, d); break;
	default: write_text(f, d, color); break;
	}
}

static char *field(const struct sg_yaml_node *obj, const char *key)
{
	const struct sg_yaml_node *v = sg_yaml_get(obj, key);

	if (!v || v->kind != SG_YAML_SCALAR || sg_yaml_is_null(v))
		return NULL;
	return sg_strdup(v->value);
}

int sg_diag_parse_json(struct sg_diag *out, const char *line, size_t len)
{
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;
	const struct sg_yaml_node *root;
	char *sev = NULL, *num;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!len || line[0] != '{')
		return -1;
	if (sg_yaml_parse(&doc, line, len, 64, &err) < 0)
		return -1;
	root = sg_yaml_root(doc);
	if (!root || root->kind != SG_YAML_MAP)
		goto cleanup;
	sev = field(root, "severity");
	out->message = field(root, "message");
	if (!sev || !out->message)
		goto cleanup;
	if (!strcmp(sev, "error"))
		out->severity = SG_ERROR;
	else if (!strcmp(sev, "warning"))
		out->severity = SG_WARNING;
	else if (!strcmp(sev, "note"))
		out->severity = SG_NOTE;
	else
		goto cleanup;
	out->check = field(root, "check");
	out->rule = field(root, "rule");
	out->path = field(root, "path");
	out->ref = field(root, "ref");
	out->commit = field(root, "commit");
	out->hint = field(root, "hint");
	if ((num = field(root, "line"))) {
		out->line = strtoul(num, NULL, 10);
		free(num);
	}
	if ((num = field(root, "col"))) {
		out->col = strtoul(num, NULL, 10);
		free(num);
	}
	ret = 0;

cleanup:
	if (ret < 0)
		sg_diag_release(out);
	free(sev);
	sg_yaml_free(doc);
	return ret;
}

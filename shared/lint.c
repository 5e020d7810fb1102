/*
 * helm-lint's rules over one file in memory. The file is checked byte by byte first (libyaml
 * reports bad encodings at offset 0 with a poor message), parsed once into a tree, and every
 * tree rule runs in one walk. Suppression comments are honoured when a diagnostic is added.
 */
#define _GNU_SOURCE		/* memmem */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lint.h"
#include "schema.h"
#include "semver.h"
#include "suggest.h"
#include "yamldoc.h"
#include "banned.h"

/* Rule ids, indexed by enum sg_lint_rule; NULL-terminated for did-you-mean. */
static const char *const rule_ids[SG_LINT__COUNT + 1] = {
	[SG_LINT_SYNTAX] = "syntax",
	[SG_LINT_DUPLICATE_KEY] = "duplicate-key",
	[SG_LINT_TAB_INDENT] = "tab-indent",
	[SG_LINT_TRUTHY] = "truthy",
	[SG_LINT_UNDEFINED_ALIAS] = "undefined-alias",
	[SG_LINT_ALIAS_BOMB] = "alias-bomb",
	[SG_LINT_CHART_API_VERSION] = "chart-api-version",
	[SG_LINT_CHART_NAME] = "chart-name",
	[SG_LINT_CHART_FOLDER] = "chart-folder",
	[SG_LINT_CHART_VERSION] = "chart-version",
	[SG_LINT_CHART_APP_VERSION] = "chart-app-version",
	[SG_LINT_CHART_TYPE] = "chart-type",
	[SG_LINT_CHART_DEPENDENCIES] = "chart-dependencies",
	[SG_LINT_CHART_UNKNOWN_KEY] = "chart-unknown-key",
	[SG_LINT_SCHEMA] = "schema",
	[SG_LINT__COUNT] = NULL
};

/* What a rule is when the config does not say: the guesses are warnings. */
static int default_severity(enum sg_lint_rule rule)
{
	switch (rule) {
	case SG_LINT_TRUTHY:
	case SG_LINT_CHART_FOLDER:
	case SG_LINT_CHART_UNKNOWN_KEY:
		return SG_WARNING;
	default:
		return SG_ERROR;
	}
}

void sg_lint_opts_init(struct sg_lint_opts *o)
{
	size_t i;

	for (i = 0; i < SG_LINT__COUNT; i++)
		o->severity[i] = default_severity((enum sg_lint_rule)i);
	o->max_depth = 10000;
	o->max_expansion = 1000000;
}

int sg_lint_rule_parse(const char *id)
{
	size_t i;

	for (i = 0; i < SG_LINT__COUNT; i++)
		if (!strcmp(rule_ids[i], id))
			return (int)i;
	return -1;
}

const char *const *sg_lint_rule_names(void)
{
	return rule_ids;
}

/* ---- bytes ---- */

/* A UTF-8 continuation byte: not a character of its own. */
static int utf8_cont(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

/* Characters (as libyaml counts them: UTF-8 lead bytes) in data[from, to). */
static unsigned long utf8_chars(const char *data, size_t from, size_t to)
{
	unsigned long n = 0;

	for (; from < to; from++)
		n += !utf8_cont(data[from]);
	return n;
}

/* Bytes of a UTF-8 byte order mark at the start of data: not a character of line 1 for
 * libyaml. */
static size_t bom_len(const char *data, size_t len)
{
	return len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

static void offset_pos(const char *data, size_t len, size_t off, unsigned long *line,
		       unsigned long *col)
{
	size_t i, bol = bom_len(data, len);
	unsigned long l = 1;

	for (i = 0; i < off; i++)
		if (data[i] == '\n') {
			l++;
			bol = i + 1;
		}
	*line = l;
	*col = utf8_chars(data, bol, off) + 1;
}

/* Length of the valid UTF-8 sequence at p (1-4), its code point in *cp, or 0 if invalid. */
static size_t utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp)
{
	uint32_t c = p[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

static inline int plain_ascii(unsigned char c)
{
	return (unsigned char)(c - 0x20) < 0x5F || c == '\n' || c == '\t' || c == '\r';
}

/*
 * Check that data is text libyaml and helm can read: UTF-8 without NUL bytes or control
 * characters (a UTF-8 BOM is fine). Returns 0, or -1 with a message in msg and the 1-based
 * position of the first bad byte.
 */
static int check_bytes(const char *data, size_t len, char *msg, size_t msgsize,
		       unsigned long *line, unsigned long *col)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;

	if (len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
		snprintf(msg, msgsize, "file is UTF-16 encoded; helm values and charts must be "
			 "UTF-8");
		*line = *col = 1;
		return -1;
	}
	while (i < len) {
		uint32_t cp;
		size_t n;

		/* The common case, printable ASCII, LF, TAB, CR, in a tight loop: this pass must
		 * cost little next to libyaml's. */
		while (i < len && plain_ascii(p[i]))
			i++;
		if (i == len)
			break;
		n = utf8_decode(p + i, len - i, &cp);
		if (!n) {
			if (p[i] >= 0xA0)
				snprintf(msg, msgsize, "invalid UTF-8: byte 0x%02X (Latin-1 '%c%c'?); "
					 "save the file as UTF-8", p[i],
					 0xC0 | (p[i] >> 6), 0x80 | (p[i] & 0x3F));
			else
				snprintf(msg, msgsize, "invalid UTF-8: byte 0x%02X; save the file "
					 "as UTF-8", p[i]);
			goto bad;
		}
		if (cp == 0) {
			snprintf(msg, msgsize, "NUL byte: this is a binary file, not YAML");
			goto bad;
		}
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0 && cp != 0x85) ||
		    cp == 0xFFFE || cp == 0xFFFF) {
			snprintf(msg, msgsize, "control character U+%04X is not allowed in YAML",
				 (unsigned)cp);
			goto bad;
		}
		i += n;
	}
	return 0;
bad:
	offset_pos(data, len, i, line, col);
	return -1;
}

/* ---- one file ---- */

/* A `# stagegate: disable=a,b` (or disable-file=) comment. */
struct marker {
	unsigned long line, col;	/* of its '#' */
	uint32_t rules;			/* bit (1 << enum sg_lint_rule) per rule named */
	int file;			/* disable-file= */
	int dropped;			/* inside a quoted or block scalar: text, not a comment */
};

/* Every rule has a bit in a marker's mask. */
typedef char rules_fit_in_a_mask[SG_LINT__COUNT <= 32 ? 1 : -1];

struct anchor_size {
	const struct sg_yaml_node *node;
	unsigned long long size;	/* IN_PROGRESS while the node is being walked */
};

#define IN_PROGRESS (~0ULL)
#define SIZE_CAP (1ULL << 62)

struct lint {
	struct sg_diags *diags;
	const struct sg_lint_opts *opts;
	const char *path;
	const char *data;
	size_t len;
	struct marker *marks;		/* in file order */
	size_t nmarks, marks_alloc;
	uint32_t file_off;		/* rules off for the whole file */
	size_t *lines;			/* byte offset of each line start (lazy) */
	size_t nlines;
	/* anchored nodes' expanded sizes: open addressing by pointer */
	struct anchor_size *anchors;
	size_t anchors_cap, nanchors;
	unsigned long long doc_size;
	int bomb_reported;
	/* duplicate-key scratch: hash slots holding key indexes + 1 */
	size_t *slots;
	size_t slots_cap;
};

static void build_lines(struct lint *l)
{
	size_t i, alloc = 0;

	if (l->lines)
		return;
	SG_GROW(l->lines, alloc, 1);
	l->lines[l->nlines++] = 0;
	for (i = 0; i < l->len; i++)
		if (l->data[i] == '\n') {
			SG_GROW(l->lines, alloc, l->nlines + 1);
			l->lines[l->nlines++] = i + 1;
		}
}

/* Start and end (without the line break) of 1-based line; 0 if there is no such line. */
static int line_span(struct lint *l, unsigned long line, size_t *bol, size_t *eol)
{
	size_t e;

	build_lines(l);
	if (line < 1 || line > l->nlines)
		return 0;
	*bol = l->lines[line - 1];
	e = line < l->nlines ? l->lines[line] - 1 : l->len;
	if (e > *bol && l->data[e - 1] == '\r')
		e--;
	if (line == 1)
		*bol = bom_len(l->data, e);
	*eol = e;
	return 1;
}

/* Byte offset of 1-based (line, col in characters). */
static size_t pos_offset(struct lint *l, unsigned long line, unsigned long col)
{
	size_t bol, eol, i;
	unsigned long c = 1;

	if (!line_span(l, line, &bol, &eol))
		return l->len;
	for (i = bol; i < eol && c < col; i++)
		c += !utf8_cont(l->data[i]);
	while (i < eol && utf8_cont(l->data[i]))
		i++;
	return i;
}

/* Whether a marker on line or the line above turns rule off there: a binary search, since a
 * file may hold a marker on every line and report on every line too. */
static int suppressed(const struct lint *l, enum sg_lint_rule rule, unsigned long line)
{
	uint32_t bit = (uint32_t)1 << rule;
	size_t lo = 0, hi = l->nmarks, i;

	if (l->file_off & bit)
		return 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->marks[mid].line + 1 < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < l->nmarks && l->marks[i].line <= line; i++)
		if ((l->marks[i].rules & bit) && !l->marks[i].file && !l->marks[i].dropped)
			return 1;
	return 0;
}

static struct sg_diag *report(struct lint *l, enum sg_lint_rule rule, unsigned long line,
			      unsigned long col, const char *fmt, ...) SG_PRINTF(5, 6);

static struct sg_diag *report(struct lint *l, enum sg_lint_rule rule, unsigned long line,
			      unsigned long col, const char *fmt, ...)
{
	int sev = l->opts->severity[rule];
	struct sg_diag *d;
	va_list ap;

	if (sev == SG_LINT_OFF || suppressed(l, rule, line))
		return NULL;
	va_start(ap, fmt);
	d = sg_diags_addv(l->diags, (enum sg_severity)sev, rule_ids[rule], fmt, ap);
	va_end(ap);
	sg_diag_set_pos(d, l->path, line, col);
	return d;
}

/* The rules a "disable=" list names from p on ("all" for every rule); 0 when none. */
static uint32_t marker_rules(const char **pp, const char *end)
{
	const char *p = *pp;
	uint32_t rules = 0;

	for (;;) {
		const char *start = p;
		char id[64];
		int rule;

		while (p < end && (*p == '-' || (*p >= 'a' && *p <= 'z')))
			p++;
		if (p == start || (size_t)(p - start) >= sizeof(id))
			break;
		memcpy(id, start, (size_t)(p - start));
		id[p - start] = '\0';
		if (!strcmp(id, "all"))
			rules = ~(uint32_t)0;
		else if ((rule = sg_lint_rule_parse(id)) >= 0)
			rules |= (uint32_t)1 << rule;
		if (p >= end || *p != ',')
			break;
		p++;
	}
	*pp = p;
	return rules;
}

/*
 * Find "# stagegate: disable=a,b" and "disable-file=" comments in one pass over the text,
 * counting lines as it goes. Whether a '#' really starts a comment (and not text in a quoted
 * string) is only known once the file is parsed: see drop_in_scalars.
 */
static void scan_suppressions(struct lint *l)
{
	static const char marker[] = "stagegate:";
	const char *p = l->data, *end = l->data + l->len;
	const char *counted = l->data, *bol = l->data + bom_len(l->data, l->len);
	unsigned long line = 1;

	while (p < end && (p = memmem(p, (size_t)(end - p), marker, sizeof(marker) - 1))) {
		const char *q = p, *nl;
		struct marker m;

		while ((nl = memchr(counted, '\n', (size_t)(p - counted)))) {
			line++;
			counted = bol = nl + 1;
		}
		counted = p;
		p += sizeof(marker) - 1;
		/* Only in a comment: a '#' earlier on the line, at its start or after a blank. */
		while (q > bol && q[-1] != '#')
			q--;
		if (q == bol || (q - 1 > bol && q[-2] != ' ' && q[-2] != '\t'))
			continue;
		memset(&m, 0, sizeof(m));
		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) >= 13 && !memcmp(p, "disable-file=", 13)) {
			m.file = 1;
			p += 13;
		} else if ((size_t)(end - p) >= 8 && !memcmp(p, "disable=", 8)) {
			p += 8;
		} else {
			continue;
		}
		m.rules = marker_rules(&p, end);
		if (!m.rules)
			continue;
		m.line = line;
		m.col = utf8_chars(l->data, (size_t)(bol - l->data), (size_t)(q - 1 - l->data)) + 1;
		SG_GROW(l->marks, l->marks_alloc, l->nmarks + 1);
		l->marks[l->nmarks++] = m;
	}
}

static int pos_before(unsigned long line, unsigned long col, struct sg_yaml_pos p)
{
	return line < p.line || (line == p.line && col < p.col);
}

/* Drop the markers that lie inside a scalar: `b: 'see # stagegate: disable-file=all'` is a
 * string, not a comment. Markers and scalars both come in file order: one merge pass. */
static void drop_in_scalars(struct lint *l, const struct sg_yaml_node *n, size_t *next)
{
	size_t i, count;

	if (*next >= l->nmarks || n->kind == SG_YAML_ALIAS)
		return;
	if (n->kind == SG_YAML_SCALAR) {
		/* A block scalar's header line may end in a real comment: `k: |  # ...`. */
		int header = n->style == SG_YAML_LITERAL || n->style == SG_YAML_FOLDED;

		while (*next < l->nmarks &&
		       (pos_before(l->marks[*next].line, l->marks[*next].col, n->start) ||
			(header && l->marks[*next].line == n->start.line)))
			(*next)++;
		while (*next < l->nmarks &&
		       pos_before(l->marks[*next].line, l->marks[*next].col, n->end))
			l->marks[(*next)++].dropped = 1;
		return;
	}
	count = n->kind == SG_YAML_MAP ? 2 * n->n : n->n;
	for (i = 0; i < count; i++)
		drop_in_scalars(l, n->items[i], next);
}

static void apply_file_markers(struct lint *l)
{
	size_t i;

	for (i = 0; i < l->nmarks; i++)
		if (l->marks[i].file && !l->marks[i].dropped)
			l->file_off |= l->marks[i].rules;
}

/* An excerpt of the line with a caret under col, as a hint aligned for text output. */
static void set_excerpt(struct lint *l, struct sg_diag *d, unsigned long line, unsigned long col,
			const char *lead)
{
	struct sg_buf b = SG_BUF_INIT;
	size_t bol, eol, from, to, i, caret_off;
	char num[32];
	int nlen;

	if (!d || !line_span(l, line, &bol, &eol))
		return;
	caret_off = pos_offset(l, line, col);
	if (caret_off > eol)
		caret_off = eol;
	/* Long lines (minified JSON) are cut around the caret. */
	from = bol;
	to = eol;
	if (caret_off - bol > 60) {
		from = caret_off - 40;
		while (from < caret_off && utf8_cont(l->data[from]))
			from++;
	}
	if (to - from > 100) {
		to = from + 100 > caret_off + 20 ? from + 100 : caret_off + 20;
		if (to > eol)
			to = eol;
		while (to < eol && utf8_cont(l->data[to]))
			to++;
	}
	nlen = snprintf(num, sizeof(num), "%lu", line);
	if (lead)
		sg_buf_addf(&b, "%s\n        ", lead);
	sg_buf_addf(&b, "%s | %s", num, from > bol ? "..." : "");
	sg_buf_add(&b, l->data + from, to - from);
	if (to < eol)
		sg_buf_addstr(&b, "...");
	/* "  hint: " is 8 columns wide in text output; the caret line lines up under it. */
	sg_buf_addf(&b, "\n        %*s | %s", nlen, "", from > bol ? "   " : "");
	for (i = from; i < caret_off; i++)
		if (!utf8_cont(l->data[i]))
			sg_buf_addch(&b, l->data[i] == '\t' ? '\t' : ' ');
	sg_buf_addch(&b, '^');
	sg_diag_set_hint(d, "%s", sg_buf_str(&b));
	sg_buf_release(&b);
}

/* Whether the flow collection opened at off ('[' or '{') is closed somewhere after it. */
static int flow_closed(struct lint *l, size_t off)
{
	size_t i;
	int depth = 0;

	for (i = off; i < l->len; i++) {
		char c = l->data[i];

		if (c == '[' || c == '{') {
			depth++;
		} else if (c == ']' || c == '}') {
			if (--depth == 0)
				return 1;
		} else if (c == '"') {
			for (i++; i < l->len && l->data[i] != '"'; i++)
				if (l->data[i] == '\\')
					i++;
		} else if (c == '\'') {
			for (i++; i < l->len; i++)
				if (l->data[i] == '\'') {
					if (i + 1 < l->len && l->data[i + 1] == '\'')
						i++;
					else
						break;
				}
		} else if (c == '#' && i > off && (l->data[i - 1] == ' ' ||
						   l->data[i - 1] == '\t')) {
			while (i < l->len && l->data[i] != '\n')
				i++;
		}
	}
	return 0;
}

/* The column of the first tab in the leading whitespace of a line, or 0; *rest (if given)
 * is what follows the whitespace: '#' for a comment, '\0' for a blank line. */
static unsigned long leading_tab_col(struct lint *l, unsigned long line, char *rest)
{
	size_t bol, eol, i;
	unsigned long tab = 0;

	if (rest)
		*rest = '\0';
	if (!line_span(l, line, &bol, &eol))
		return 0;
	for (i = bol; i < eol && (l->data[i] == ' ' || l->data[i] == '\t'); i++)
		if (l->data[i] == '\t' && !tab)
			tab = (unsigned long)(i - bol) + 1;
	if (rest && i < eol)
		*rest = l->data[i];
	return tab;
}

static void report_syntax(struct lint *l, const struct sg_yaml_error *e)
{
	struct sg_diag *d;
	unsigned long tab;
	int has_ctx = e->context[0] != '\0';

	/* libyaml says "found character that cannot start any token" for a tab where an
	 * indentation is expected: name the real mistake. */
	tab = leading_tab_col(l, e->problem_pos.line, NULL);
	if (tab) {
		d = report(l, SG_LINT_TAB_INDENT, e->problem_pos.line, tab,
			   "tab used for indentation (YAML allows only spaces there; libyaml: %s)",
			   e->problem);
		set_excerpt(l, d, e->problem_pos.line, tab, NULL);
		return;
	}
	if (has_ctx && strstr(e->context, "quoted scalar") &&
	    (strstr(e->problem, "end of stream") || strstr(e->problem, "document indicator"))) {
		d = report(l, SG_LINT_SYNTAX, e->context_pos.line, e->context_pos.col,
			   "quoted string is never closed (libyaml: %s at %lu:%lu, %s)",
			   e->problem, e->problem_pos.line, e->problem_pos.col, e->context);
		set_excerpt(l, d, e->context_pos.line, e->context_pos.col,
			    "the quote opens here:");
		return;
	}
	if (has_ctx && strstr(e->context, "while parsing a flow") &&
	    !flow_closed(l, pos_offset(l, e->context_pos.line, e->context_pos.col))) {
		char open = l->data[pos_offset(l, e->context_pos.line, e->context_pos.col)];

		d = report(l, SG_LINT_SYNTAX, e->context_pos.line, e->context_pos.col,
			   "'%c' is never closed (libyaml: %s at %lu:%lu, %s)",
			   open == '{' ? '{' : '[', e->problem, e->problem_pos.line,
			   e->problem_pos.col, e->context);
		set_excerpt(l, d, e->context_pos.line, e->context_pos.col,
			    "the bracket opens here:");
		return;
	}
	if (has_ctx && (e->context_pos.line != e->problem_pos.line ||
			e->context_pos.col != e->problem_pos.col))
		d = report(l, SG_LINT_SYNTAX, e->problem_pos.line, e->problem_pos.col,
			   "%s (%s at %lu:%lu)", e->problem, e->context, e->context_pos.line,
			   e->context_pos.col);
	else if (has_ctx)
		d = report(l, SG_LINT_SYNTAX, e->problem_pos.line, e->problem_pos.col, "%s %s",
			   e->problem, e->context);
	else
		d = report(l, SG_LINT_SYNTAX, e->problem_pos.line, e->problem_pos.col, "%s",
			   e->problem);
	set_excerpt(l, d, e->problem_pos.line, e->problem_pos.col, NULL);
}

/* ---- the tree walk: duplicate keys, truthy, aliases ---- */

static size_t ptr_hash(const void *p)
{
	uintptr_t x = (uintptr_t)p;

	x ^= x >> 17;
	x *= (uintptr_t)0x9E3779B97F4A7C15ULL;
	return (size_t)(x ^ (x >> 29));
}

static struct anchor_size *anchor_slot(struct lint *l, const struct sg_yaml_node *n, int add)
{
	size_t i;

	if (add && (l->nanchors + 1) * 2 > l->anchors_cap) {
		struct anchor_size *old = l->anchors;
		size_t oldcap = l->anchors_cap, j;

		l->anchors_cap = oldcap ? oldcap * 2 : 64;
		l->anchors = sg_calloc(l->anchors_cap, sizeof(*l->anchors));
		for (j = 0; j < oldcap; j++)
			if (old[j].node) {
				i = ptr_hash(old[j].node) & (l->anchors_cap - 1);
				while (l->anchors[i].node)
					i = (i + 1) & (l->anchors_cap - 1);
				l->anchors[i] = old[j];
			}
		free(old);
	}
	if (!l->anchors_cap)
		return NULL;
	i = ptr_hash(n) & (l->anchors_cap - 1);
	while (l->anchors[i].node) {
		if (l->anchors[i].node == n)
			return &l->anchors[i];
		i = (i + 1) & (l->anchors_cap - 1);
	}
	if (!add)
		return NULL;
	l->anchors[i].node = n;
	l->nanchors++;
	return &l->anchors[i];
}

static void check_truthy(struct lint *l, const struct sg_yaml_node *n, int is_key)
{
	int b;

	/* A YAML 1.1 boolean not spelt true/false is the surprise: yes, on, n... (all of them
	 * are three letters or fewer; true and false are longer). */
	if (n->tag || n->len > 3 || (b = sg_yaml_bool(n)) < 0)
		return;
	if (is_key)
		report(l, SG_LINT_TRUTHY, n->start.line, n->start.col,
		       "key `%s` is read by helm as the boolean %s, so the key becomes \"%s\"; "
		       "quote it", n->value, b ? "true" : "false", b ? "true" : "false");
	else
		report(l, SG_LINT_TRUTHY, n->start.line, n->start.col,
		       "`%s` is read by helm as the boolean %s; write %s, or quote it if you "
		       "mean the string", n->value, b ? "true" : "false", b ? "true" : "false");
}

static size_t str_hash(const char *s, size_t len)
{
	size_t h = 14695981039346656037ULL & (size_t)-1, i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

static int same_key(const struct sg_yaml_node *a, const struct sg_yaml_node *b)
{
	return a->len == b->len && !memcmp(a->value, b->value, a->len);
}

static int plain_key(const struct sg_yaml_node *k)
{
	if (k->kind != SG_YAML_SCALAR)
		return 0;
	/* Merge keys may repeat in practice and mean something else. */
	return !(k->style == SG_YAML_PLAIN && k->len == 2 && !memcmp(k->value, "<<", 2));
}

static void dup_report(struct lint *l, const struct sg_yaml_node *first,
		       const struct sg_yaml_node *k)
{
	report(l, SG_LINT_DUPLICATE_KEY, k->start.line, k->start.col,
	       "duplicate key `%s` (first defined at %lu:%lu); helm silently keeps this one",
	       k->value, first->start.line, first->start.col);
}

static void check_duplicates(struct lint *l, const struct sg_yaml_node *map)
{
	size_t n = map->n, i, j, cap;

	if (n < 2)
		return;
	if (n <= 16) {
		for (i = 1; i < n; i++) {
			const struct sg_yaml_node *k = map->items[2 * i];

			if (!plain_key(k))
				continue;
			for (j = 0; j < i; j++) {
				const struct sg_yaml_node *f = map->items[2 * j];

				if (plain_key(f) && same_key(f, k)) {
					dup_report(l, f, k);
					break;
				}
			}
		}
		return;
	}
	for (cap = 64; cap < n * 2; cap *= 2)
		;
	if (cap > l->slots_cap) {
		free(l->slots);
		l->slots = sg_malloc(cap * sizeof(*l->slots));
		l->slots_cap = cap;
	}
	memset(l->slots, 0, cap * sizeof(*l->slots));
	for (i = 0; i < n; i++) {
		const struct sg_yaml_node *k = map->items[2 * i];
		size_t h;

		if (!plain_key(k))
			continue;
		h = str_hash(k->value, k->len) & (cap - 1);
		while (l->slots[h]) {
			const struct sg_yaml_node *f = map->items[2 * (l->slots[h] - 1)];

			if (same_key(f, k)) {
				dup_report(l, f, k);
				break;
			}
			h = (h + 1) & (cap - 1);
		}
		if (!l->slots[h])
			l->slots[h] = i + 1;
	}
}

static unsigned long long sat_add(unsigned long long a, unsigned long long b)
{
	return a + b > SIZE_CAP || a + b < a ? SIZE_CAP : a + b;
}

static void bomb(struct lint *l, const struct sg_yaml_node *n, const char *why)
{
	if (l->bomb_reported)
		return;
	l->bomb_reported = 1;
	report(l, SG_LINT_ALIAS_BOMB, n->start.line, n->start.col,
	       "alias *%s %s; refused without expanding it (billion laughs)", n->value, why);
}

/* Walks n and returns how many nodes it stands for once aliases are expanded. */
static unsigned long long walk(struct lint *l, const struct sg_yaml_node *n, int is_key)
{
	struct anchor_size *slot = NULL;
	unsigned long long size = 1;
	size_t i;

	if (n->anchor) {
		slot = anchor_slot(l, n, 1);
		slot->size = IN_PROGRESS;
	}
	switch (n->kind) {
	case SG_YAML_ALIAS:
		if (!n->target) {
			report(l, SG_LINT_UNDEFINED_ALIAS, n->start.line, n->start.col,
			       "alias *%s refers to no anchor &%s defined before it in this "
			       "document", n->value, n->value);
			return 1;
		} else {
			struct anchor_size *t = anchor_slot(l, n->target, 0);

			if (t && t->size == IN_PROGRESS) {
				bomb(l, n, "refers to a node that contains it: its expansion "
				     "never ends");
				return SIZE_CAP;
			}
			size = t ? t->size : 1;
			if (size > l->opts->max_expansion)
				bomb(l, n, "would expand to more nodes than lint.max_expansion");
		}
		break;
	case SG_YAML_MAP:
		check_duplicates(l, n);
		for (i = 0; i < 2 * n->n; i++)
			size = sat_add(size, walk(l, n->items[i], !(i & 1)));
		break;
	case SG_YAML_SEQ:
		for (i = 0; i < n->n; i++)
			size = sat_add(size, walk(l, n->items[i], 0));
		break;
	case SG_YAML_SCALAR:
		check_truthy(l, n, is_key);
		break;
	}
	if (slot) {
		/* The table may have grown while walking the children. */
		slot = anchor_slot(l, n, 0);
		slot->size = size;
	}
	if (n->kind == SG_YAML_ALIAS) {
		l->doc_size = sat_add(l->doc_size, size);
		if (l->doc_size > l->opts->max_expansion)
			bomb(l, n, "makes the document expand to more nodes than "
			     "lint.max_expansion");
	}
	return size;
}

/* ---- tabs in a file that parsed ---- */

/* Lines inside multi-line scalars and flow collections, where a tab is content or harmless. */
static void mark_spans(unsigned char *covered, size_t nlines, const struct sg_yaml_node *n)
{
	size_t i, count;
	unsigned long a, b;

	if (n->kind == SG_YAML_ALIAS)
		return;
	if (n->kind == SG_YAML_SCALAR || n->style == SG_YAML_FLOW) {
		/* The first line holds the key or the opening bracket: still indentation. */
		a = n->start.line + 1;
		b = n->end.col > 1 ? n->end.line : n->end.line - 1;
		for (; a <= b && a <= nlines; a++)
			covered[a - 1] = 1;
		return;
	}
	count = n->kind == SG_YAML_MAP ? 2 * n->n : n->n;
	for (i = 0; i < count; i++)
		mark_spans(covered, nlines, n->items[i]);
}

static void check_tabs(struct lint *l, const struct sg_yaml_doc *doc)
{
	unsigned char *covered;
	size_t i, line;

	if (!memchr(l->data, '\t', l->len))
		return;
	build_lines(l);
	covered = sg_calloc(l->nlines + 1, 1);
	for (i = 0; i < doc->ndocs; i++)
		mark_spans(covered, l->nlines, doc->roots[i]);
	for (line = 1; line <= l->nlines; line++) {
		unsigned long tab;
		char rest;

		if (covered[line - 1])
			continue;
		tab = leading_tab_col(l, line, &rest);
		/* Blank lines and comments may hold any whitespace. */
		if (tab && rest && rest != '#') {
			struct sg_diag *d = report(l, SG_LINT_TAB_INDENT, line, tab,
						   "tab used for indentation; use spaces");

			set_excerpt(l, d, line, tab, NULL);
		}
	}
	free(covered);
}

/* ---- Chart.yaml and requirements.yaml ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The name of the folder holding path, into buf; 0 when the path names none. */
static int folder_name(const char *path, char *buf, size_t size)
{
	const char *end = strrchr(path, '/'), *start;

	if (!end)
		return 0;
	for (start = end; start > path && start[-1] != '/'; start--)
		;
	if ((size_t)(end - start) >= size || end == start ||
	    (end - start == 1 && *start == '.') || (end - start == 2 && !memcmp(start, "..", 2)))
		return 0;
	memcpy(buf, start, (size_t)(end - start));
	buf[end - start] = '\0';
	return 1;
}

/* A string as helm's Go structs want it: a scalar that YAML reads as a string. v comes from
 * sg_yaml_get, so aliases are already followed. */
static int want_string(struct lint *l, enum sg_lint_rule rule, const struct sg_yaml_node *v,
		       const char *what)
{
	const struct sg_yaml_node *d = v;

	if (d->kind != SG_YAML_SCALAR) {
		report(l, rule, v->start.line, v->start.col, "%s must be a string, not a %s",
		       what, sg_yaml_kind_name(d));
		return 0;
	}
	if (sg_yaml_is_null(d)) {
		report(l, rule, v->start.line, v->start.col, "%s is empty", what);
		return 0;
	}
	if (sg_yaml_is_nonstring(d)) {
		report(l, rule, v->start.line, v->start.col,
		       "%s `%s` is read as a %s, not a string; quote it: \"%s\"", what, d->value,
		       sg_yaml_bool(d) >= 0 ? "boolean" : "number", d->value);
		return 0;
	}
	return 1;
}

static void check_dependency(struct lint *l, const struct sg_yaml_node *dep, size_t idx,
			     const char *file)
{
	const struct sg_yaml_node *k, *v;
	const char *name;

	dep = sg_yaml_deref(dep);
	if (!dep)
		return;
	if (dep->kind != SG_YAML_MAP) {
		report(l, SG_LINT_CHART_DEPENDENCIES, dep->start.line, dep->start.col,
		       "dependency %zu in %s must be a mapping with name, version and "
		       "repository", idx + 1, file);
		return;
	}
	k = sg_yaml_get_key(dep, "name");
	v = sg_yaml_get(dep, "name");
	name = v ? sg_yaml_str(v) : NULL;
	if (!k || !v)
		report(l, SG_LINT_CHART_DEPENDENCIES, dep->start.line, dep->start.col,
		       "dependency %zu has no name", idx + 1);
	else if (!want_string(l, SG_LINT_CHART_DEPENDENCIES, v, "dependency name"))
		name = NULL;
	if (!name)
		name = "(unnamed)";
	v = sg_yaml_get(dep, "version");
	if (!v) {
		report(l, SG_LINT_CHART_DEPENDENCIES, dep->start.line, dep->start.col,
		       "dependency `%s` has no version", name);
	} else if (want_string(l, SG_LINT_CHART_DEPENDENCIES, v, "dependency version")) {
		struct sg_semver sv;
		const char *s = sg_yaml_str(v);

		if (sg_semver_parse(&sv, s) < 0 && !sg_semver_constraint_valid(s))
			report(l, SG_LINT_CHART_DEPENDENCIES, v->start.line, v->start.col,
			       "dependency `%s`: version `%s` is neither a version nor a "
			       "version range helm accepts", name, s);
	}
	v = sg_yaml_get(dep, "repository");
	if (!v)
		report(l, SG_LINT_CHART_DEPENDENCIES, dep->start.line, dep->start.col,
		       "dependency `%s` has no repository", name);
	else
		want_string(l, SG_LINT_CHART_DEPENDENCIES, v, "dependency repository");
}

static void check_dependencies(struct lint *l, const struct sg_yaml_node *list,
			       const char *file)
{
	const struct sg_yaml_node *d = sg_yaml_deref(list);
	size_t i;

	if (!d || sg_yaml_is_null(d))
		return;
	if (d->kind != SG_YAML_SEQ) {
		report(l, SG_LINT_CHART_DEPENDENCIES, list->start.line, list->start.col,
		       "dependencies must be a list, not a %s", sg_yaml_kind_name(d));
		return;
	}
	for (i = 0; i < d->n; i++)
		check_dependency(l, d->items[i], i, file);
}

static const char *const chart_keys[] = {
	"apiVersion", "name", "version", "kubeVersion", "description", "type", "keywords",
	"home", "sources", "dependencies", "maintainers", "icon", "appVersion", "deprecated",
	"annotations", "engine", "tillerVersion"
};

static void check_chart(struct lint *l, const struct sg_yaml_node *root)
{
	const struct sg_yaml_node *m = sg_yaml_deref(root), *v, *k;
	const char *api = NULL;
	char folder[256];
	size_t i;

	if (!m || m->kind != SG_YAML_MAP) {
		report(l, SG_LINT_CHART_API_VERSION, root ? root->start.line : 1,
		       root ? root->start.col : 1,
		       "Chart.yaml must be a mapping with apiVersion, name and version");
		return;
	}
	for (i = 0; i < m->n; i++) {
		const struct sg_yaml_node *key = m->items[2 * i];
		const char *hint;
		size_t j;
		int known = 0;

		if (key->kind != SG_YAML_SCALAR)
			continue;
		for (j = 0; j < sizeof(chart_keys) / sizeof(*chart_keys); j++)
			known |= !strcmp(key->value, chart_keys[j]);
		if (known)
			continue;
		hint = sg_suggest(key->value, chart_keys, sizeof(chart_keys) / sizeof(*chart_keys));
		if (hint)
			report(l, SG_LINT_CHART_UNKNOWN_KEY, key->start.line, key->start.col,
			       "unknown key `%s` in Chart.yaml (helm ignores it); did you mean "
			       "`%s`?", key->value, hint);
		else
			report(l, SG_LINT_CHART_UNKNOWN_KEY, key->start.line, key->start.col,
			       "unknown key `%s` in Chart.yaml (helm ignores it)", key->value);
	}

	v = sg_yaml_get(m, "apiVersion");
	if (!v) {
		report(l, SG_LINT_CHART_API_VERSION, m->start.line, m->start.col,
		       "apiVersion is missing: write `apiVersion: v2` (helm 3) or v1");
	} else if (want_string(l, SG_LINT_CHART_API_VERSION, v, "apiVersion")) {
		api = sg_yaml_str(v);
		if (strcmp(api, "v1") && strcmp(api, "v2")) {
			report(l, SG_LINT_CHART_API_VERSION, v->start.line, v->start.col,
			       "apiVersion `%s` is neither v1 nor v2", api);
			api = NULL;
		}
	}

	v = sg_yaml_get(m, "name");
	if (!v) {
		report(l, SG_LINT_CHART_NAME, m->start.line, m->start.col, "name is missing");
	} else if (want_string(l, SG_LINT_CHART_NAME, v, "name")) {
		const char *name = sg_yaml_str(v), *p;
		int ok = *name != '\0';

		for (p = name; *p; p++)
			ok &= (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-';
		if (!ok)
			report(l, SG_LINT_CHART_NAME, v->start.line, v->start.col,
			       "name `%s` must match ^[a-z0-9-]+$", name);
		else if (folder_name(l->path, folder, sizeof(folder)) && strcmp(folder, name))
			report(l, SG_LINT_CHART_FOLDER, v->start.line, v->start.col,
			       "name `%s` differs from its folder `%s`", name, folder);
	}

	v = sg_yaml_get(m, "version");
	if (!v) {
		report(l, SG_LINT_CHART_VERSION, m->start.line, m->start.col,
		       "version is missing");
	} else if (want_string(l, SG_LINT_CHART_VERSION, v, "version")) {
		struct sg_semver sv;

		if (sg_semver_parse(&sv, sg_yaml_str(v)) < 0)
			report(l, SG_LINT_CHART_VERSION, v->start.line, v->start.col,
			       "version `%s` is not a version helm accepts (SemVer such as "
			       "1.2.3 or 1.2.3-rc.1)", sg_yaml_str(v));
	}

	v = sg_yaml_get(m, "appVersion");
	if (v)
		want_string(l, SG_LINT_CHART_APP_VERSION, v, "appVersion");

	v = sg_yaml_get(m, "type");
	if (v && want_string(l, SG_LINT_CHART_TYPE, v, "type") &&
	    strcmp(sg_yaml_str(v), "application") && strcmp(sg_yaml_str(v), "library"))
		report(l, SG_LINT_CHART_TYPE, v->start.line, v->start.col,
		       "type `%s` is neither application nor library", sg_yaml_str(v));

	k = sg_yaml_get_key(m, "dependencies");
	v = sg_yaml_get(m, "dependencies");
	if (k && api && !strcmp(api, "v1"))
		report(l, SG_LINT_CHART_DEPENDENCIES, k->start.line, k->start.col,
		       "dependencies in an apiVersion v1 chart are ignored; list them in "
		       "requirements.yaml or use apiVersion v2");
	else if (v)
		check_dependencies(l, v, "Chart.yaml");
}

static void check_requirements(struct lint *l, const struct sg_yaml_node *root)
{
	const struct sg_yaml_node *m = sg_yaml_deref(root), *v;

	if (!m || sg_yaml_is_null(m))
		return;
	if (m->kind != SG_YAML_MAP) {
		report(l, SG_LINT_CHART_DEPENDENCIES, m->start.line, m->start.col,
		       "requirements.yaml must be a mapping with a dependencies list");
		return;
	}
	v = sg_yaml_get(m, "dependencies");
	if (v)
		check_dependencies(l, v, "requirements.yaml");
}

/* ---- schemas ---- */

static void on_schema(const struct sg_yaml_node *node, const char *msg, void *payload)
{
	struct lint *l = payload;

	report(l, SG_LINT_SCHEMA, node->start.line, node->start.col, "%s", msg);
}

static int apply_schemas(struct lint *l, const struct sg_yaml_node *root,
			 const struct sg_lint_schema_use *uses, size_t n)
{
	size_t i;

	if (l->opts->severity[SG_LINT_SCHEMA] == SG_LINT_OFF ||
	    (l->file_off & ((uint32_t)1 << SG_LINT_SCHEMA)))
		return 0;
	for (i = 0; i < n; i++) {
		const struct sg_yaml_node *at = root;
		const char *prefix = uses[i].at && *uses[i].at ? uses[i].at : "";

		if (*prefix)
			at = sg_yaml_path(root, prefix);
		/* An empty values file (or subchart key) means "all defaults": nothing to check. */
		if (!at || sg_yaml_is_null(at))
			continue;
		if (sg_schema_validate(uses[i].schema, at, prefix, uses[i].flags, on_schema, l) < 0)
			return -1;
	}
	return 0;
}

/* A file's diagnostics in line order (stable: rules that fire at one place keep theirs). */
static void sort_diags(struct sg_diags *diags, size_t first)
{
	size_t i, j;

	for (i = first + 1; i < diags->n; i++) {
		struct sg_diag d = diags->v[i];

		for (j = i; j > first && (diags->v[j - 1].line > d.line ||
					  (diags->v[j - 1].line == d.line &&
					   diags->v[j - 1].col > d.col)); j--)
			diags->v[j] = diags->v[j - 1];
		diags->v[j] = d;
	}
}

int sg_lint_buffer(struct sg_diags *diags, const struct sg_lint_opts *opts, const char *path,
		   const char *data, size_t len, const struct sg_lint_schema_use *schemas,
		   size_t nschemas)
{
	struct sg_lint_opts defaults;
	struct lint l;
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;
	char msg[160];
	unsigned long line, col;
	const char *base = base_name(path);
	size_t i, next, first = diags->n;
	int ret = 0;

	if (!opts) {
		sg_lint_opts_init(&defaults);
		opts = &defaults;
	}
	memset(&l, 0, sizeof(l));
	l.diags = diags;
	l.opts = opts;
	l.path = path;
	l.data = data;
	l.len = len;

	if (check_bytes(data, len, msg, sizeof(msg), &line, &col) < 0) {
		/* Suppression comments of a file that is not text are not to be trusted. */
		report(&l, SG_LINT_SYNTAX, line, col, "%s", msg);
		goto cleanup;
	}
	scan_suppressions(&l);
	memset(&err, 0, sizeof(err));
	if (sg_yaml_parse(&doc, data, len, opts->max_depth, &err) < 0) {
		/* Without a tree every marker counts. */
		apply_file_markers(&l);
		report_syntax(&l, &err);
		goto cleanup;
	}
	for (i = 0, next = 0; i < doc->ndocs; i++)
		drop_in_scalars(&l, doc->roots[i], &next);
	apply_file_markers(&l);
	for (i = 0; i < doc->ndocs; i++) {
		l.doc_size = 0;
		l.bomb_reported = 0;
		walk(&l, doc->roots[i], 0);
	}
	check_tabs(&l, doc);
	if (!strcmp(base, "Chart.yaml"))
		check_chart(&l, sg_yaml_root(doc));
	else if (!strcmp(base, "requirements.yaml"))
		check_requirements(&l, sg_yaml_root(doc));
	if (nschemas && sg_yaml_root(doc))
		ret = apply_schemas(&l, sg_yaml_root(doc), schemas, nschemas);

cleanup:
	sort_diags(diags, first);
	sg_yaml_free(doc);
	free(l.marks);
	free(l.lines);
	free(l.anchors);
	free(l.slots);
	return ret;
}

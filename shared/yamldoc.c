/*
 * The event-to-tree builder over libyaml. libyaml's 1-for-success convention and its 0-based
 * marks are converted here and nowhere else. Nodes and strings come from an arena so that a
 * large file costs a few big allocations, not one per scalar, and freeing is not recursive.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "msg.h"
#include "yamldoc.h"
#include "banned.h"

union align {
	long double ld;
	void *p;
	long long ll;
};

struct chunk {
	struct chunk *next;
	size_t used, size;
	/* data follows, aligned for pointers */
	union align data[];
};

struct sg_yaml_arena {
	struct chunk *head;
};

static void *arena_alloc(struct sg_yaml_arena *a, size_t n)
{
	struct chunk *c = a->head;
	void *p;

	n = (n + sizeof(union align) - 1) & ~(sizeof(union align) - 1);
	if (!c || c->size - c->used < n) {
		size_t size = n > 65536 ? n : 65536;

		c = sg_malloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static char *arena_strndup(struct sg_yaml_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

struct anchor {
	const char *name;
	struct sg_yaml_node *node;
};

/* A collection being built: its children wait on the shared scratch stack from `first` on. */
struct frame {
	struct sg_yaml_node *node;
	size_t first;
};

struct builder {
	struct sg_yaml_doc *doc;
	struct frame *frames;
	size_t nframes, frames_alloc;
	struct sg_yaml_node **scratch;
	size_t nscratch, scratch_alloc;
	struct anchor *anchors;
	size_t nanchors, anchors_alloc;
	struct sg_yaml_node **roots;
	size_t nroots, roots_alloc;
	unsigned long max_depth;
};

static struct sg_yaml_pos to_pos(yaml_mark_t m)
{
	struct sg_yaml_pos p;

	p.line = (unsigned long)m.line + 1;
	p.col = (unsigned long)m.column + 1;
	return p;
}

static void set_error(struct sg_yaml_error *err, const char *problem, yaml_mark_t pm,
		      const char *context, yaml_mark_t cm)
{
	if (!err)
		return;
	snprintf(err->problem, sizeof(err->problem), "%s", problem ? problem : "invalid YAML");
	err->problem_pos = to_pos(pm);
	snprintf(err->context, sizeof(err->context), "%s", context ? context : "");
	err->context_pos = context ? to_pos(cm) : err->problem_pos;
}

static struct sg_yaml_node *new_node(struct builder *b, enum sg_yaml_kind kind,
				     const yaml_event_t *ev, const yaml_char_t *anchor,
				     const yaml_char_t *tag)
{
	struct sg_yaml_node *n = arena_alloc(b->doc->arena, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->start = to_pos(ev->start_mark);
	n->end = to_pos(ev->end_mark);
	if (tag)
		n->tag = arena_strndup(b->doc->arena, (const char *)tag, strlen((const char *)tag));
	if (anchor) {
		n->anchor = arena_strndup(b->doc->arena, (const char *)anchor,
					  strlen((const char *)anchor));
		SG_GROW(b->anchors, b->anchors_alloc, b->nanchors + 1);
		b->anchors[b->nanchors].name = n->anchor;
		b->anchors[b->nanchors].node = n;
		b->nanchors++;
	}
	b->doc->nnodes++;
	return n;
}

/* Attach a finished node to the innermost open collection, or make it a document root. */
static void attach(struct builder *b, struct sg_yaml_node *n)
{
	if (!b->nframes) {
		SG_GROW(b->roots, b->roots_alloc, b->nroots + 1);
		b->roots[b->nroots++] = n;
		return;
	}
	SG_GROW(b->scratch, b->scratch_alloc, b->nscratch + 1);
	b->scratch[b->nscratch++] = n;
}

static struct sg_yaml_node *find_anchor(struct builder *b, const char *name)
{
	size_t i;

	/* The latest definition wins: YAML allows an anchor to be redefined. */
	for (i = b->nanchors; i > 0; i--)
		if (!strcmp(b->anchors[i - 1].name, name))
			return b->anchors[i - 1].node;
	return NULL;
}

static int open_collection(struct builder *b, struct sg_yaml_node *n, struct sg_yaml_error *err,
			   const yaml_event_t *ev)
{
	if (b->nframes >= b->max_depth) {
		char msg[128];

		snprintf(msg, sizeof(msg), "nesting deeper than %lu levels", b->max_depth);
		set_error(err, msg, ev->start_mark, NULL, ev->start_mark);
		return -1;
	}
	SG_GROW(b->frames, b->frames_alloc, b->nframes + 1);
	b->frames[b->nframes].node = n;
	b->frames[b->nframes].first = b->nscratch;
	b->nframes++;
	if (b->nframes > b->doc->max_depth)
		b->doc->max_depth = b->nframes;
	return 0;
}

static void close_collection(struct builder *b, const yaml_event_t *ev)
{
	struct frame *f = &b->frames[--b->nframes];
	struct sg_yaml_node *n = f->node;
	size_t count = b->nscratch - f->first;

	n->end = to_pos(ev->end_mark);
	n->items = arena_alloc(b->doc->arena, (count ? count : 1) * sizeof(*n->items));
	if (count)	/* scratch is still NULL when no item was ever seen ("{}") */
		memcpy(n->items, b->scratch + f->first, count * sizeof(*n->items));
	n->n = n->kind == SG_YAML_MAP ? count / 2 : count;
	b->nscratch = f->first;
	attach(b, n);
}

static enum sg_yaml_style scalar_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: return SG_YAML_SINGLE_QUOTED;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return SG_YAML_DOUBLE_QUOTED;
	case YAML_LITERAL_SCALAR_STYLE: return SG_YAML_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE: return SG_YAML_FOLDED;
	default: return SG_YAML_PLAIN;
	}
}

static int handle_event(struct builder *b, yaml_event_t *ev, struct sg_yaml_error *err)
{
	struct sg_yaml_node *n;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = new_node(b, SG_YAML_SCALAR, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
		n->style = scalar_style(ev->data.scalar.style);
		n->value = arena_strndup(b->doc->arena, (const char *)ev->data.scalar.value,
					 ev->data.scalar.length);
		n->len = ev->data.scalar.length;
		attach(b, n);
		break;
	case YAML_ALIAS_EVENT:
		n = new_node(b, SG_YAML_ALIAS, ev, NULL, NULL);
		n->value = arena_strndup(b->doc->arena, (const char *)ev->data.alias.anchor,
					 strlen((const char *)ev->data.alias.anchor));
		n->len = strlen(n->value);
		n->target = find_anchor(b, n->value);
		attach(b, n);
		break;
	case YAML_SEQUENCE_START_EVENT:
		n = new_node(b, SG_YAML_SEQ, ev, ev->data.sequence_start.anchor,
			     ev->data.sequence_start.tag);
		n->style = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ?
			SG_YAML_FLOW : SG_YAML_BLOCK;
		return open_collection(b, n, err, ev);
	case YAML_MAPPING_START_EVENT:
		n = new_node(b, SG_YAML_MAP, ev, ev->data.mapping_start.anchor,
			     ev->data.mapping_start.tag);
		n->style = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ?
			SG_YAML_FLOW : SG_YAML_BLOCK;
		return open_collection(b, n, err, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		close_collection(b, ev);
		break;
	case YAML_DOCUMENT_START_EVENT:
		/* Anchors do not cross documents. */
		b->nanchors = 0;
		break;
	default:
		break;
	}
	return 0;
}

int sg_yaml_parse(struct sg_yaml_doc **out, const char *data, size_t len,
		  unsigned long max_depth, struct sg_yaml_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct builder b;
	struct sg_yaml_doc *doc;
	int ret = -1, done = 0;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.max_depth = max_depth ? max_depth : 10000;
	doc = sg_calloc(1, sizeof(*doc));
	doc->arena = sg_calloc(1, sizeof(*doc->arena));
	b.doc = doc;

	if (!yaml_parser_initialize(&parser)) {
		yaml_mark_t none = { 0, 0, 0 };

		/* Like every other failure here: described in err, reported by the caller. */
		set_error(err, "cannot initialize the YAML parser: out of memory", none, NULL,
			  none);
		sg_yaml_free(doc);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			set_error(err, parser.problem, parser.problem_mark, parser.context,
				  parser.context_mark);
			goto cleanup;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		if (handle_event(&b, &ev, err) < 0) {
			yaml_event_delete(&ev);
			goto cleanup;
		}
		yaml_event_delete(&ev);
	}

	doc->roots = sg_malloc((b.nroots ? b.nroots : 1) * sizeof(*doc->roots));
	if (b.nroots)	/* b.roots is NULL for an empty stream: memcpy must not see it */
		memcpy(doc->roots, b.roots, b.nroots * sizeof(*doc->roots));
	doc->ndocs = b.nroots;
	*out = doc;
	doc = NULL;
	ret = 0;

cleanup:
	yaml_parser_delete(&parser);
	free(b.frames);
	free(b.scratch);
	free(b.anchors);
	free(b.roots);
	sg_yaml_free(doc);
	return ret;
}

void sg_yaml_free(struct sg_yaml_doc *doc)
{
	struct chunk *c, *next;

	if (!doc)
		return;
	if (doc->arena) {
		for (c = doc->arena->head; c; c = next) {
			next = c->next;
			free(c);
		}
		free(doc->arena);
	}
	free(doc->roots);
	free(doc);
}

const struct sg_yaml_node *sg_yaml_root(const struct sg_yaml_doc *doc)
{
	return doc && doc->ndocs ? doc->roots[0] : NULL;
}

const struct sg_yaml_node *sg_yaml_deref(const struct sg_yaml_node *n)
{
	/* An alias can only point backwards to an anchor already complete or still open,
	 * and aliases themselves carry no anchor, so one step resolves it. */
	if (n && n->kind == SG_YAML_ALIAS)
		return n->target;
	return n;
}

/* Index of the last pair whose key is `key` (helm keeps the last duplicate), or -1. */
static long find_pair(const struct sg_yaml_node *map, const char *key)
{
	size_t i;

	if (!map || map->kind != SG_YAML_MAP)
		return -1;
	for (i = map->n; i > 0; i--) {
		const struct sg_yaml_node *k = sg_yaml_deref(map->items[2 * (i - 1)]);

		if (k && k->kind == SG_YAML_SCALAR && !strcmp(k->value, key))
			return (long)(i - 1);
	}
	return -1;
}

const struct sg_yaml_node *sg_yaml_get_key(const struct sg_yaml_node *map, const char *key)
{
	long i;

	map = sg_yaml_deref(map);
	i = find_pair(map, key);
	return i < 0 ? NULL : map->items[2 * i];
}

const struct sg_yaml_node *sg_yaml_get(const struct sg_yaml_node *map, const char *key)
{
	long i;

	map = sg_yaml_deref(map);
	i = find_pair(map, key);
	return i < 0 ? NULL : sg_yaml_deref(map->items[2 * i + 1]);
}

const struct sg_yaml_node *sg_yaml_path(const struct sg_yaml_node *root, const char *dotted)
{
	char key[256];
	const char *p = dotted;

	while (root && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		root = sg_yaml_get(root, key);
		p += n;
		if (*p == '.')
			p++;
	}
	return root;
}

int sg_yaml_is_null(const struct sg_yaml_node *n)
{
	n = sg_yaml_deref(n);
	if (!n || n->kind != SG_YAML_SCALAR || n->style != SG_YAML_PLAIN)
		return 0;
	return !n->len || !strcmp(n->value, "~") || !strcmp(n->value, "null") ||
		!strcmp(n->value, "Null") || !strcmp(n->value, "NULL");
}

const char *sg_yaml_str(const struct sg_yaml_node *n)
{
	n = sg_yaml_deref(n);
	return n && n->kind == SG_YAML_SCALAR ? n->value : NULL;
}

int sg_yaml_bool(const struct sg_yaml_node *n)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					   "on", "On", "ON", "y", "Y", NULL };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO",
					  "off", "Off", "OFF", "n", "N", NULL };
	size_t i;

	n = sg_yaml_deref(n);
	if (!n || n->kind != SG_YAML_SCALAR || n->style != SG_YAML_PLAIN)
		return -1;
	for (i = 0; yes[i]; i++)
		if (!strcmp(n->value, yes[i]))
			return 1;
	for (i = 0; no[i]; i++)
		if (!strcmp(n->value, no[i]))
			return 0;
	return -1;
}

/* Go's strconv.ParseInt / ParseUint with base 0 (0x, 0o, 0b, and a leading 0 for octal) on
 * text whose underscores are already gone; 1 and the value when it fits 64 bits. */
static int go_int(const char *s, double *out)
{
	const char *p = s;
	unsigned long long v = 0, limit = ~0ULL;
	unsigned base = 10;
	int neg = 0;

	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		/* ParseUint takes no sign: a signed value must fit int64. */
		limit = neg ? 1ULL << 63 : (1ULL << 63) - 1;
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p++;
	if (!*p)
		return 0;
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return 0;
		if (d >= base || v > (limit - d) / base)
			return 0;
		v = v * base + d;
	}
	*out = neg ? -(double)v : (double)v;
	return 1;
}

/* go-yaml's yamlStyleFloat, ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$, and a
 * value that does not overflow (Go's ParseFloat fails with ErrRange: the text stays a string). */
static int go_float(const char *s, double *out)
{
	const char *p = s;
	char *end;
	double d;
	int digits = 0;

	if (*p == '-' || *p == '+')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.') {
		int frac = 0;

		for (p++; *p >= '0' && *p <= '9'; p++)
			frac++;
		if (!digits && !frac)
			return 0;
		digits += frac;
	}
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return 0;
	d = strtod(s, &end);
	if (d == HUGE_VAL || d == -HUGE_VAL)
		return 0;
	*out = d;
	return 1;
}

static int tag_is(const char *tag, const char *name)
{
	if (!strncmp(tag, "tag:yaml.org,2002:", 18))
		tag += 18;
	else if (!strncmp(tag, "!!", 2))
		tag += 2;
	else
		return 0;
	return !strcmp(tag, name);
}

enum sg_yaml_type sg_yaml_type(const struct sg_yaml_node *n, double *num)
{
	static const char *const inf[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
					   NULL };
	static const char *const nan[] = { ".nan", ".NaN", ".NAN", NULL };
	char stripped[128];
	double d = 0;
	size_t i, j;
	const char *v;

	n = sg_yaml_deref(n);
	if (!n)
		return SG_YAML_T_UNDEF;
	if (n->kind == SG_YAML_MAP)
		return SG_YAML_T_MAP;
	if (n->kind == SG_YAML_SEQ)
		return SG_YAML_T_SEQ;
	v = n->value;
	if (n->tag) {
		/* An explicit tag decides; the text is then read as that type would be. */
		if (tag_is(n->tag, "null"))
			return SG_YAML_T_NULL;
		if (tag_is(n->tag, "bool"))
			return SG_YAML_T_BOOL;
		if (tag_is(n->tag, "int") || tag_is(n->tag, "float")) {
			if (num)
				*num = strtod(v, NULL);
			return tag_is(n->tag, "int") ? SG_YAML_T_INT : SG_YAML_T_FLOAT;
		}
		return SG_YAML_T_STR;
	}
	if (n->style != SG_YAML_PLAIN)
		return SG_YAML_T_STR;
	if (sg_yaml_is_null(n))
		return SG_YAML_T_NULL;
	if (sg_yaml_bool(n) >= 0)
		return SG_YAML_T_BOOL;
	for (i = 0; inf[i]; i++)
		if (!strcmp(v, inf[i]) || (v[0] == '-' && v[1] == '.' && !strcmp(v + 1, inf[i]))) {
			if (num)
				*num = v[0] == '-' ? -HUGE_VAL : HUGE_VAL;
			return SG_YAML_T_FLOAT;
		}
	for (i = 0; nan[i]; i++)
		if (!strcmp(v, nan[i])) {
			if (num)
				*num = NAN;
			return SG_YAML_T_FLOAT;
		}
	/* Only text starting with a digit, a sign or a dot can be a number (go-yaml's hint);
	 * go-yaml drops every underscore before it parses. */
	if (!((v[0] >= '0' && v[0] <= '9') || v[0] == '-' || v[0] == '+' || v[0] == '.') ||
	    n->len >= sizeof(stripped))
		return SG_YAML_T_STR;
	for (i = j = 0; v[i]; i++)
		if (v[i] != '_')
			stripped[j++] = v[i];
	stripped[j] = '\0';
	if (v[0] != '.' && go_int(stripped, &d)) {
		if (num)
			*num = d;
		return SG_YAML_T_INT;
	}
	if (go_float(stripped, &d)) {
		if (num)
			*num = d;
		return SG_YAML_T_FLOAT;
	}
	return SG_YAML_T_STR;
}

int sg_yaml_is_nonstring(const struct sg_yaml_node *n)
{
	enum sg_yaml_type t = sg_yaml_type(n, NULL);

	return t == SG_YAML_T_NULL || t == SG_YAML_T_BOOL || t == SG_YAML_T_INT ||
		t == SG_YAML_T_FLOAT;
}

const char *sg_yaml_kind_name(const struct sg_yaml_node *n)
{
	n = sg_yaml_deref(n);
	if (!n)
		return "undefined alias";
	switch (n->kind) {
	case SG_YAML_MAP: return "mapping";
	case SG_YAML_SEQ: return "sequence";
	case SG_YAML_SCALAR: return sg_yaml_is_null(n) ? "null" : "scalar";
	default: return "alias";
	}
}

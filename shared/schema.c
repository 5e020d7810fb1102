/*
 * A JSON Schema validator that interprets the schema's own YAML tree, over instance trees typed
 * as helm's YAML reader types them. Loading checks what the tree cannot say by itself (patterns
 * compile, $refs are local and lead somewhere, limits are numbers), so that a broken schema is
 * refused at its line once rather than misjudging values files later. Subschemas of
 * anyOf/oneOf/not run quietly and stop at the first violation.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "regex.h"
#include "schema.h"
#include "suggest.h"
#include "banned.h"

/* Schemas applied to one value without descending into it ($ref to $ref, allOf of a $ref...)
 * beyond this go round in a cycle: no real schema chains that many. */
#define MAX_HOPS 128
/* A hopeless values file does not need a thousand messages. */
#define MAX_REPORTS 200

struct re_entry {
	const struct sg_yaml_node *node;
	struct sg_regex *re;
};

struct sg_schema {
	char *name;
	struct sg_yaml_doc *doc;
	const struct sg_yaml_node *root;
	struct re_entry *res;		/* every pattern and patternProperties key, compiled */
	size_t nres, res_alloc;
};

static const char *const type_names[] = {
	[SG_YAML_T_NULL] = "null", [SG_YAML_T_BOOL] = "boolean", [SG_YAML_T_INT] = "integer",
	[SG_YAML_T_FLOAT] = "number", [SG_YAML_T_STR] = "string", [SG_YAML_T_MAP] = "object",
	[SG_YAML_T_SEQ] = "array", [SG_YAML_T_UNDEF] = "undefined alias"
};

void sg_schema_free(struct sg_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nres; i++)
		sg_regex_free(s->res[i].re);
	free(s->res);
	sg_yaml_free(s->doc);
	free(s->name);
	free(s);
}

/* Resolve a local $ref ("#", "#/definitions/x", any JSON pointer into this document). */
static const struct sg_yaml_node *resolve_ref(const struct sg_schema *s, const char *ref)
{
	const struct sg_yaml_node *n = s->root;
	const char *p;

	if (ref[0] != '#')
		return NULL;
	p = ref + 1;
	while (n && *p == '/') {
		struct sg_buf tok = SG_BUF_INIT;

		for (p++; *p && *p != '/'; p++) {
			if (p[0] == '~' && p[1] == '0') {
				sg_buf_addch(&tok, '~');
				p++;
			} else if (p[0] == '~' && p[1] == '1') {
				sg_buf_addch(&tok, '/');
				p++;
			} else {
				sg_buf_addch(&tok, *p);
			}
		}
		n = sg_yaml_deref(n);
		if (n && n->kind == SG_YAML_SEQ) {
			char *end;
			unsigned long i = strtoul(sg_buf_str(&tok), &end, 10);

			n = *end || i >= n->n ? NULL : n->items[i];
		} else {
			n = sg_yaml_get(n, sg_buf_str(&tok));
		}
		sg_buf_release(&tok);
	}
	return *p ? NULL : n;
}

/* ---- loading ---- */

static int load_error(struct sg_buf *err, const struct sg_schema *s,
		      const struct sg_yaml_node *at, const char *fmt, ...) SG_PRINTF(4, 5);

static int load_error(struct sg_buf *err, const struct sg_schema *s,
		      const struct sg_yaml_node *at, const char *fmt, ...)
{
	va_list ap;

	sg_buf_addf(err, "%s:%lu:%lu: ", s->name, at->start.line, at->start.col);
	va_start(ap, fmt);
	sg_buf_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}

static int add_pattern(struct sg_schema *s, const struct sg_yaml_node *node, struct sg_buf *err)
{
	struct sg_buf why = SG_BUF_INIT;
	struct sg_regex *re = NULL;
	int ret = 0;

	if (node->kind != SG_YAML_SCALAR)
		return load_error(err, s, node, "a pattern must be a string");
	if (sg_regex_compile(&re, node->value, &why) < 0) {
		ret = load_error(err, s, node, "pattern '%s' is not a valid regular expression: %s",
				 node->value, sg_buf_str(&why));
	} else {
		SG_GROW(s->res, s->res_alloc, s->nres + 1);
		s->res[s->nres].node = node;
		s->res[s->nres].re = re;
		s->nres++;
	}
	sg_buf_release(&why);
	return ret;
}

/* A non-negative whole number, as minItems and its kin want (2.0 counts). */
static int whole_number(const struct sg_yaml_node *n, double *out)
{
	enum sg_yaml_type t = sg_yaml_type(n, out);

	return (t == SG_YAML_T_INT || t == SG_YAML_T_FLOAT) && isfinite(*out) && *out >= 0 &&
		*out == floor(*out);
}

static const char *const count_keys[] = { "minItems", "maxItems", "minLength", "maxLength",
					  "minProperties", "maxProperties" };
static const char *const bound_keys[] = { "minimum", "maximum", "exclusiveMinimum",
					  "exclusiveMaximum", "multipleOf" };

static int check_limit(struct sg_schema *s, const char *key, const struct sg_yaml_node *v,
		       struct sg_buf *err)
{
	const char *text = sg_yaml_str(v) ? sg_yaml_str(v) : "a collection";
	enum sg_yaml_type t;
	double d = 0;
	size_t i;

	for (i = 0; i < sizeof(count_keys) / sizeof(*count_keys); i++)
		if (!strcmp(key, count_keys[i]) && !whole_number(v, &d))
			return load_error(err, s, v, "%s must be a whole number such as 3, not %s",
					  key, text);
	for (i = 0; i < sizeof(bound_keys) / sizeof(*bound_keys); i++) {
		if (strcmp(key, bound_keys[i]))
			continue;
		t = sg_yaml_type(v, &d);
		/* Draft-04's boolean exclusiveMinimum is still about. */
		if (t == SG_YAML_T_BOOL && !strncmp(key, "exclusive", 9))
			return 0;
		if (t != SG_YAML_T_INT && t != SG_YAML_T_FLOAT)
			return load_error(err, s, v, "%s must be a number, not %s", key, text);
		if (!strcmp(key, "multipleOf") && !(d > 0))
			return load_error(err, s, v, "multipleOf must be above 0, not %s", text);
	}
	return 0;
}

static int prepare(struct sg_schema *s, const struct sg_yaml_node *schema, struct sg_buf *err);

/* Every value of a mapping (properties, definitions) or item of a list (allOf) is a schema. */
static int prepare_each(struct sg_schema *s, const struct sg_yaml_node *n, struct sg_buf *err)
{
	size_t i;

	if (n->kind == SG_YAML_MAP) {
		for (i = 0; i < n->n; i++)
			if (prepare(s, n->items[2 * i + 1], err) < 0)
				return -1;
	} else if (n->kind == SG_YAML_SEQ) {
		for (i = 0; i < n->n; i++)
			if (prepare(s, n->items[i], err) < 0)
				return -1;
	}
	return 0;
}

static int in_list(const char *key, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(key, list[i]))
			return 1;
	return 0;
}

/* Check and compile what the validator relies on, walking the schema by its keywords. */
static int prepare(struct sg_schema *s, const struct sg_yaml_node *schema, struct sg_buf *err)
{
	static const char *const one[] = { "additionalItems", "additionalProperties", "not",
					   "contains", "propertyNames", "if", "then", "else" };
	static const char *const many[] = { "properties", "definitions", "$defs",
					    "dependencies", "allOf", "anyOf", "oneOf" };
	size_t i, j;

	schema = sg_yaml_deref(schema);
	if (!schema || schema->kind != SG_YAML_MAP)
		return 0;
	for (i = 0; i < schema->n; i++) {
		const char *key = sg_yaml_str(schema->items[2 * i]);
		const struct sg_yaml_node *v = sg_yaml_deref(schema->items[2 * i + 1]);
		int r = 0;

		if (!key || !v)
			continue;
		if (!strcmp(key, "$ref")) {
			const char *ref = sg_yaml_str(v);

			if (!ref)
				return load_error(err, s, v, "$ref must be a string such as "
						  "'#/definitions/name'");
			if (ref[0] != '#')
				return load_error(err, s, v, "$ref '%s' leaves this file: only refs "
						  "into the same schema ('#/...') are supported; "
						  "copy the definition in", ref);
			if (!resolve_ref(s, ref))
				return load_error(err, s, v, "$ref '%s' points nowhere in the schema",
						  ref);
		} else if (!strcmp(key, "pattern")) {
			r = add_pattern(s, v, err);
		} else if (!strcmp(key, "patternProperties") && v->kind == SG_YAML_MAP) {
			for (j = 0; j < v->n && r == 0; j++)
				if ((r = add_pattern(s, v->items[2 * j], err)) == 0)
					r = prepare(s, v->items[2 * j + 1], err);
		} else if (!strcmp(key, "items")) {
			r = v->kind == SG_YAML_SEQ ? prepare_each(s, v, err) : prepare(s, v, err);
		} else if (in_list(key, one, sizeof(one) / sizeof(*one))) {
			r = prepare(s, v, err);
		} else if (in_list(key, many, sizeof(many) / sizeof(*many))) {
			r = prepare_each(s, v, err);
		} else {
			r = check_limit(s, key, v, err);
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

int sg_schema_load(struct sg_schema **out, const char *name, const char *data, size_t len,
		   char **err_out)
{
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error e;
	struct sg_schema *s = NULL;
	const struct sg_yaml_node *root;
	struct sg_buf b = SG_BUF_INIT;

	*out = NULL;
	*err_out = NULL;
	memset(&e, 0, sizeof(e));
	if (sg_yaml_parse(&doc, data, len, 0, &e) < 0) {
		sg_buf_addf(&b, "%s:%lu:%lu: %s", name, e.problem_pos.line, e.problem_pos.col,
			    e.problem);
		goto fail;
	}
	/* An undefined alias as the root stands for nothing at all. */
	root = sg_yaml_deref(sg_yaml_root(doc));
	if (!root || (root->kind != SG_YAML_MAP && sg_yaml_bool(root) < 0)) {
		sg_buf_addf(&b, "%s: a schema must be a mapping (or true/false)", name);
		goto fail;
	}
	s = sg_calloc(1, sizeof(*s));
	s->name = sg_strdup(name);
	s->doc = doc;
	s->root = root;
	doc = NULL;
	if (prepare(s, s->root, &b) < 0)
		goto fail;
	*out = s;
	return 0;

fail:
	sg_schema_free(s);
	sg_yaml_free(doc);
	*err_out = sg_buf_detach(&b);
	return -1;
}

/* ---- instance typing: sg_yaml_type, as helm's YAML 1.1 reader types values ---- */

static double num_of(const struct sg_yaml_node *n)
{
	double d = 0;

	sg_yaml_type(n, &d);
	return d;
}

static int is_integral(double d)
{
	return isfinite(d) && d == floor(d);
}

static int admits(const char *want, enum sg_yaml_type t, const struct sg_yaml_node *n)
{
	if (!strcmp(want, type_names[t]))
		return 1;
	if (!strcmp(want, "number"))
		return t == SG_YAML_T_INT || t == SG_YAML_T_FLOAT;
	if (!strcmp(want, "integer") && t == SG_YAML_T_FLOAT)
		return is_integral(num_of(n));
	return 0;
}

/* ---- validation ---- */

struct val {
	struct sg_schema *s;
	sg_schema_report_fn report;
	void *payload;
	struct sg_buf path;
	int reports;
	int hops;			/* schemas applied to the current value so far */
	int trouble;
	int partial;
};

static void fail(struct val *v, int quiet, const struct sg_yaml_node *at, const char *fmt, ...)
	SG_PRINTF(4, 5);

static void fail(struct val *v, int quiet, const struct sg_yaml_node *at, const char *fmt, ...)
{
	struct sg_buf msg = SG_BUF_INIT;
	va_list ap;

	if (quiet || v->reports >= MAX_REPORTS)
		return;
	v->reports++;
	sg_buf_addf(&msg, "`%s`: ", v->path.len ? sg_buf_str(&v->path) : "(top level)");
	va_start(ap, fmt);
	sg_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	v->report(at, sg_buf_str(&msg), v->payload);
	sg_buf_release(&msg);
}

/* The pattern compiled at load. A schema reached only through an unusual $ref (into a place
 * that is not a keyword's subschema) has its patterns compiled here, once. */
static struct sg_regex *pattern_of(struct val *v, const struct sg_yaml_node *node)
{
	struct sg_schema *s = v->s;
	struct sg_buf err = SG_BUF_INIT;
	size_t i;

	for (i = 0; i < s->nres; i++)
		if (s->res[i].node == node)
			return s->res[i].re;
	if (add_pattern(s, node, &err) < 0) {
		sg_error("%s", sg_buf_str(&err));
		sg_buf_release(&err);
		v->trouble = 1;
		return NULL;
	}
	return s->res[s->nres - 1].re;
}

static int json_equal(const struct sg_yaml_node *a, const struct sg_yaml_node *b)
{
	enum sg_yaml_type ta = sg_yaml_type(a, NULL), tb = sg_yaml_type(b, NULL);
	size_t i;

	a = sg_yaml_deref(a);
	b = sg_yaml_deref(b);
	if ((ta == SG_YAML_T_INT || ta == SG_YAML_T_FLOAT) && (tb == SG_YAML_T_INT || tb == SG_YAML_T_FLOAT))
		return num_of(a) == num_of(b);
	if (ta != tb)
		return 0;
	switch (ta) {
	case SG_YAML_T_NULL:
		return 1;
	case SG_YAML_T_BOOL:
		return sg_yaml_bool(a) == sg_yaml_bool(b);
	case SG_YAML_T_STR:
		return a->len == b->len && !memcmp(a->value, b->value, a->len);
	case SG_YAML_T_SEQ:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++)
			if (!json_equal(a->items[i], b->items[i]))
				return 0;
		return 1;
	case SG_YAML_T_MAP:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++) {
			const char *k = sg_yaml_str(a->items[2 * i]);
			const struct sg_yaml_node *o = k ? sg_yaml_get(b, k) : NULL;

			if (!o || !json_equal(a->items[2 * i + 1], o))
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

static size_t utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static void describe(struct sg_buf *out, const struct sg_yaml_node *n)
{
	n = sg_yaml_deref(n);
	if (n && n->kind == SG_YAML_SCALAR) {
		if (n->len > 40)
			sg_buf_addf(out, "`%.37s...`", n->value);
		else
			sg_buf_addf(out, "`%s`", n->value);
	} else {
		sg_buf_addstr(out, n ? (n->kind == SG_YAML_MAP ? "a mapping" : "a list") :
			      "an undefined alias");
	}
}

static int validate(struct val *v, const struct sg_yaml_node *schema,
		    const struct sg_yaml_node *inst, int quiet);

/* Validate inst under path + "." + key (or "[i]"), restoring the path after. */
static int validate_child(struct val *v, const struct sg_yaml_node *schema,
			  const struct sg_yaml_node *inst, const char *key, size_t index,
			  int quiet)
{
	size_t keep = v->path.len;
	int n, hops;

	if (key)
		sg_buf_addf(&v->path, "%s%s", keep ? "." : "", key);
	else
		sg_buf_addf(&v->path, "[%zu]", index);
	/* A value's children start their own count of schemas applied without descending. */
	hops = v->hops;
	v->hops = 0;
	n = validate(v, schema, inst, quiet);
	v->hops = hops;
	v->path.len = keep;
	if (v->path.buf)
		v->path.buf[keep] = '\0';
	return n;
}

static int type_matches(const struct sg_yaml_node *type, enum sg_yaml_type t,
			const struct sg_yaml_node *inst)
{
	size_t i;

	type = sg_yaml_deref(type);
	if (!type)
		return 1;
	if (type->kind == SG_YAML_SCALAR)
		return admits(type->value, t, inst);
	if (type->kind == SG_YAML_SEQ) {
		for (i = 0; i < type->n; i++) {
			const char *w = sg_yaml_str(type->items[i]);

			if (w && admits(w, t, inst))
				return 1;
		}
		return 0;
	}
	return 1;
}

static void type_list(struct sg_buf *out, const struct sg_yaml_node *type)
{
	size_t i;

	type = sg_yaml_deref(type);
	if (type->kind == SG_YAML_SCALAR) {
		sg_buf_addstr(out, type->value);
		return;
	}
	for (i = 0; i < type->n; i++)
		sg_buf_addf(out, "%s%s", i ? (i + 1 == type->n ? " or " : ", ") : "",
			    sg_yaml_str(type->items[i]) ? sg_yaml_str(type->items[i]) : "?");
}

/* minItems, maxLength and their kin: n (items, characters, keys) against the limit named key. */
static int count_limit(struct val *v, const struct sg_yaml_node *schema, const char *key,
		       size_t n, const char *unit, const struct sg_yaml_node *inst, int quiet)
{
	const struct sg_yaml_node *lim = sg_yaml_get(schema, key);
	int is_min = key[1] == 'i';
	double d;

	/* Load made sure a limit is a whole number. */
	if (!lim || sg_yaml_type(lim, &d) > SG_YAML_T_FLOAT ||
	    (is_min ? (double)n >= d : (double)n <= d))
		return 0;
	fail(v, quiet, inst, "has %zu %s, %s than %s %s", n, unit, is_min ? "fewer" : "more",
	     key, lim->value);
	return 1;
}

static int validate_object(struct val *v, const struct sg_yaml_node *schema,
			   const struct sg_yaml_node *inst, int quiet)
{
	const struct sg_yaml_node *props = sg_yaml_deref(sg_yaml_get(schema, "properties"));
	const struct sg_yaml_node *pats = sg_yaml_deref(sg_yaml_get(schema, "patternProperties"));
	const struct sg_yaml_node *addl = sg_yaml_get(schema, "additionalProperties");
	const struct sg_yaml_node *req = sg_yaml_deref(sg_yaml_get(schema, "required"));
	int errs = 0;
	size_t i, j;

	if (props && props->kind != SG_YAML_MAP)
		props = NULL;
	if (pats && pats->kind != SG_YAML_MAP)
		pats = NULL;
	for (i = 0; i < inst->n && !(quiet && errs); i++) {
		const struct sg_yaml_node *knode = inst->items[2 * i];
		const struct sg_yaml_node *val = inst->items[2 * i + 1];
		const char *key = sg_yaml_str(knode);
		const struct sg_yaml_node *ps;
		int matched = 0;

		if (!key)
			continue;
		if (props && (ps = sg_yaml_get(props, key))) {
			matched = 1;
			errs += validate_child(v, ps, val, key, 0, quiet);
		}
		for (j = 0; pats && j < pats->n; j++) {
			const struct sg_yaml_node *pk = sg_yaml_deref(pats->items[2 * j]);
			struct sg_regex *re;
			int m;

			if (!pk || pk->kind != SG_YAML_SCALAR || !(re = pattern_of(v, pk)))
				continue;
			m = sg_regex_match(re, key);
			if (m < 0)
				v->trouble = 1;
			if (m > 0) {
				matched = 1;
				errs += validate_child(v, pats->items[2 * j + 1], val, key, 0, quiet);
			}
		}
		if (matched || !addl)
			continue;
		if (sg_yaml_bool(addl) == 0) {
			const char **cands = NULL;
			const char *hint;
			size_t ncands = 0, alloc = 0;

			errs++;
			if (quiet)
				break;
			for (j = 0; props && j < props->n; j++) {
				const char *c = sg_yaml_str(props->items[2 * j]);

				if (c) {
					SG_GROW(cands, alloc, ncands + 1);
					cands[ncands++] = c;
				}
			}
			hint = sg_suggest(key, cands, ncands);
			if (hint)
				fail(v, quiet, knode, "unknown key `%s`; did you mean `%s`?", key,
				     hint);
			else
				fail(v, quiet, knode, "unknown key `%s` (the schema allows no other "
				     "keys here)", key);
			free(cands);
		} else if (sg_yaml_deref(addl) && sg_yaml_deref(addl)->kind == SG_YAML_MAP) {
			errs += validate_child(v, addl, val, key, 0, quiet);
		}
	}
	if (req && req->kind == SG_YAML_SEQ && !v->partial) {
		for (i = 0; i < req->n && !(quiet && errs); i++) {
			const char *k = sg_yaml_str(req->items[i]);

			if (k && !sg_yaml_get_key(inst, k)) {
				errs++;
				fail(v, quiet, inst, "required key `%s` is missing", k);
			}
		}
	}
	if (!v->partial)
		errs += count_limit(v, schema, "minProperties", inst->n, "keys", inst, quiet);
	errs += count_limit(v, schema, "maxProperties", inst->n, "keys", inst, quiet);
	return errs;
}

static int validate_array(struct val *v, const struct sg_yaml_node *schema,
			  const struct sg_yaml_node *inst, int quiet)
{
	const struct sg_yaml_node *items = sg_yaml_deref(sg_yaml_get(schema, "items"));
	int errs = 0;
	size_t i;

	if (items && items->kind == SG_YAML_SEQ) {
		const struct sg_yaml_node *more = sg_yaml_get(schema, "additionalItems");

		for (i = 0; i < inst->n && !(quiet && errs); i++) {
			if (i < items->n)
				errs += validate_child(v, items->items[i], inst->items[i], NULL, i,
						       quiet);
			else if (more)
				errs += validate_child(v, more, inst->items[i], NULL, i, quiet);
		}
	} else if (items) {
		for (i = 0; i < inst->n && !(quiet && errs); i++)
			errs += validate_child(v, items, inst->items[i], NULL, i, quiet);
	}
	errs += count_limit(v, schema, "minItems", inst->n, "items", inst, quiet);
	errs += count_limit(v, schema, "maxItems", inst->n, "items", inst, quiet);
	if (sg_yaml_bool(sg_yaml_get(schema, "uniqueItems")) == 1) {
		size_t j;

		for (i = 1; i < inst->n && !(quiet && errs); i++)
			for (j = 0; j < i; j++)
				if (json_equal(inst->items[i], inst->items[j])) {
					errs++;
					fail(v, quiet, inst->items[i], "item %zu repeats item %zu "
					     "(uniqueItems)", i, j);
					break;
				}
	}
	return errs;
}

static int validate_scalar(struct val *v, const struct sg_yaml_node *schema,
			   const struct sg_yaml_node *inst, enum sg_yaml_type t, int quiet)
{
	const struct sg_yaml_node *lim;
	int errs = 0;

	if (t == SG_YAML_T_STR) {
		size_t n = utf8_length(inst->value, inst->len);
		const struct sg_yaml_node *pat = sg_yaml_deref(sg_yaml_get(schema, "pattern"));

		errs += count_limit(v, schema, "minLength", n, "characters", inst, quiet);
		errs += count_limit(v, schema, "maxLength", n, "characters", inst, quiet);
		if (pat && pat->kind == SG_YAML_SCALAR) {
			struct sg_regex *re = pattern_of(v, pat);
			int m = re ? sg_regex_match(re, inst->value) : 1;

			if (m < 0)
				v->trouble = 1;
			if (m == 0) {
				errs++;
				fail(v, quiet, inst, "`%s` does not match the pattern `%s`",
				     inst->value, pat->value);
			}
		}
	}
	if (t == SG_YAML_T_INT || t == SG_YAML_T_FLOAT) {
		double d = num_of(inst);
		static const struct {
			const char *kw;
			int sign;	/* -1: must be >= (or > when excl), 1: <= */
			int excl;
		} lims[] = {
			{ "minimum", -1, 0 }, { "maximum", 1, 0 },
			{ "exclusiveMinimum", -1, 1 }, { "exclusiveMaximum", 1, 1 }
		};
		size_t i;

		for (i = 0; i < sizeof(lims) / sizeof(*lims); i++) {
			const char *s;
			double b;
			int bad;

			lim = sg_yaml_get(schema, lims[i].kw);
			if (!lim || !(s = sg_yaml_str(lim)) || sg_yaml_bool(lim) >= 0)
				continue;
			b = num_of(lim);
			bad = lims[i].sign < 0 ? (lims[i].excl ? d <= b : d < b) :
				(lims[i].excl ? d >= b : d > b);
			if (bad) {
				errs++;
				fail(v, quiet, inst, "%s is %s %s", inst->value,
				     lims[i].sign < 0 ? (lims[i].excl ? "not above" : "below") :
				     (lims[i].excl ? "not below" : "above"), s);
			}
		}
		if ((lim = sg_yaml_get(schema, "multipleOf")) && sg_yaml_str(lim)) {
			double m = num_of(lim), q = d / m;

			/* 0.3 / 0.1 is 2.9999999999999996 in binary floating point: a quotient
			 * within a few units in the last place of a whole number is one. */
			if (m > 0 && isfinite(q) &&
			    fabs(q - nearbyint(q)) > 1e-9 * (fabs(q) > 1 ? fabs(q) : 1)) {
				errs++;
				fail(v, quiet, inst, "%s is not a multiple of %s", inst->value,
				     lim->value);
			}
		}
	}
	return errs;
}

/* For a failed anyOf/oneOf: the one alternative whose type fits the value, if exactly one. */
static const struct sg_yaml_node *best_alternative(const struct sg_yaml_node *alts,
						   enum sg_yaml_type t, const struct sg_yaml_node *inst)
{
	const struct sg_yaml_node *best = NULL;
	size_t i;

	for (i = 0; i < alts->n; i++) {
		const struct sg_yaml_node *a = sg_yaml_deref(alts->items[i]);
		const struct sg_yaml_node *type = a ? sg_yaml_get(a, "type") : NULL;

		if (!type || !type_matches(type, t, inst))
			continue;
		if (best)
			return NULL;
		best = alts->items[i];
	}
	return best;
}

static int validate_combinators(struct val *v, const struct sg_yaml_node *schema,
				const struct sg_yaml_node *inst, enum sg_yaml_type t, int quiet)
{
	const struct sg_yaml_node *c;
	int errs = 0;
	size_t i;

	if ((c = sg_yaml_deref(sg_yaml_get(schema, "allOf"))) && c->kind == SG_YAML_SEQ)
		for (i = 0; i < c->n && !(quiet && errs); i++)
			errs += validate(v, c->items[i], inst, quiet);
	if ((c = sg_yaml_deref(sg_yaml_get(schema, "anyOf"))) && c->kind == SG_YAML_SEQ && c->n) {
		int ok = 0;

		for (i = 0; i < c->n && !ok; i++)
			ok = validate(v, c->items[i], inst, 1) == 0;
		if (!ok) {
			const struct sg_yaml_node *best = quiet ? NULL :
				best_alternative(c, t, inst);

			errs++;
			if (best) {
				validate(v, best, inst, 0);
			} else {
				struct sg_buf d = SG_BUF_INIT;

				describe(&d, inst);
				fail(v, quiet, inst, "%s matches none of the %zu forms allowed "
				     "here (anyOf)", sg_buf_str(&d), c->n);
				sg_buf_release(&d);
			}
		}
	}
	if ((c = sg_yaml_deref(sg_yaml_get(schema, "oneOf"))) && c->kind == SG_YAML_SEQ && c->n) {
		size_t ok = 0;

		for (i = 0; i < c->n && ok < 2; i++)
			ok += validate(v, c->items[i], inst, 1) == 0;
		/* Alternatives told apart by `required` all fit a partial file: the other
		 * values files of the release may complete it either way. */
		if (ok != 1 && !(ok > 1 && v->partial)) {
			const struct sg_yaml_node *best = quiet || ok ? NULL :
				best_alternative(c, t, inst);

			errs++;
			if (best) {
				validate(v, best, inst, 0);
			} else {
				struct sg_buf d = SG_BUF_INIT;

				describe(&d, inst);
				fail(v, quiet, inst, ok ? "%s matches more than one of the forms "
				     "allowed here (oneOf wants exactly one)" :
				     "%s matches none of the forms allowed here (oneOf)",
				     sg_buf_str(&d));
				sg_buf_release(&d);
			}
		}
	}
	if ((c = sg_yaml_get(schema, "not")) && validate(v, c, inst, 1) == 0) {
		struct sg_buf d = SG_BUF_INIT;

		errs++;
		describe(&d, inst);
		fail(v, quiet, inst, "%s matches a form that is not allowed here (not)",
		     sg_buf_str(&d));
		sg_buf_release(&d);
	}
	return errs;
}

static int validate(struct val *v, const struct sg_yaml_node *schema,
		    const struct sg_yaml_node *inst, int quiet)
{
	const struct sg_yaml_node *c, *d;
	enum sg_yaml_type t;
	int errs = 0, b;

	schema = sg_yaml_deref(schema);
	if (!schema || v->trouble)
		return 0;
	if ((b = sg_yaml_bool(schema)) >= 0) {
		if (!b)
			fail(v, quiet, inst, "no value is allowed here");
		return !b;
	}
	if (schema->kind != SG_YAML_MAP)
		return 0;
	if (v->hops >= MAX_HOPS) {
		sg_error("%s: $ref cycle: more than %d schemas apply to `%s` without descending "
			 "into it; make the recursion go through properties or items",
			 v->s->name, MAX_HOPS, v->path.len ? sg_buf_str(&v->path) : "(top level)");
		v->trouble = 1;
		return 0;
	}
	if ((c = sg_yaml_get(schema, "$ref")) && sg_yaml_str(c)) {
		const struct sg_yaml_node *target = resolve_ref(v->s, sg_yaml_str(c));

		/* Draft-07: $ref replaces the keywords next to it. Load made sure it resolves. */
		v->hops++;
		errs = target ? validate(v, target, inst, quiet) : 0;
		v->hops--;
		return errs;
	}
	v->hops++;
	t = sg_yaml_type(inst, NULL);
	if (t == SG_YAML_T_UNDEF || (t == SG_YAML_T_NULL && v->partial))
		goto out;
	d = sg_yaml_deref(inst);
	if ((c = sg_yaml_get(schema, "type")) && !type_matches(c, t, inst)) {
		struct sg_buf want = SG_BUF_INIT, got = SG_BUF_INIT;

		type_list(&want, c);
		describe(&got, inst);
		fail(v, quiet, inst, "expected %s, got %s %s", sg_buf_str(&want),
		     type_names[t], sg_buf_str(&got));
		sg_buf_release(&want);
		sg_buf_release(&got);
		errs++;
		/* The keywords below would only repeat the same mistake. */
		goto out;
	}
	if ((c = sg_yaml_deref(sg_yaml_get(schema, "enum"))) && c->kind == SG_YAML_SEQ) {
		size_t i;
		int ok = 0;

		for (i = 0; i < c->n && !ok; i++)
			ok = json_equal(c->items[i], inst);
		if (!ok) {
			struct sg_buf list = SG_BUF_INIT, got = SG_BUF_INIT;

			for (i = 0; i < c->n; i++)
				sg_buf_addf(&list, "%s%s", i ? ", " : "",
					    sg_yaml_str(c->items[i]) ? sg_yaml_str(c->items[i]) :
					    "...");
			describe(&got, inst);
			fail(v, quiet, inst, "%s is not one of: %s", sg_buf_str(&got),
			     sg_buf_str(&list));
			sg_buf_release(&list);
			sg_buf_release(&got);
			errs++;
		}
	}
	if ((c = sg_yaml_get(schema, "const")) && !json_equal(c, inst)) {
		struct sg_buf want = SG_BUF_INIT, got = SG_BUF_INIT;

		describe(&want, c);
		describe(&got, inst);
		fail(v, quiet, inst, "%s must be %s", sg_buf_str(&got), sg_buf_str(&want));
		sg_buf_release(&want);
		sg_buf_release(&got);
		errs++;
	}
	if (!(quiet && errs)) {
		if (t == SG_YAML_T_MAP)
			errs += validate_object(v, schema, d, quiet);
		else if (t == SG_YAML_T_SEQ)
			errs += validate_array(v, schema, d, quiet);
		else
			errs += validate_scalar(v, schema, d, t, quiet);
	}
	if (!(quiet && errs))
		errs += validate_combinators(v, schema, inst, t, quiet);
out:
	v->hops--;
	return errs;
}

int sg_schema_validate(struct sg_schema *s, const struct sg_yaml_node *instance,
		       const char *prefix, unsigned flags, sg_schema_report_fn report,
		       void *payload)
{
	struct val v;
	int errs;

	memset(&v, 0, sizeof(v));
	v.s = s;
	v.report = report;
	v.payload = payload;
	v.partial = !!(flags & SG_SCHEMA_PARTIAL);
	sg_buf_init(&v.path);
	if (prefix)
		sg_buf_addstr(&v.path, prefix);
	errs = validate(&v, s->root, instance, 0);
	sg_buf_release(&v.path);
	return v.trouble ? -1 : errs;
}

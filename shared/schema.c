/*
 * A JSON Schema validator that interprets the schema's own YAML tree (no compile step beyond
 * caching PCRE2 patterns), over instance trees typed as helm's YAML reader types them.
 * Subschemas of anyOf/oneOf/not run quietly and stop at the first violation.
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

/* Schema recursion ($ref chains, nesting) beyond this is a cycle, not a real schema. */
#define MAX_DEPTH 512
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
	struct re_entry *res;
	size_t nres, res_alloc;
};

enum jtype { J_NULL, J_BOOL, J_INT, J_NUM, J_STR, J_OBJ, J_ARR, J_UNDEF };

static const char *const jtype_names[] = {
	"null", "boolean", "integer", "number", "string", "object", "array", "undefined alias"
};

int sg_schema_load(struct sg_schema **out, const char *name, const char *data, size_t len,
		   char **err_out)
{
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error e;
	struct sg_schema *s;
	struct sg_buf b = SG_BUF_INIT;

	*out = NULL;
	*err_out = NULL;
	memset(&e, 0, sizeof(e));
	if (sg_yaml_parse(&doc, data, len, 0, &e) < 0) {
		sg_buf_addf(&b, "%s:%lu:%lu: %s", name, e.problem_pos.line, e.problem_pos.col,
			    e.problem);
		*err_out = sg_buf_detach(&b);
		return -1;
	}
	if (!sg_yaml_root(doc) || (sg_yaml_deref(sg_yaml_root(doc))->kind != SG_YAML_MAP &&
				   sg_yaml_bool(sg_yaml_root(doc)) < 0)) {
		sg_buf_addf(&b, "%s: a schema must be a mapping (or true/false)", name);
		*err_out = sg_buf_detach(&b);
		sg_yaml_free(doc);
		return -1;
	}
	s = sg_calloc(1, sizeof(*s));
	s->name = sg_strdup(name);
	s->doc = doc;
	s->root = sg_yaml_root(doc);
	*out = s;
	return 0;
}

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

/* ---- instance typing, as helm's YAML 1.1 reader does it ---- */

static int all_digits(const char *s, const char *set)
{
	int any = 0;

	for (; *s; s++) {
		if (*s == '_')
			continue;
		if (!strchr(set, *s))
			return 0;
		any = 1;
	}
	return any;
}

static int plain_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return all_digits(s + 2, "0123456789abcdefABCDEF");
	if (s[0] == '0' && (s[1] == 'o' || s[1] == 'b'))
		return all_digits(s + 2, s[1] == 'b' ? "01" : "01234567");
	return *s != '_' && all_digits(s, "0123456789");
}

static int plain_float(const char *s)
{
	int digits = 0;

	if (!strcmp(s, ".inf") || !strcmp(s, "-.inf") || !strcmp(s, "+.inf") ||
	    !strcmp(s, ".Inf") || !strcmp(s, ".INF") || !strcmp(s, ".nan") ||
	    !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
		return 1;
	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9') {
		s++;
		digits++;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			s++;
			digits++;
		}
	}
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static enum jtype type_of(const struct sg_yaml_node *n)
{
	n = sg_yaml_deref(n);
	if (!n)
		return J_UNDEF;
	if (n->kind == SG_YAML_MAP)
		return J_OBJ;
	if (n->kind == SG_YAML_SEQ)
		return J_ARR;
	if (n->tag) {
		const char *t = n->tag;

		if (!strncmp(t, "tag:yaml.org,2002:", 18))
			t += 18;
		else if (!strncmp(t, "!!", 2))
			t += 2;
		if (!strcmp(t, "int"))
			return J_INT;
		if (!strcmp(t, "float"))
			return J_NUM;
		if (!strcmp(t, "bool"))
			return J_BOOL;
		if (!strcmp(t, "null"))
			return J_NULL;
		return J_STR;
	}
	if (n->style != SG_YAML_PLAIN)
		return J_STR;
	if (sg_yaml_is_null(n))
		return J_NULL;
	if (sg_yaml_bool(n) >= 0)
		return J_BOOL;
	if (plain_int(n->value))
		return J_INT;
	if (plain_float(n->value))
		return J_NUM;
	return J_STR;
}

static double num_of(const struct sg_yaml_node *n)
{
	char clean[128];
	size_t i, j = 0;
	const char *v = n->value;

	for (i = 0; v[i] && j + 1 < sizeof(clean); i++)
		if (v[i] != '_')
			clean[j++] = v[i];
	clean[j] = '\0';
	if (strstr(clean, "inf"))
		return clean[0] == '-' ? -HUGE_VAL : HUGE_VAL;
	if (plain_int(clean)) {
		const char *p = clean;
		int neg = *p == '-';

		if (*p == '-' || *p == '+')
			p++;
		if (p[0] == '0' && (p[1] == 'o' || p[1] == 'b'))
			return (neg ? -1 : 1) * (double)strtoull(p + 2, NULL, p[1] == 'b' ? 2 : 8);
		return (neg ? -1 : 1) * (double)strtoull(p, NULL, 0);
	}
	return strtod(clean, NULL);
}

/* Without libm: the Makefile does not link it. */
static int is_integral(double d)
{
	return d > -9e18 && d < 9e18 && d == (double)(long long)d;
}

static int admits(const char *want, enum jtype t, const struct sg_yaml_node *n)
{
	if (!strcmp(want, jtype_names[t]))
		return 1;
	if (!strcmp(want, "number"))
		return t == J_INT || t == J_NUM;
	if (!strcmp(want, "integer") && t == J_NUM) {
		double d = num_of(sg_yaml_deref(n));

		return is_integral(d);
	}
	return 0;
}

/* ---- validation ---- */

struct val {
	struct sg_schema *s;
	sg_schema_report_fn report;
	void *payload;
	struct sg_buf path;
	int reports;
	int depth;
	int trouble;
	int partial;
};

static void fail(struct val *v, int quiet, const struct sg_yaml_node *at, const char *fmt, ...)
	SG_PRINTF(4, 5);

static void fail(struct val *v, int quiet, const struct sg_yaml_node *at, const char *fmt, ...)
{
	struct sg_buf msg = SG_BUF_INIT;
	va_list ap;
	char *body;

	if (quiet || v->reports >= MAX_REPORTS)
		return;
	v->reports++;
	va_start(ap, fmt);
	/* vsnprintf twice through sg_buf would need a va_copy; a bounded body is plenty. */
	body = sg_malloc(1024);
	vsnprintf(body, 1024, fmt, ap);
	va_end(ap);
	sg_buf_addf(&msg, "`%s`: %s", v->path.len ? sg_buf_str(&v->path) : "(top level)", body);
	v->report(at, sg_buf_str(&v->path), sg_buf_str(&msg), v->payload);
	free(body);
	sg_buf_release(&msg);
}

static const struct sg_yaml_node *kw(const struct sg_yaml_node *schema, const char *key)
{
	return sg_yaml_get(schema, key);
}

/* Resolve a local $ref ("#", "#/definitions/x", any JSON pointer into this document). */
static const struct sg_yaml_node *resolve_ref(struct val *v, const char *ref)
{
	const struct sg_yaml_node *n = v->s->root;
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

static struct sg_regex *pattern_of(struct val *v, const struct sg_yaml_node *node)
{
	struct sg_schema *s = v->s;
	struct sg_regex *re = NULL;
	struct sg_buf err = SG_BUF_INIT;
	size_t i;

	for (i = 0; i < s->nres; i++)
		if (s->res[i].node == node)
			return s->res[i].re;
	if (sg_regex_compile(&re, node->value, &err) < 0) {
		sg_error("%s:%lu:%lu: bad pattern '%s': %s", s->name, node->start.line,
			 node->start.col, node->value, sg_buf_str(&err));
		v->trouble = 1;
	}
	sg_buf_release(&err);
	SG_GROW(s->res, s->res_alloc, s->nres + 1);
	s->res[s->nres].node = node;
	s->res[s->nres].re = re;
	s->nres++;
	return re;
}

static int json_equal(const struct sg_yaml_node *a, const struct sg_yaml_node *b)
{
	enum jtype ta = type_of(a), tb = type_of(b);
	size_t i;

	a = sg_yaml_deref(a);
	b = sg_yaml_deref(b);
	if ((ta == J_INT || ta == J_NUM) && (tb == J_INT || tb == J_NUM))
		return num_of(a) == num_of(b);
	if (ta != tb)
		return 0;
	switch (ta) {
	case J_NULL:
		return 1;
	case J_BOOL:
		return sg_yaml_bool(a) == sg_yaml_bool(b);
	case J_STR:
		return a->len == b->len && !memcmp(a->value, b->value, a->len);
	case J_ARR:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++)
			if (!json_equal(a->items[i], b->items[i]))
				return 0;
		return 1;
	case J_OBJ:
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
	int n;

	if (key)
		sg_buf_addf(&v->path, "%s%s", keep ? "." : "", key);
	else
		sg_buf_addf(&v->path, "[%zu]", index);
	n = validate(v, schema, inst, quiet);
	v->path.len = keep;
	if (v->path.buf)
		v->path.buf[keep] = '\0';
	return n;
}

static int type_matches(const struct sg_yaml_node *type, enum jtype t,
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

static int validate_object(struct val *v, const struct sg_yaml_node *schema,
			   const struct sg_yaml_node *inst, int quiet)
{
	const struct sg_yaml_node *props = sg_yaml_deref(kw(schema, "properties"));
	const struct sg_yaml_node *pats = sg_yaml_deref(kw(schema, "patternProperties"));
	const struct sg_yaml_node *addl = kw(schema, "additionalProperties");
	const struct sg_yaml_node *req = sg_yaml_deref(kw(schema, "required"));
	const struct sg_yaml_node *lim;
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
	if (!v->partial && (lim = kw(schema, "minProperties")) && sg_yaml_str(lim) &&
	    (double)inst->n < strtod(sg_yaml_str(lim), NULL)) {
		errs++;
		fail(v, quiet, inst, "has %zu keys, fewer than minProperties %s", inst->n,
		     sg_yaml_str(lim));
	}
	if ((lim = kw(schema, "maxProperties")) && sg_yaml_str(lim) &&
	    (double)inst->n > strtod(sg_yaml_str(lim), NULL)) {
		errs++;
		fail(v, quiet, inst, "has %zu keys, more than maxProperties %s", inst->n,
		     sg_yaml_str(lim));
	}
	return errs;
}

static int validate_array(struct val *v, const struct sg_yaml_node *schema,
			  const struct sg_yaml_node *inst, int quiet)
{
	const struct sg_yaml_node *items = sg_yaml_deref(kw(schema, "items"));
	const struct sg_yaml_node *lim;
	int errs = 0;
	size_t i;

	if (items && items->kind == SG_YAML_SEQ) {
		const struct sg_yaml_node *more = kw(schema, "additionalItems");

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
	if ((lim = kw(schema, "minItems")) && sg_yaml_str(lim) &&
	    (double)inst->n < strtod(sg_yaml_str(lim), NULL)) {
		errs++;
		fail(v, quiet, inst, "has %zu items, fewer than minItems %s", inst->n,
		     sg_yaml_str(lim));
	}
	if ((lim = kw(schema, "maxItems")) && sg_yaml_str(lim) &&
	    (double)inst->n > strtod(sg_yaml_str(lim), NULL)) {
		errs++;
		fail(v, quiet, inst, "has %zu items, more than maxItems %s", inst->n,
		     sg_yaml_str(lim));
	}
	if (sg_yaml_bool(kw(schema, "uniqueItems")) == 1) {
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
			   const struct sg_yaml_node *inst, enum jtype t, int quiet)
{
	const struct sg_yaml_node *lim;
	int errs = 0;

	if (t == J_STR) {
		size_t n = utf8_length(inst->value, inst->len);
		const struct sg_yaml_node *pat = sg_yaml_deref(kw(schema, "pattern"));

		if ((lim = kw(schema, "minLength")) && sg_yaml_str(lim) &&
		    (double)n < strtod(sg_yaml_str(lim), NULL)) {
			errs++;
			fail(v, quiet, inst, "`%s` is shorter than minLength %s", inst->value,
			     sg_yaml_str(lim));
		}
		if ((lim = kw(schema, "maxLength")) && sg_yaml_str(lim) &&
		    (double)n > strtod(sg_yaml_str(lim), NULL)) {
			errs++;
			fail(v, quiet, inst, "is %zu characters long, more than maxLength %s", n,
			     sg_yaml_str(lim));
		}
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
	if (t == J_INT || t == J_NUM) {
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

			lim = kw(schema, lims[i].kw);
			if (!lim || !(s = sg_yaml_str(lim)) || sg_yaml_bool(lim) >= 0)
				continue;
			b = strtod(s, NULL);
			bad = lims[i].sign < 0 ? (lims[i].excl ? d <= b : d < b) :
				(lims[i].excl ? d >= b : d > b);
			if (bad) {
				errs++;
				fail(v, quiet, inst, "%s is %s %s", inst->value,
				     lims[i].sign < 0 ? (lims[i].excl ? "not above" : "below") :
				     (lims[i].excl ? "not below" : "above"), s);
			}
		}
		if ((lim = kw(schema, "multipleOf")) && sg_yaml_str(lim)) {
			double m = strtod(sg_yaml_str(lim), NULL);

			if (m > 0 && !is_integral(d / m)) {
				errs++;
				fail(v, quiet, inst, "%s is not a multiple of %s", inst->value,
				     sg_yaml_str(lim));
			}
		}
	}
	return errs;
}

/* For a failed anyOf/oneOf: the one alternative whose type fits the value, if exactly one. */
static const struct sg_yaml_node *best_alternative(const struct sg_yaml_node *alts,
						   enum jtype t, const struct sg_yaml_node *inst)
{
	const struct sg_yaml_node *best = NULL;
	size_t i;

	for (i = 0; i < alts->n; i++) {
		const struct sg_yaml_node *a = sg_yaml_deref(alts->items[i]);
		const struct sg_yaml_node *type = a ? kw(a, "type") : NULL;

		if (!type || !type_matches(type, t, inst))
			continue;
		if (best)
			return NULL;
		best = alts->items[i];
	}
	return best;
}

static int validate_combinators(struct val *v, const struct sg_yaml_node *schema,
				const struct sg_yaml_node *inst, enum jtype t, int quiet)
{
	const struct sg_yaml_node *c;
	int errs = 0;
	size_t i;

	if ((c = sg_yaml_deref(kw(schema, "allOf"))) && c->kind == SG_YAML_SEQ)
		for (i = 0; i < c->n && !(quiet && errs); i++)
			errs += validate(v, c->items[i], inst, quiet);
	if ((c = sg_yaml_deref(kw(schema, "anyOf"))) && c->kind == SG_YAML_SEQ && c->n) {
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
	if ((c = sg_yaml_deref(kw(schema, "oneOf"))) && c->kind == SG_YAML_SEQ && c->n) {
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
	if ((c = kw(schema, "not")) && validate(v, c, inst, 1) == 0) {
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
	enum jtype t;
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
	if (v->depth >= MAX_DEPTH) {
		sg_error("%s: schema nests deeper than %d levels ($ref cycle?)", v->s->name,
			 MAX_DEPTH);
		v->trouble = 1;
		return 0;
	}
	v->depth++;
	if ((c = kw(schema, "$ref")) && sg_yaml_str(c)) {
		const struct sg_yaml_node *target = resolve_ref(v, sg_yaml_str(c));

		/* Draft-07: $ref replaces the keywords next to it. */
		if (target) {
			errs = validate(v, target, inst, quiet);
		} else if (sg_yaml_str(c)[0] == '#') {
			sg_error("%s:%lu:%lu: $ref '%s' points nowhere in the schema", v->s->name,
				 c->start.line, c->start.col, sg_yaml_str(c));
			v->trouble = 1;
		}
		goto out;
	}
	t = type_of(inst);
	if (t == J_UNDEF || (t == J_NULL && v->partial))
		goto out;
	d = sg_yaml_deref(inst);
	if ((c = kw(schema, "type")) && !type_matches(c, t, inst)) {
		struct sg_buf want = SG_BUF_INIT, got = SG_BUF_INIT;

		type_list(&want, c);
		describe(&got, inst);
		fail(v, quiet, inst, "expected %s, got %s %s", sg_buf_str(&want),
		     jtype_names[t], sg_buf_str(&got));
		sg_buf_release(&want);
		sg_buf_release(&got);
		errs++;
		/* The keywords below would only repeat the same mistake. */
		goto out;
	}
	if ((c = sg_yaml_deref(kw(schema, "enum"))) && c->kind == SG_YAML_SEQ) {
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
	if ((c = kw(schema, "const")) && !json_equal(c, inst)) {
		struct sg_buf want = SG_BUF_INIT, got = SG_BUF_INIT;

		describe(&want, c);
		describe(&got, inst);
		fail(v, quiet, inst, "%s must be %s", sg_buf_str(&got), sg_buf_str(&want));
		sg_buf_release(&want);
		sg_buf_release(&got);
		errs++;
	}
	if (!(quiet && errs)) {
		if (t == J_OBJ)
			errs += validate_object(v, schema, d, quiet);
		else if (t == J_ARR)
			errs += validate_array(v, schema, d, quiet);
		else
			errs += validate_scalar(v, schema, d, t, quiet);
	}
	if (!(quiet && errs))
		errs += validate_combinators(v, schema, inst, t, quiet);
out:
	v->depth--;
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

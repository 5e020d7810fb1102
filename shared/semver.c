/*
 * Semantic versions and constraint ranges with helm's reading of them (Masterminds/semver v3,
 * as of 3.4). Hand-written scanners stand in for Masterminds's regular expressions; where the
 * two could differ, the comments say which behaviour of Masterminds is being matched.
 */
#include <limits.h>
#include <string.h>

#include "semver.h"
#include "banned.h"

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Locale-free on purpose: identifiers are ASCII by definition. */
static int is_ident_char(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* Go's \s, which is what Masterminds's patterns skip; no \v. */
static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_x(int c)
{
	return c == 'x' || c == 'X' || c == '*';
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && is_space((unsigned char)*p))
		p++;
	return p;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int copy_span(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/*
 * Digits at *pp into *out, advancing *pp. -1 when there are none or the value does not fit
 * 64 bits: strconv.ParseUint refuses those, so helm does not read them as versions either.
 */
static int read_number(const char **pp, const char *end, unsigned long long *out)
{
	const char *p = *pp;
	unsigned long long n = 0;

	if (p >= end || !is_digit((unsigned char)*p))
		return -1;
	while (p < end && is_digit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (ULLONG_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
		p++;
	}
	*pp = p;
	*out = n;
	return 0;
}

/*
 * Length of the run of dot-separated, non-empty identifiers at s; 0 when there is none. A dot
 * not followed by an identifier is left out, as the regular expression would leave it.
 */
static size_t ident_run(const char *s, const char *end)
{
	const char *p = s;
	const char *good = s;

	for (;;) {
		const char *q = p;

		while (q < end && is_ident_char((unsigned char)*q))
			q++;
		if (q == p)
			break;
		good = q;
		if (q < end && *q == '.') {
			p = q + 1;
			continue;
		}
		break;
	}
	return (size_t)(good - s);
}

/* Masterminds's validatePrerelease: numeric identifiers must not have leading zeros. */
static int pre_zeros_ok(const char *pre)
{
	while (*pre) {
		size_t n = strcspn(pre, ".");

		if (n > 1 && pre[0] == '0' && all_digits(pre, n))
			return 0;
		pre += n;
		if (*pre == '.')
			pre++;
	}
	return 1;
}

/* Optional -prerelease and +metadata at *pp into v; -1 on a bare '-'/'+' or overlong text. */
static int read_extra(const char **pp, const char *end, struct sg_semver *v)
{
	const char *p = *pp;
	size_t n;

	if (p < end && *p == '-') {
		n = ident_run(p + 1, end);
		if (!n || copy_span(v->pre, sizeof(v->pre), p + 1, n) < 0)
			return -1;
		p += 1 + n;
	}
	if (p < end && *p == '+') {
		n = ident_run(p + 1, end);
		if (!n || copy_span(v->meta, sizeof(v->meta), p + 1, n) < 0)
			return -1;
		p += 1 + n;
	}
	*pp = p;
	return 0;
}

static int parse_version(struct sg_semver *out, const char *s, int loose)
{
	struct sg_semver v;
	const char *p = s;
	const char *end;

	if (!out || !s)
		return -1;
	end = s + strlen(s);
	memset(&v, 0, sizeof(v));
	if (p < end && *p == 'v') {
		v.has_v = 1;
		p++;
	}
	if (read_number(&p, end, &v.major) < 0)
		return -1;
	v.parts = 1;
	/* Nothing after the numbers may start with '.', so a '.' not followed by digits fails. */
	if (p < end && *p == '.') {
		p++;
		if (read_number(&p, end, &v.minor) < 0)
			return -1;
		v.parts = 2;
	}
	if (p < end && *p == '.') {
		p++;
		if (read_number(&p, end, &v.patch) < 0)
			return -1;
		v.parts = 3;
	}
	if (read_extra(&p, end, &v) < 0 || p != end)
		return -1;
	if (!loose && !pre_zeros_ok(v.pre))
		return -1;
	*out = v;
	return 0;
}

int sg_semver_parse(struct sg_semver *out, const char *s)
{
	return parse_version(out, s, 0);
}

int sg_semver_parse_loose(struct sg_semver *out, const char *s)
{
	return parse_version(out, s, 1);
}

/* A semver.org numeric identifier: "0" or digits without a leading zero. */
static int strict_number(const char **pp)
{
	const char *p = *pp;

	if (!is_digit((unsigned char)*p))
		return 0;
	if (*p == '0' && is_digit((unsigned char)p[1]))
		return 0;
	while (is_digit((unsigned char)*p))
		p++;
	*pp = p;
	return 1;
}

/* Dot-separated identifiers up to the next '+' or the end; numeric ones checked for zeros. */
static int strict_idents(const char **pp, int check_zeros)
{
	const char *p = *pp;

	for (;;) {
		size_t n = 0;

		while (is_ident_char((unsigned char)p[n]))
			n++;
		if (!n)
			return 0;
		if (check_zeros && n > 1 && p[0] == '0' && all_digits(p, n))
			return 0;
		p += n;
		if (*p != '.')
			break;
		p++;
	}
	*pp = p;
	return 1;
}

int sg_semver_is_strict(const char *s)
{
	const char *p = s;

	if (!s)
		return 0;
	if (!strict_number(&p) || *p++ != '.')
		return 0;
	if (!strict_number(&p) || *p++ != '.')
		return 0;
	if (!strict_number(&p))
		return 0;
	if (*p == '-') {
		p++;
		if (!strict_idents(&p, 1))
			return 0;
	}
	if (*p == '+') {
		p++;
		if (!strict_idents(&p, 0))
			return 0;
	}
	return *p == '\0';
}

static int cmp_ull(unsigned long long a, unsigned long long b)
{
	return (a > b) - (a < b);
}

static int cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
	int ad = all_digits(a, an);
	int bd = all_digits(b, bn);
	size_t m;
	int r;

	if (ad && bd) {
		/*
		 * Compare as decimal strings so that identifiers beyond 64 bits (build
		 * timestamps) still order numerically, as semver.org asks.
		 */
		while (an > 1 && *a == '0') {
			a++;
			an--;
		}
		while (bn > 1 && *b == '0') {
			b++;
			bn--;
		}
		if (an != bn)
			return an < bn ? -1 : 1;
		r = memcmp(a, b, an);
		return (r > 0) - (r < 0);
	}
	if (ad)
		return -1;
	if (bd)
		return 1;
	m = an < bn ? an : bn;
	r = memcmp(a, b, m);
	if (r)
		return r < 0 ? -1 : 1;
	return (an > bn) - (an < bn);
}

/* Both non-empty. */
static int cmp_pre(const char *a, const char *b)
{
	for (;;) {
		size_t an = strcspn(a, ".");
		size_t bn = strcspn(b, ".");
		int r = cmp_ident(a, an, b, bn);

		if (r)
			return r;
		a += an;
		b += bn;
		if (!*a || !*b)
			return (*a != '\0') - (*b != '\0');
		a++;
		b++;
	}
}

int sg_semver_cmp(const struct sg_semver *a, const struct sg_semver *b)
{
	int r;

	if ((r = cmp_ull(a->major, b->major)) || (r = cmp_ull(a->minor, b->minor)) ||
	    (r = cmp_ull(a->patch, b->patch)))
		return r;
	if (!a->pre[0] || !b->pre[0])
		return (a->pre[0] == '\0') - (b->pre[0] == '\0');
	return cmp_pre(a->pre, b->pre);
}

int sg_semver_equal_str(const char *a, const char *b)
{
	struct sg_semver va, vb;

	if (!a || !b)
		return 0;
	if (sg_semver_parse_loose(&va, a) < 0 || sg_semver_parse_loose(&vb, b) < 0)
		return strcmp(a, b) == 0;
	return sg_semver_cmp(&va, &vb) == 0;
}

enum sg_semver_move sg_semver_move(const struct sg_semver *a, const struct sg_semver *b)
{
	if (b->major != a->major)
		return b->major > a->major ? SG_SEMVER_MAJOR : SG_SEMVER_DOWNGRADE;
	if (b->minor != a->minor)
		return b->minor > a->minor ? SG_SEMVER_MINOR : SG_SEMVER_DOWNGRADE;
	if (b->patch != a->patch)
		return b->patch > a->patch ? SG_SEMVER_PATCH : SG_SEMVER_DOWNGRADE;
	return SG_SEMVER_SAME;
}

/* Constraints. "" and "=" share one operator: Masterminds maps both to tilde-or-equal. */
enum op { OP_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_TILDE, OP_CARET };

struct term {
	enum op op;
	int has_op;             /* an operator was written (a hyphen range takes none) */
	struct sg_semver con;   /* the version with wildcards and missing parts as 0 */
	int dirty;              /* some part was a wildcard or missing */
	int minor_dirty;        /* from the minor part on ("1", "1.x") */
	int patch_dirty;        /* only the patch part ("1.2", "1.2.x") */
};

static const struct {
	const char *text;
	enum op op;
} ops[] = {
	/* Two-character operators first so that ">=" is not read as ">" then "=". */
	{ "!=", OP_NE }, { ">=", OP_GE }, { "=>", OP_GE }, { "<=", OP_LE }, { "=<", OP_LE },
	{ "~>", OP_TILDE }, { ">", OP_GT }, { "<", OP_LT }, { "=", OP_EQ }, { "~", OP_TILDE },
	{ "^", OP_CARET },
};

static const char *read_op(const char *p, const char *end, struct term *t)
{
	size_t i;

	t->op = OP_EQ;
	t->has_op = 0;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if ((size_t)(end - p) >= n && !memcmp(p, ops[i].text, n)) {
			t->op = ops[i].op;
			t->has_op = 1;
			return p + n;
		}
	}
	return p;
}

/*
 * One constraint version at *pp ("v1.2.x-beta.1", "*"), advancing *pp. Like Masterminds's
 * parseConstraint, a wildcard or missing part zeroes it and everything after it, keeps the
 * prerelease and drops the metadata; the result must then pass NewVersion, so a prerelease
 * with a leading-zero number is refused.
 */
static int read_cv(const char **pp, const char *end, struct term *t)
{
	const char *p = *pp;
	unsigned long long num[3] = { 0, 0, 0 };
	int wild[3] = { 1, 1, 1 };   /* a missing part counts as a wildcard */
	int i;

	memset(&t->con, 0, sizeof(t->con));
	if (p < end && *p == 'v') {
		t->con.has_v = 1;
		p++;
	}
	for (i = 0; i < 3; i++) {
		if (i) {
			if (p + 1 >= end || *p != '.' ||
			    !(is_digit((unsigned char)p[1]) || is_x((unsigned char)p[1])))
				break;
			p++;
		}
		if (p < end && is_x((unsigned char)*p)) {
			p++;
		} else if (read_number(&p, end, &num[i]) < 0) {
			return -1;
		} else {
			wild[i] = 0;
		}
		/* "1x" or "x1": Masterminds reads one part and fails to make a number of it. */
		if (p < end && (is_digit((unsigned char)*p) || is_x((unsigned char)*p)))
			return -1;
		t->con.parts = i + 1;
	}
	/* A '-' or '+' with no identifier after it is not ours: it may start a hyphen range. */
	if (p < end && *p == '-' && ident_run(p + 1, end)) {
		size_t n = ident_run(p + 1, end);

		if (copy_span(t->con.pre, sizeof(t->con.pre), p + 1, n) < 0)
			return -1;
		p += 1 + n;
	}
	if (p < end && *p == '+' && ident_run(p + 1, end)) {
		size_t n = ident_run(p + 1, end);

		if (copy_span(t->con.meta, sizeof(t->con.meta), p + 1, n) < 0)
			return -1;
		p += 1 + n;
	}
	if (!pre_zeros_ok(t->con.pre))
		return -1;

	t->dirty = t->minor_dirty = t->patch_dirty = 0;
	if (wild[0]) {
		t->dirty = 1;
	} else if (wild[1]) {
		t->dirty = t->minor_dirty = 1;
		t->con.major = num[0];
	} else if (wild[2]) {
		t->dirty = t->patch_dirty = 1;
		t->con.major = num[0];
		t->con.minor = num[1];
	} else {
		t->con.major = num[0];
		t->con.minor = num[1];
		t->con.patch = num[2];
	}
	if (t->dirty)
		t->con.meta[0] = '\0';
	*pp = p;
	return 0;
}

/* The prereleases differ, one side possibly having none. */
static int pre_differs(const char *a, const char *b)
{
	if (!a[0] || !b[0])
		return a[0] != b[0];
	return cmp_pre(a, b) != 0;
}

static int check_ne(const struct term *t, const struct sg_semver *v)
{
	const struct sg_semver *c = &t->con;

	if (t->dirty) {
		if (c->major != v->major)
			return 1;
		if (c->minor != v->minor && !t->minor_dirty)
			return 1;
		else if (t->minor_dirty)
			return 0;
		else if (c->patch != v->patch && !t->patch_dirty)
			return 1;
		else if (t->patch_dirty)
			return pre_differs(v->pre, c->pre);
	}
	return sg_semver_cmp(v, c) != 0;
}

static int check_gt(const struct term *t, const struct sg_semver *v)
{
	const struct sg_semver *c = &t->con;

	if (!t->dirty)
		return sg_semver_cmp(v, c) > 0;
	if (v->major != c->major)
		return v->major > c->major;
	/* ">11" wants 12 or more, ">11.1" wants 11.2 or more. */
	if (t->minor_dirty)
		return 0;
	if (t->patch_dirty)
		return v->minor > c->minor;
	return sg_semver_cmp(v, c) > 0;
}

static int check_le(const struct term *t, const struct sg_semver *v)
{
	const struct sg_semver *c = &t->con;

	if (!t->dirty)
		return sg_semver_cmp(v, c) <= 0;
	if (v->major > c->major)
		return 0;
	if (v->major == c->major && v->minor > c->minor && !t->minor_dirty)
		return 0;
	return 1;
}

static int check_tilde(const struct term *t, const struct sg_semver *v)
{
	const struct sg_semver *c = &t->con;

	if (sg_semver_cmp(v, c) < 0)
		return 0;
	/* "~0.0.0" and "~*" mean any version. */
	if (!c->major && !c->minor && !c->patch && !t->minor_dirty && !t->patch_dirty)
		return 1;
	if (v->major != c->major)
		return 0;
	return v->minor == c->minor || t->minor_dirty;
}

static int check_caret(const struct term *t, const struct sg_semver *v)
{
	const struct sg_semver *c = &t->con;

	if (sg_semver_cmp(v, c) < 0)
		return 0;
	if (c->major > 0 || t->minor_dirty)
		return v->major == c->major;
	/* Below 1.0.0 the minor is the breaking part, below 0.1.0 the patch. */
	if (v->major > 0)
		return 0;
	if (c->minor > 0 || t->patch_dirty)
		return v->minor == c->minor;
	if (v->minor > 0)
		return 0;
	return v->patch == c->patch;
}

static int check_term(const struct term *t, const struct sg_semver *v, int include_pre)
{
	/*
	 * Masterminds (its issue 21) lets a prerelease through only when the AND group asks
	 * for prereleases by naming one.
	 */
	if (v->pre[0] && !include_pre)
		return 0;
	switch (t->op) {
	case OP_EQ:
		return t->dirty ? check_tilde(t, v) : sg_semver_cmp(v, &t->con) == 0;
	case OP_NE:
		return check_ne(t, v);
	case OP_GT:
		return check_gt(t, v);
	case OP_LT:
		return sg_semver_cmp(v, &t->con) < 0;
	case OP_GE:
		return sg_semver_cmp(v, &t->con) >= 0;
	case OP_LE:
		return check_le(t, v);
	case OP_TILDE:
		return check_tilde(t, v);
	case OP_CARET:
		return check_caret(t, v);
	}
	return 0;
}

/*
 * Walk the AND group [s, end): -1 on a syntax error. *has_pre says whether a term names a
 * prerelease; with v given, *all_ok says whether v meets every term.
 */
static int walk_group(const char *s, const char *end, const struct sg_semver *v, int include_pre,
		      int *has_pre, int *all_ok)
{
	const char *p = skip_space(s, end);
	int first = 1;
	int spaced = 0;         /* whitespace followed the previous term */
	int after_range = 0;

	*has_pre = 0;
	*all_ok = 1;
	if (p == end)
		return -1;
	while (p < end) {
		struct term t, hi;
		/*
		 * Masterminds rewrites "a - b" with a pattern that swallows the whitespace before
		 * it, so "1 2 - 3" becomes "1>= 2, <= 3" and fails; after a comma, at the start of
		 * an alternative or after another range there is nothing to swallow.
		 */
		int range_ok = first || after_range;

		if (!first) {
			if (*p == ',') {
				p = skip_space(p + 1, end);
				range_ok = 1;
				if (p == end)
					return -1;
			} else if (!spaced && !after_range) {
				/* The rewrite leaves a space after a range, so none is needed there. */
				return -1;
			}
		}
		p = skip_space(read_op(p, end, &t), end);
		if (read_cv(&p, end, &t) < 0)
			return -1;
		spaced = p < end && is_space((unsigned char)*p);
		p = skip_space(p, end);
		after_range = 0;
		if (!t.has_op && range_ok && spaced && p + 1 < end && *p == '-' &&
		    is_space((unsigned char)p[1])) {
			p = skip_space(p + 1, end);
			if (read_cv(&p, end, &hi) < 0)
				return -1;
			t.op = OP_GE;
			hi.op = OP_LE;
			if (hi.con.pre[0])
				*has_pre = 1;
			if (v && !check_term(&hi, v, include_pre))
				*all_ok = 0;
			spaced = p < end && is_space((unsigned char)*p);
			p = skip_space(p, end);
			after_range = 1;
		}
		if (t.con.pre[0])
			*has_pre = 1;
		if (v && !check_term(&t, v, include_pre))
			*all_ok = 0;
		first = 0;
	}
	return 0;
}

static const char *group_end(const char *s)
{
	const char *e = strstr(s, "||");

	return e ? e : s + strlen(s);
}

int sg_semver_constraint_valid(const char *c)
{
	const char *s = c;
	int has_pre, ok;

	if (!c)
		return 0;
	for (;;) {
		const char *e = group_end(s);

		if (walk_group(s, e, NULL, 0, &has_pre, &ok) < 0)
			return 0;
		if (!*e)
			return 1;
		s = e + 2;
	}
}

int sg_semver_satisfies(const struct sg_semver *v, const char *c)
{
	const char *s = c;
	int has_pre, ok, unused;

	if (!v || !sg_semver_constraint_valid(c))
		return -1;
	for (;;) {
		const char *e = group_end(s);

		/* The first walk learns whether the group opens the door to prereleases. */
		walk_group(s, e, NULL, 0, &has_pre, &unused);
		walk_group(s, e, v, has_pre, &unused, &ok);
		if (ok)
			return 1;
		if (!*e)
			return 0;
		s = e + 2;
	}
}

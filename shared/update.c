/*
 * Parsing of git's hook input. Every field is validated: a hook that misreads its input
 * could let a push through unchecked, so anything unexpected is an error naming the line.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "update.h"
#include "banned.h"

void sg_updates_init(struct sg_updates *u)
{
	memset(u, 0, sizeof(*u));
}

void sg_updates_release(struct sg_updates *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->v[i].ref);
	}
	free(u->v);
	sg_updates_init(u);
}

void sg_updates_add(struct sg_updates *u, const git_oid *old_oid, const git_oid *new_oid,
		    const char *ref)
{
	struct sg_update *up;

	SG_GROW(u->v, u->alloc, u->n + 1);
	up = &u->v[u->n++];
	git_oid_cpy(&up->old_oid, old_oid);
	git_oid_cpy(&up->new_oid, new_oid);
	up->ref = sg_strdup(ref);
}

int sg_oid_is_zero(const git_oid *oid)
{
	return git_oid_is_zero(oid);
}

const char *sg_oid_short(char *buf, const git_oid *oid)
{
	git_oid_tostr(buf, 8, oid);
	return buf;
}

const char *sg_ref_branch(const char *ref)
{
	return strncmp(ref, "refs/heads/", 11) ? ref : ref + 11;
}

/* A printable excerpt of a bad line, so the message itself cannot be garbage. */
static void excerpt(struct sg_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 60; i++)
		sg_buf_addch(b, isprint((unsigned char)s[i]) ? s[i] : '?');
	if (n > 60)
		sg_buf_addstr(b, "...");
}

static int bad_line(const char *what, size_t lineno, const char *s, size_t n, const char *why,
		    const char *expected)
{
	struct sg_buf b = SG_BUF_INIT;

	excerpt(&b, s, n);
	sg_error("%s line %zu: %s in '%s'; expected %s", what, lineno, why, sg_buf_str(&b),
		 expected);
	sg_buf_release(&b);
	return -1;
}

static int parse_oid(git_oid *out, const char *s, size_t n)
{
	size_t i;

	if (n != GIT_OID_HEXSZ)
		return -1;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	return git_oid_fromstrn(out, s, n) < 0 ? -1 : 0;
}

static int valid_ref(const char *ref)
{
	int valid = 0;

	if (git_reference_name_is_valid(&valid, ref) < 0)
		return 0;
	return valid && !strncmp(ref, "refs/", 5);
}

/* Split a line into exactly n space-separated fields. */
static int split(const char *s, size_t len, const char **f, size_t *flen, size_t n)
{
	size_t i = 0, k;

	for (k = 0; k < n; k++) {
		size_t start = i;

		while (i < len && s[i] != ' ')
			i++;
		f[k] = s + start;
		flen[k] = i - start;
		if (!flen[k])
			return -1;
		if (k + 1 < n) {
			if (i >= len)
				return -1;
			i++;
		}
	}
	return i == len ? 0 : -1;
}

typedef int (*line_fn)(struct sg_updates *u, const char *s, size_t n, const char *what,
		       size_t lineno);

static int each_line(struct sg_updates *u, const char *text, size_t len, const char *what,
		     line_fn fn)
{
	size_t pos = 0, lineno = 0;

	if (memchr(text, '\0', len))
		return sg_error("%s holds a NUL byte: this is not git's hook input", what);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		size_t advance = n + (nl ? 1 : 0);

		lineno++;
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (n && fn(u, text + pos, n, what, lineno) < 0)
			return -1;
		pos += advance;
	}
	return 0;
}

static int receive_line(struct sg_updates *u, const char *s, size_t n, const char *what,
			size_t lineno)
{
	static const char expected[] = "'<old-oid> <new-oid> <refname>'";
	const char *f[3];
	size_t fl[3];
	git_oid o, nw;
	char *ref;

	if (split(s, n, f, fl, 3) < 0)
		return bad_line(what, lineno, s, n, "wrong number of fields", expected);
	if (parse_oid(&o, f[0], fl[0]) < 0)
		return bad_line(what, lineno, s, n, "bad old object id", expected);
	if (parse_oid(&nw, f[1], fl[1]) < 0)
		return bad_line(what, lineno, s, n, "bad new object id", expected);
	ref = sg_strndup(f[2], fl[2]);
	if (!valid_ref(ref)) {
		free(ref);
		return bad_line(what, lineno, s, n, "bad ref name", expected);
	}
	sg_updates_add(u, &o, &nw, ref);
	free(ref);
	return 0;
}

static int push_line(struct sg_updates *u, const char *s, size_t n, const char *what,
		     size_t lineno)
{
	static const char expected[] = "'<local-ref> <local-oid> <remote-ref> <remote-oid>'";
	const char *f[4];
	size_t fl[4];
	git_oid local, remote;
	char *rref;
	int ret = 0;

	/* The local side is whatever the user typed (a branch, a SHA, HEAD~1, "(delete)"):
	 * only what it names, the oid, and the ref it updates matter. */
	if (split(s, n, f, fl, 4) < 0)
		return bad_line(what, lineno, s, n, "wrong number of fields", expected);
	if (parse_oid(&local, f[1], fl[1]) < 0)
		return bad_line(what, lineno, s, n, "bad local object id", expected);
	if (parse_oid(&remote, f[3], fl[3]) < 0)
		return bad_line(what, lineno, s, n, "bad remote object id", expected);
	rref = sg_strndup(f[2], fl[2]);
	if (!valid_ref(rref))
		ret = bad_line(what, lineno, s, n, "bad remote ref name", expected);
	else
		sg_updates_add(u, &remote, &local, rref);
	free(rref);
	return ret;
}

int sg_updates_parse_receive(struct sg_updates *u, const char *text, size_t len,
			     const char *what)
{
	return each_line(u, text, len, what, receive_line);
}

int sg_updates_parse_push(struct sg_updates *u, const char *text, size_t len, const char *what)
{
	return each_line(u, text, len, what, push_line);
}

int sg_updates_parse_args(struct sg_updates *u, const char *ref, const char *old_hex,
			  const char *new_hex)
{
	git_oid o, n;

	if (!valid_ref(ref))
		return sg_error("update hook: bad ref name '%s'", ref);
	if (parse_oid(&o, old_hex, strlen(old_hex)) < 0)
		return sg_error("update hook: bad old object id '%s'", old_hex);
	if (parse_oid(&n, new_hex, strlen(new_hex)) < 0)
		return sg_error("update hook: bad new object id '%s'", new_hex);
	sg_updates_add(u, &o, &n, ref);
	return 0;
}

void sg_updates_write(const struct sg_updates *u, struct sg_buf *out)
{
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	size_t i;

	for (i = 0; i < u->n; i++) {
		git_oid_tostr(a, sizeof(a), &u->v[i].old_oid);
		git_oid_tostr(b, sizeof(b), &u->v[i].new_oid);
		sg_buf_addf(out, "%s %s %s\n", a, b, u->v[i].ref);
	}
}

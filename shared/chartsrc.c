/*
 * The last-change walk behind chart versions, done as git's default history simplification
 * does it, plus chartpress's rules for which paths version a chart and the verdict on a
 * version. Everything reads the object database only; nothing is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chartsrc.h"
#include "helmindex.h"
#include "regex.h"
#include "repo.h"
#include "yamldoc.h"
#include "banned.h"

#define MAX_COMPONENT 4096

/*
 * Compare one path between two trees (either may be NULL: no tree). Descends only while the
 * entries differ, so an unchanged top directory costs one lookup in each root tree.
 * Returns 1 same, 0 different, -1 error.
 */
static int path_same(git_repository *repo, git_tree *a, git_tree *b, const char *path)
{
	git_tree *ta = a, *tb = b;
	char name[MAX_COMPONENT];
	const char *p = path;
	int ret = -1;

	if (!*path)
		return (!a && !b) || (a && b && git_oid_equal(git_tree_id(a), git_tree_id(b)));
	for (;;) {
		size_t len = strcspn(p, "/");
		const git_tree_entry *ea, *eb;
		git_tree *na = NULL, *nb = NULL;
		int last = p[len] == '\0';

		if (len >= sizeof(name)) {
			ret = 0;
			goto out;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		ea = ta ? git_tree_entry_byname(ta, name) : NULL;
		eb = tb ? git_tree_entry_byname(tb, name) : NULL;
		if (!ea && !eb) {
			ret = 1;
			goto out;
		}
		if (ea && eb && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
		    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb)) {
			ret = 1;
			goto out;
		}
		if (last) {
			ret = 0;
			goto out;
		}
		/* A blob where the path wants a directory holds nothing of the path. */
		if (ea && git_tree_entry_type(ea) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&na, repo, git_tree_entry_id(ea)) < 0)
			goto fail;
		if (eb && git_tree_entry_type(eb) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&nb, repo, git_tree_entry_id(eb)) < 0) {
			git_tree_free(na);
			goto fail;
		}
		if (ta != a)
			git_tree_free(ta);
		if (tb != b)
			git_tree_free(tb);
		ta = na;
		tb = nb;
		p += len + 1;
		if (!ta && !tb) {
			ret = 1;
			goto out;
		}
	}
fail:
	ret = sg_error_git(-1, "cannot read a tree for '%s'", path);
out:
	if (ta != a)
		git_tree_free(ta);
	if (tb != b)
		git_tree_free(tb);
	return ret;
}

/* 1 when every path is the same in both trees, 0 when one differs, -1 on error. */
static int treesame(git_repository *repo, git_tree *a, git_tree *b, char *const *paths)
{
	size_t i;

	if (a && b && git_oid_equal(git_tree_id(a), git_tree_id(b)))
		return 1;
	for (i = 0; paths[i]; i++) {
		int r = path_same(repo, a, b, paths[i]);

		if (r <= 0)
			return r;
	}
	return 1;
}

/*
 * A commit as the walk needs it: its tree and parents, read straight from the object
 * database. git_commit_lookup would also parse the signatures and copy the message of every
 * commit walked past, which is most of the cost on a long history.
 */
struct rcommit {
	git_oid id;
	git_oid *parents;
	unsigned n;
	git_tree *tree;
};

static void rcommit_release(struct rcommit *c)
{
	free(c->parents);
	git_tree_free(c->tree);
	memset(c, 0, sizeof(*c));
}

/* Parse "tree <hex>\n(parent <hex>\n)*" at the head of a raw commit. */
static int parse_header(struct rcommit *c, git_oid *tree, const char *d, size_t len)
{
	const char *end = d + len;
	size_t alloc = 0;

	if (len < 46 || memcmp(d, "tree ", 5) || git_oid_fromstrn(tree, d + 5, 40) < 0 ||
	    d[45] != '\n')
		return -1;
	d += 46;
	while (end - d >= 48 && !memcmp(d, "parent ", 7) && d[47] == '\n') {
		SG_GROW(c->parents, alloc, c->n + 1);
		if (git_oid_fromstrn(&c->parents[c->n], d + 7, 40) < 0)
			return -1;
		c->n++;
		d += 48;
	}
	return 0;
}

static int rcommit_read(struct rcommit *c, git_odb *odb, git_repository *repo,
			const git_oid *id, int want_tree)
{
	git_odb_object *obj = NULL;
	git_oid tree;
	char hex[GIT_OID_HEXSZ + 1];
	int err;

	memset(c, 0, sizeof(*c));
	git_oid_cpy(&c->id, id);
	err = git_odb_read(&obj, odb, id);
	if (err < 0)
		goto fail;
	if (git_odb_object_type(obj) != GIT_OBJECT_COMMIT ||
	    parse_header(c, &tree, git_odb_object_data(obj), git_odb_object_size(obj)) < 0) {
		git_odb_object_free(obj);
		rcommit_release(c);
		return sg_error("commit %s is corrupt", git_oid_tostr(hex, sizeof(hex), id));
	}
	git_odb_object_free(obj);
	if (want_tree && (err = git_tree_lookup(&c->tree, repo, &tree)) < 0)
		goto fail;
	return 0;
fail:
	rcommit_release(c);
	return sg_error_git(err, "cannot read commit %s", git_oid_tostr(hex, sizeof(hex), id));
}

/*
 * One step of git's simplification for commit c. Returns 1 when c is a change, 0 when it is
 * not (*next then holds the one parent git follows), -1.
 */
static int step(struct rcommit *next, git_odb *odb, git_repository *repo, struct rcommit *c,
		char *const *paths)
{
	unsigned i;

	memset(next, 0, sizeof(*next));
	if (!c->n) {
		int r = treesame(repo, NULL, c->tree, paths);

		return r < 0 ? -1 : !r;
	}
	for (i = 0; i < c->n; i++) {
		struct rcommit p;
		int r;

		if (rcommit_read(&p, odb, repo, &c->parents[i], 1) < 0)
			return -1;
		r = treesame(repo, p.tree, c->tree, paths);
		if (r == 1) {
			*next = p;
			return 0;
		}
		rcommit_release(&p);
		if (r < 0)
			return -1;
	}
	return 1;
}

/*
 * Every commit the walk passes before it finds a change follows exactly one parent (a commit
 * that follows several is a merge different from all of them, hence itself the change), so
 * git's date-ordered queue never holds more than one commit here: a chain walk is exact.
 */
int sg_chartsrc_last_change(git_oid *out, git_repository *repo, const git_oid *from,
			    char *const *paths, size_t *walked)
{
	struct rcommit c, next;
	git_odb *odb = NULL;
	size_t seen = 0;
	int err, ret = -1;

	memset(&c, 0, sizeof(c));
	if ((err = git_repository_odb(&odb, repo)) < 0)
		return sg_error_git(err, "cannot open the object database");
	if (rcommit_read(&c, odb, repo, from, 1) < 0)
		goto out;
	for (;;) {
		int r;

		seen++;
		r = step(&next, odb, repo, &c, paths);
		if (r < 0)
			goto out;
		if (r == 1) {
			git_oid_cpy(out, &c.id);
			ret = 0;
			goto out;
		}
		if (!next.tree) {
			ret = SG_CHARTSRC_NONE;
			goto out;
		}
		rcommit_release(&c);
		c = next;
	}
out:
	if (walked)
		*walked = seen;
	rcommit_release(&c);
	git_odb_free(odb);
	return ret;
}

int sg_chartsrc_is_change(git_repository *repo, const git_oid *commit, char *const *paths)
{
	struct rcommit c, next;
	git_odb *odb = NULL;
	int err, r = -1;

	if ((err = git_repository_odb(&odb, repo)) < 0)
		return sg_error_git(err, "cannot open the object database");
	if (rcommit_read(&c, odb, repo, commit, 1) == 0) {
		r = step(&next, odb, repo, &c, paths);
		rcommit_release(&next);
		rcommit_release(&c);
	}
	git_odb_free(odb);
	return r;
}

/* Open addressing on the oid's first bytes, which are already uniformly distributed. */
struct oidset {
	git_oid *v;
	unsigned char *used;
	size_t cap, n;
};

static size_t oid_hash(const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h;
}

static void oidset_grow(struct oidset *s);

/* 1 when added, 0 when it was there. */
static int oidset_add(struct oidset *s, const git_oid *id)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap)
		oidset_grow(s);
	for (i = oid_hash(id) & (s->cap - 1); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (git_oid_equal(&s->v[i], id))
			return 0;
	s->used[i] = 1;
	git_oid_cpy(&s->v[i], id);
	s->n++;
	return 1;
}

static void oidset_grow(struct oidset *s)
{
	struct oidset bigger;
	size_t i;

	bigger.cap = s->cap ? s->cap * 2 : 1024;
	bigger.n = 0;
	bigger.v = sg_malloc(bigger.cap * sizeof(*bigger.v));
	bigger.used = sg_calloc(bigger.cap, 1);
	for (i = 0; i < s->cap; i++)
		if (s->used[i])
			oidset_add(&bigger, &s->v[i]);
	free(s->v);
	free(s->used);
	*s = bigger;
}

/*
 * Every commit reachable from commit, each read once for its parent lines only: libgit2's
 * revwalk also keeps a date-ordered queue and commit list nodes, which costs more than the
 * reading itself on a long history.
 */
int sg_chartsrc_count(size_t *out, git_repository *repo, const git_oid *commit)
{
	struct oidset seen = { NULL, NULL, 0, 0 };
	git_oid *stack = NULL;
	size_t n = 0, alloc = 0;
	git_odb *odb = NULL;
	int err, ret = -1;

	*out = 0;
	if ((err = git_repository_odb(&odb, repo)) < 0)
		return sg_error_git(err, "cannot open the object database");
	SG_GROW(stack, alloc, 1);
	git_oid_cpy(&stack[n++], commit);
	oidset_add(&seen, commit);
	while (n) {
		struct rcommit c;
		git_oid id;
		unsigned i;

		git_oid_cpy(&id, &stack[--n]);
		if (rcommit_read(&c, odb, repo, &id, 0) < 0)
			goto out;
		for (i = 0; i < c.n; i++) {
			if (!oidset_add(&seen, &c.parents[i]))
				continue;
			SG_GROW(stack, alloc, n + 1);
			git_oid_cpy(&stack[n++], &c.parents[i]);
		}
		rcommit_release(&c);
	}
	*out = seen.n;
	ret = 0;
out:
	free(stack);
	free(seen.v);
	free(seen.used);
	git_odb_free(odb);
	return ret;
}

char *sg_chartsrc_norm_path(const char *base, const char *path)
{
	struct sg_buf in = SG_BUF_INIT, out = SG_BUF_INIT;
	const char *p;

	if (!path || path[0] == '/')
		return NULL;
	if (base && *base)
		sg_buf_addf(&in, "%s/", base);
	sg_buf_addstr(&in, path);
	p = sg_buf_str(&in);
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (!out.len) {
				sg_buf_release(&in);
				sg_buf_release(&out);
				return NULL;
			}
			slash = strrchr(out.buf, '/');
			out.len = slash ? (size_t)(slash - out.buf) : 0;
			out.buf[out.len] = '\0';
		} else {
			if (out.len)
				sg_buf_addch(&out, '/');
			sg_buf_add(&out, p, len);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	sg_buf_release(&in);
	if (!out.buf)
		return sg_strdup("");
	return sg_buf_detach(&out);
}

struct strv {
	char **v;
	size_t n, alloc;
};

/* Add base/path unless it is already there; paths leaving the repository are dropped. */
static void strv_add_path(struct strv *s, const char *base, const char *path)
{
	char *p = sg_chartsrc_norm_path(base, path);
	size_t i;

	if (!p)
		return;
	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->v[i], p)) {
			free(p);
			return;
		}
	}
	SG_GROW(s->v, s->alloc, s->n + 2);
	s->v[s->n++] = p;
	s->v[s->n] = NULL;
}

static void add_list(struct strv *s, const char *base, const struct sg_yaml_node *list)
{
	size_t i;

	list = sg_yaml_deref(list);
	if (!list)
		return;
	if (list->kind == SG_YAML_SCALAR && !sg_yaml_is_null(list)) {
		strv_add_path(s, base, list->value);
		return;
	}
	if (list->kind != SG_YAML_SEQ)
		return;
	for (i = 0; i < list->n; i++) {
		const char *v = sg_yaml_str(sg_yaml_deref(list->items[i]));

		if (v)
			strv_add_path(s, base, v);
	}
}

static const char *str_or(const struct sg_yaml_node *n, const char *dflt)
{
	const char *s = sg_yaml_str(n);

	return s && *s && !sg_yaml_is_null(n) ? s : dflt;
}

/* chartpress 0.5+ (_get_all_chart_paths and _get_all_image_paths). */
static void modern_paths(struct strv *s, const char *base, const struct sg_yaml_node *chart)
{
	const struct sg_yaml_node *images = sg_yaml_get(chart, "images");
	size_t i;

	strv_add_path(s, base, "chartpress.yaml");
	strv_add_path(s, base, sg_yaml_str(sg_yaml_get(chart, "name")));
	add_list(s, base, sg_yaml_get(chart, "paths"));
	if (!images || images->kind != SG_YAML_MAP)
		return;
	for (i = 0; i < images->n; i++) {
		const char *name = sg_yaml_str(images->items[2 * i]);
		const struct sg_yaml_node *opt = sg_yaml_deref(images->items[2 * i + 1]);
		struct sg_buf ctxp = SG_BUF_INIT, dockerfile = SG_BUF_INIT;
		const char *cp, *df;

		if (!name)
			continue;
		if (opt && opt->kind != SG_YAML_MAP)
			opt = NULL;
		sg_buf_addf(&ctxp, "images/%s", name);
		cp = str_or(opt ? sg_yaml_get(opt, "contextPath") : NULL, sg_buf_str(&ctxp));
		sg_buf_addf(&dockerfile, "%s/Dockerfile", cp);
		df = str_or(opt ? sg_yaml_get(opt, "dockerfilePath") : NULL,
			    sg_buf_str(&dockerfile));
		if (!opt || sg_yaml_bool(sg_yaml_get(opt, "rebuildOnContextPathChanges")) != 0)
			strv_add_path(s, base, cp);
		strv_add_path(s, base, df);
		if (opt)
			add_list(s, base, sg_yaml_get(opt, "paths"));
		sg_buf_release(&ctxp);
		sg_buf_release(&dockerfile);
	}
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

int sg_chartsrc_chartpress_paths(char ***out, git_repository *repo, const git_oid *commit,
				 const char *cp_path, const char *chart, int modern,
				 struct sg_buf *why)
{
	static const char *const tries[] = { "chartpress.yaml", "helm-chart/chartpress.yaml" };
	struct sg_buf text = SG_BUF_INIT;
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;
	const struct sg_yaml_node *charts, *found = NULL;
	const char *used = NULL;
	char *base = NULL;
	struct strv s = { NULL, 0, 0 };
	size_t i;
	int r, ret = -1;

	*out = NULL;
	for (i = 0; i < (cp_path ? 1 : sizeof(tries) / sizeof(tries[0])); i++) {
		used = cp_path ? cp_path : tries[i];
		sg_buf_reset(&text);
		r = sg_repo_read_at(&text, NULL, repo, commit, used);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		used = NULL;
	}
	if (!used) {
		sg_buf_addf(why, "no %s at that commit", cp_path ? cp_path : "chartpress.yaml");
		ret = SG_CHARTSRC_NONE;
		goto out;
	}
	if (sg_yaml_parse(&doc, sg_buf_str(&text), text.len, 0, &err) < 0) {
		sg_buf_addf(why, "%s does not parse at that commit: %s", used, err.problem);
		ret = SG_CHARTSRC_NONE;
		goto out;
	}
	charts = sg_yaml_get(sg_yaml_root(doc), "charts");
	for (i = 0; charts && charts->kind == SG_YAML_SEQ && i < charts->n; i++) {
		const struct sg_yaml_node *c = sg_yaml_deref(charts->items[i]);
		const char *name = sg_yaml_str(sg_yaml_get(c, "name"));

		if (!c || c->kind != SG_YAML_MAP || !name)
			continue;
		if (!chart || !strcmp(name, chart) || !strcmp(basename_of(name), chart)) {
			if (!chart && found) {
				sg_buf_addf(why, "%s lists several charts: name one", used);
				ret = SG_CHARTSRC_NONE;
				goto out;
			}
			found = c;
		}
	}
	if (!found) {
		sg_buf_addf(why, "%s has no chart%s%s at that commit", used, chart ? " " : "",
			    chart ? chart : "");
		ret = SG_CHARTSRC_NONE;
		goto out;
	}
	base = sg_strndup(used, (size_t)(basename_of(used) - used));
	if (*base)
		base[strlen(base) - 1] = '\0';
	if (modern) {
		modern_paths(&s, base, found);
	} else {
		/* chartpress before 0.5: ['.'] + paths, relative to chartpress.yaml */
		strv_add_path(&s, base, ".");
		add_list(&s, base, sg_yaml_get(found, "paths"));
	}
	if (!s.v)
		s.v = sg_calloc(1, sizeof(char *));
	*out = s.v;
	s.v = NULL;
	ret = 0;
out:
	sg_strv_free(s.v);
	free(base);
	sg_yaml_free(doc);
	sg_buf_release(&text);
	return ret;
}

const char *sg_chartsrc_verdict_name(enum sg_chartsrc_verdict v)
{
	switch (v) {
	case SG_VERDICT_OK: return "ok";
	case SG_VERDICT_SKIPPED: return "skipped";
	case SG_VERDICT_COUNT_MISMATCH: return "count-mismatch";
	case SG_VERDICT_UNPUBLISHED: return "unpublished";
	case SG_VERDICT_NOT_A_CHANGE: return "not-a-chart-change";
	case SG_VERDICT_AMBIGUOUS: return "ambiguous";
	case SG_VERDICT_UNKNOWN_COMMIT: return "unknown-commit";
	case SG_VERDICT_NO_PATHS: return "no-paths";
	case SG_VERDICT_SHALLOW: return "shallow";
	}
	return "?";
}

int sg_chartsrc_verdict_is_error(enum sg_chartsrc_verdict v)
{
	return v != SG_VERDICT_OK && v != SG_VERDICT_SKIPPED && v != SG_VERDICT_COUNT_MISMATCH;
}

void sg_chartsrc_result_release(struct sg_chartsrc_result *r)
{
	sg_strv_free(r->paths);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

void sg_chartsrc_paths_text(struct sg_buf *b, char *const *paths)
{
	size_t i;

	for (i = 0; paths && paths[i]; i++) {
		if (i == 4) {
			sg_buf_addstr(b, ", ...");
			break;
		}
		sg_buf_addf(b, "%s%s", i ? ", " : "", paths[i][0] ? paths[i] : ".");
	}
}

void sg_chartsrc_fetch_hint(struct sg_buf *out, const char *dir)
{
	if (dir && strcmp(dir, "."))
		sg_buf_addf(out, "git -C '%s' fetch --unshallow", dir);
	else
		sg_buf_addstr(out, "git fetch --unshallow");
}

static int is_modern(const struct sg_chartver *v)
{
	return v->format == SG_CHARTVER_N || v->format == SG_CHARTVER_GIT;
}

static int has_count(const struct sg_chartver *v)
{
	return is_modern(v);
}

/* The paths for a version: given, or chartpress's at commit (plus the chart directory when
 * the source says which). 0, SG_CHARTSRC_NONE, -1. */
static int paths_for(char ***out, const struct sg_chartsrc *src, const git_oid *commit,
		     int modern, struct sg_buf *why)
{
	size_t i, n = 0;
	int r;

	*out = NULL;
	if (src->paths) {
		while (src->paths[n])
			n++;
		*out = sg_calloc(n + 1, sizeof(char *));
		for (i = 0; i < n; i++) {
			char *p = sg_chartsrc_norm_path("", src->paths[i]);

			(*out)[i] = p ? p : sg_strdup(src->paths[i]);
		}
		return 0;
	}
	r = sg_chartsrc_chartpress_paths(out, src->repo, commit, src->chartpress, src->chart,
					 modern, why);
	if (r < 0 || !src->chart_dir)
		return r;
	if (!*out)
		*out = sg_calloc(1, sizeof(char *));
	for (i = 0; (*out)[i]; i++)
		if (!strcmp((*out)[i], src->chart_dir))
			return 0;
	*out = sg_realloc(*out, (i + 2) * sizeof(char *));
	(*out)[i] = sg_strdup(src->chart_dir);
	(*out)[i + 1] = NULL;
	return 0;
}

/* Abbreviate at least as long as written, and long enough to be unique. */
static void abbrev(char *out, size_t n, git_repository *repo, const git_oid *oid, size_t len)
{
	git_object *obj = NULL;
	git_buf b = { NULL, 0, 0 };
	size_t want = len < 7 ? 7 : len;

	if (git_object_lookup(&obj, repo, oid, GIT_OBJECT_COMMIT) == 0 &&
	    git_object_short_id(&b, obj) == 0 && b.size > want)
		want = b.size;
	git_buf_dispose(&b);
	git_object_free(obj);
	if (want > GIT_OID_HEXSZ)
		want = GIT_OID_HEXSZ;
	if (want + 1 > n)
		want = n - 1;
	git_oid_tostr(out, want + 1, oid);
}

static int format_for(char *out, size_t n, const struct sg_chartsrc *src,
		      const struct sg_chartver *like, const git_oid *commit)
{
	char sha[GIT_OID_HEXSZ + 1];
	size_t count = 0;
	long cnt = like->count;

	abbrev(sha, sizeof(sha), src->repo, commit, strlen(like->sha));
	if (has_count(like)) {
		if (sg_chartsrc_count(&count, src->repo, commit) < 0)
			return -1;
		cnt = (long)count;
	}
	if (sg_chartver_format(out, n, like, sha, cnt) < 0)
		return sg_error("cannot write a version like '%s-...' for %s", like->base, sha);
	return 0;
}

int sg_chartsrc_verify(struct sg_chartsrc_result *out, const struct sg_chartsrc *src,
		       const char *version)
{
	struct sg_chartsrc_result r;
	struct sg_buf why = SG_BUF_INIT;
	git_oid prefix;
	git_commit *c = NULL;
	size_t len;
	int err, ret = -1;

	memset(&r, 0, sizeof(r));
	r.published = -1;
	r.suggested_published = -1;
	if (sg_chartver_parse(&r.ver, version) < 0) {
		r.verdict = SG_VERDICT_SKIPPED;
		r.detail = sg_strdup("not a version");
		goto done;
	}
	if (r.ver.format == SG_CHARTVER_NONE) {
		r.verdict = SG_VERDICT_SKIPPED;
		goto done;
	}
	if (git_repository_is_shallow(src->repo) == 1) {
		r.verdict = SG_VERDICT_SHALLOW;
		goto done;
	}
	len = strlen(r.ver.sha);
	if (git_oid_fromstrn(&prefix, r.ver.sha, len) < 0) {
		r.verdict = SG_VERDICT_UNKNOWN_COMMIT;
		goto done;
	}
	err = git_commit_lookup_prefix(&c, src->repo, &prefix, len);
	if (err == GIT_EAMBIGUOUS) {
		r.verdict = SG_VERDICT_AMBIGUOUS;
		git_error_clear();
		goto done;
	}
	if (err < 0) {
		/* Missing, or an object that is no commit: either way it names no commit. */
		r.verdict = SG_VERDICT_UNKNOWN_COMMIT;
		git_error_clear();
		goto done;
	}
	r.has_commit = 1;
	git_oid_cpy(&r.commit, git_commit_id(c));

	err = paths_for(&r.paths, src, &r.commit, is_modern(&r.ver), &why);
	if (err < 0)
		goto out;
	if (err == SG_CHARTSRC_NONE) {
		r.verdict = SG_VERDICT_NO_PATHS;
		r.detail = sg_buf_detach(&why);
		goto done;
	}
	err = sg_chartsrc_last_change(&r.last_change, src->repo, &r.commit, r.paths, NULL);
	if (err < 0)
		goto out;
	r.has_last_change = err == 0;
	if (!r.has_last_change || !git_oid_equal(&r.last_change, &r.commit)) {
		r.verdict = SG_VERDICT_NOT_A_CHANGE;
		if (r.has_last_change &&
		    format_for(r.suggested, sizeof(r.suggested), src, &r.ver, &r.last_change) < 0)
			goto out;
	}
	if (has_count(&r.ver)) {
		if (sg_chartsrc_count(&r.count, src->repo, &r.commit) < 0)
			goto out;
		r.count_mismatch = r.ver.count < 0 || (size_t)r.ver.count != r.count;
	}
	if (src->index && src->chart) {
		r.published = sg_helmindex_has(src->index, src->chart, version);
		if (r.suggested[0])
			r.suggested_published = sg_helmindex_has(src->index, src->chart,
								 r.suggested);
	}
	if (r.verdict == SG_VERDICT_OK) {
		if (r.published == 0)
			r.verdict = SG_VERDICT_UNPUBLISHED;
		else if (r.count_mismatch)
			r.verdict = SG_VERDICT_COUNT_MISMATCH;
	}
done:
	*out = r;
	memset(&r, 0, sizeof(r));
	ret = 0;
out:
	sg_chartsrc_result_release(&r);
	git_commit_free(c);
	sg_buf_release(&why);
	return ret;
}

/* The newest published version whose commit the tip contains. */
static int latest_published(char *out, size_t n, git_oid *commit_out,
			    const struct sg_chartsrc *src, const git_oid *tip)
{
	const char *v;
	git_time_t best_time = 0;
	int found = 0;
	size_t i;

	for (i = 0; (v = sg_helmindex_version(src->index, src->chart, i)); i++) {
		struct sg_chartver cv;
		git_oid prefix;
		git_commit *c = NULL;
		size_t len;

		if (sg_chartver_parse(&cv, v) < 0 || cv.format == SG_CHARTVER_NONE)
			continue;
		len = strlen(cv.sha);
		if (git_oid_fromstrn(&prefix, cv.sha, len) < 0 ||
		    git_commit_lookup_prefix(&c, src->repo, &prefix, len) < 0) {
			git_error_clear();
			continue;
		}
		if (sg_repo_is_ancestor(src->repo, git_commit_id(c), tip) == 1 &&
		    (!found || git_commit_time(c) > best_time)) {
			found = 1;
			best_time = git_commit_time(c);
			snprintf(out, n, "%s", v);
			if (commit_out)
				git_oid_cpy(commit_out, git_commit_id(c));
		}
		git_commit_free(c);
	}
	if (!found) {
		sg_error("no published version of '%s' in '%s' names a commit of the source",
			 src->chart, src->index->where);
		return SG_CHARTSRC_NONE;
	}
	return 0;
}

int sg_chartsrc_latest(char *out, size_t n, git_oid *commit_out, const struct sg_chartsrc *src,
		       const char *ref, const char *like, int published)
{
	struct sg_chartver cv;
	struct sg_buf why = SG_BUF_INIT;
	char **paths = NULL;
	git_oid tip, last;
	int r, ret = -1;

	out[0] = '\0';
	if (git_repository_is_shallow(src->repo) == 1) {
		sg_chartsrc_fetch_hint(&why, src->dir);
		sg_error("history of '%s' is shallow: the last chart change needs full history; "
			 "run '%s'", src->dir ? src->dir : ".", sg_buf_str(&why));
		goto out;
	}
	if (sg_repo_resolve(&tip, src->repo, ref ? ref : "HEAD") < 0)
		goto out;
	if (published) {
		if (!src->index || !src->chart) {
			sg_error("--published needs a chart name and an index");
			goto out;
		}
		ret = latest_published(out, n, commit_out, src, &tip);
		goto out;
	}
	if (sg_chartver_parse(&cv, like) < 0 || cv.format == SG_CHARTVER_NONE) {
		sg_error("'%s' carries no commit: cannot tell which version layout to write",
			 like);
		goto out;
	}
	r = paths_for(&paths, src, &tip, is_modern(&cv), &why);
	if (r == SG_CHARTSRC_NONE) {
		sg_error("cannot tell the chart's paths: %s (give them with --path)",
			 sg_buf_str(&why));
		ret = r;
		goto out;
	}
	if (r < 0)
		goto out;
	r = sg_chartsrc_last_change(&last, src->repo, &tip, paths, NULL);
	if (r == SG_CHARTSRC_NONE) {
		sg_error("no commit of '%s' touches the chart's paths", ref ? ref : "HEAD");
		ret = r;
		goto out;
	}
	if (r < 0 || format_for(out, n, src, &cv, &last) < 0)
		goto out;
	if (commit_out)
		git_oid_cpy(commit_out, &last);
	ret = 0;
out:
	sg_strv_free(paths);
	sg_buf_release(&why);
	return ret;
}

void sg_chartsrc_fast_reads(void)
{
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
}

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
			    char *const *paths)
{
	struct rcommit c, next;
	git_odb *odb = NULL;
	int err, ret = -1;

	memset(&c, 0, sizeof(c));
	if ((err = git_repository_odb(&odb, repo)) < 0)
		return sg_error_git(err, "cannot open the object database");
	if (rcommit_read(&c, odb, repo, from, 1) < 0)
		goto out;
	for (;;) {
		int r = step(&next, odb, repo, &c, paths);

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

static int oidset_has(const struct oidset *s, const git_oid *id)
{
	size_t i;

	if (!s->cap)
		return 0;
	for (i = oid_hash(id) & (s->cap - 1); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (git_oid_equal(&s->v[i], id))
			return 1;
	return 0;
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

static void oidset_release(struct oidset *s)
{
	free(s->v);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

/*
 * Every commit reachable from commit into *seen, each read once for its parent lines only:
 * libgit2's revwalk also keeps a date-ordered queue and commit list nodes, which costs more
 * than the reading itself on a long history. 0 or -1.
 */
static int reachable(struct oidset *seen, git_repository *repo, const git_oid *commit)
{
	git_oid *stack = NULL;
	size_t n = 0, alloc = 0;
	git_odb *odb = NULL;
	int err, ret = -1;

	if ((err = git_repository_odb(&odb, repo)) < 0)
		return sg_error_git(err, "cannot open the object database");
	SG_GROW(stack, alloc, 1);
	git_oid_cpy(&stack[n++], commit);
	oidset_add(seen, commit);
	while (n) {
		struct rcommit c;
		git_oid id;
		unsigned i;

		git_oid_cpy(&id, &stack[--n]);
		if (rcommit_read(&c, odb, repo, &id, 0) < 0)
			goto out;
		for (i = 0; i < c.n; i++) {
			if (!oidset_add(seen, &c.parents[i]))
				continue;
			SG_GROW(stack, alloc, n + 1);
			git_oid_cpy(&stack[n++], &c.parents[i]);
		}
		rcommit_release(&c);
	}
	ret = 0;
out:
	free(stack);
	git_odb_free(odb);
	return ret;
}

struct count_memo {
	git_oid id;
	size_t count;
};

struct cp_memo {
	git_oid blob;			/* the chartpress.yaml read */
	char *used;			/* its path: the paths are relative to it */
	char *chart;			/* or NULL */
	int modern;
	int ret;			/* 0 or SG_CHARTSRC_NONE */
	char **paths;
	char *why;
};

struct lc_memo {
	git_oid from;
	char *paths;			/* the paths, one per line */
	int ret;			/* 0 or SG_CHARTSRC_NONE */
	git_oid out;
};

struct sg_chartsrc_cache {
	struct count_memo *counts;
	size_t ncounts, acounts;
	struct cp_memo *cps;
	size_t ncps, acps;
	struct lc_memo *lcs;
	size_t nlcs, alcs;
};

struct sg_chartsrc_cache *sg_chartsrc_cache_new(void)
{
	return sg_calloc(1, sizeof(struct sg_chartsrc_cache));
}

void sg_chartsrc_cache_free(struct sg_chartsrc_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->ncps; i++) {
		free(c->cps[i].used);
		free(c->cps[i].chart);
		sg_strv_free(c->cps[i].paths);
		free(c->cps[i].why);
	}
	for (i = 0; i < c->nlcs; i++)
		free(c->lcs[i].paths);
	free(c->counts);
	free(c->cps);
	free(c->lcs);
	free(c);
}

/* `git rev-list --count <commit>`: the commit and all its ancestors. 0 or -1. */
static int count_commits(size_t *out, const struct sg_chartsrc *src, const git_oid *commit)
{
	struct sg_chartsrc_cache *cache = src->cache;
	struct oidset seen = { NULL, NULL, 0, 0 };
	size_t i;

	for (i = 0; cache && i < cache->ncounts; i++) {
		if (git_oid_equal(&cache->counts[i].id, commit)) {
			*out = cache->counts[i].count;
			return 0;
		}
	}
	if (reachable(&seen, src->repo, commit) < 0) {
		oidset_release(&seen);
		return -1;
	}
	*out = seen.n;
	oidset_release(&seen);
	if (cache) {
		SG_GROW(cache->counts, cache->acounts, cache->ncounts + 1);
		git_oid_cpy(&cache->counts[cache->ncounts].id, commit);
		cache->counts[cache->ncounts++].count = *out;
	}
	return 0;
}

static char *paths_key(char *const *paths)
{
	struct sg_buf b = SG_BUF_INIT;
	size_t i;

	for (i = 0; paths[i]; i++)
		sg_buf_addf(&b, "%s\n", paths[i]);
	return b.buf ? sg_buf_detach(&b) : sg_strdup("");
}

/* sg_chartsrc_last_change, remembered by start and paths. */
static int last_change(git_oid *out, const struct sg_chartsrc *src, const git_oid *from,
		       char *const *paths)
{
	struct sg_chartsrc_cache *cache = src->cache;
	struct lc_memo *m;
	char *key;
	size_t i;
	int r;

	if (!cache)
		return sg_chartsrc_last_change(out, src->repo, from, paths);
	key = paths_key(paths);
	for (i = 0; i < cache->nlcs; i++) {
		m = &cache->lcs[i];
		if (git_oid_equal(&m->from, from) && !strcmp(m->paths, key)) {
			free(key);
			if (m->ret == 0)
				git_oid_cpy(out, &m->out);
			return m->ret;
		}
	}
	r = sg_chartsrc_last_change(out, src->repo, from, paths);
	if (r < 0) {
		free(key);
		return r;
	}
	SG_GROW(cache->lcs, cache->alcs, cache->nlcs + 1);
	m = &cache->lcs[cache->nlcs++];
	memset(m, 0, sizeof(*m));
	git_oid_cpy(&m->from, from);
	m->paths = key;
	m->ret = r;
	if (r == 0)
		git_oid_cpy(&m->out, out);
	return r;
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

static char **strv_dup(char *const *v)
{
	size_t i, n = 0;
	char **d;

	while (v && v[n])
		n++;
	d = sg_calloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		d[i] = sg_strdup(v[i]);
	return d;
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

/* The id of the blob at path in commit's tree: 0, SG_CHARTSRC_NONE (none, or no blob), -1. */
static int blob_at(git_oid *out, git_repository *repo, const git_oid *commit, const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int err, ret = -1;

	if ((err = git_commit_lookup(&c, repo, commit)) < 0 ||
	    (err = git_commit_tree(&tree, c)) < 0) {
		sg_error_git(err, "cannot read commit %s", git_oid_tostr(hex, sizeof(hex), commit));
		goto out;
	}
	err = git_tree_entry_bypath(&e, tree, path);
	if (err == GIT_ENOTFOUND || (!err && git_tree_entry_type(e) != GIT_OBJECT_BLOB)) {
		git_error_clear();
		ret = SG_CHARTSRC_NONE;
		goto out;
	}
	if (err < 0) {
		sg_error_git(err, "cannot read '%s'", path);
		goto out;
	}
	git_oid_cpy(out, git_tree_entry_id(e));
	ret = 0;
out:
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return ret;
}

/* The paths chartpress derives for chart from the chartpress.yaml blob at `used`. */
static int parse_chartpress(char ***out, git_repository *repo, const git_oid *blob,
			    const char *used, const char *chart, int modern, struct sg_buf *why)
{
	git_blob *b = NULL;
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;
	const struct sg_yaml_node *charts, *found = NULL;
	char *base = NULL;
	struct strv s = { NULL, 0, 0 };
	size_t i;
	int e, ret = -1;

	*out = NULL;
	if ((e = git_blob_lookup(&b, repo, blob)) < 0)
		return sg_error_git(e, "cannot read '%s'", used);
	if (sg_yaml_parse(&doc, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), 0,
			  &err) < 0) {
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
	*out = s.v ? s.v : sg_calloc(1, sizeof(char *));
	ret = 0;
out:
	free(base);
	sg_yaml_free(doc);
	git_blob_free(b);
	return ret;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * The paths chartpress used for the chart at commit, from the chartpress.yaml at
 * src->chartpress (NULL: "chartpress.yaml" then "helm-chart/chartpress.yaml"). modern:
 * chartpress 0.5+ rules (chartpress.yaml, the chart directory, its paths, each image's
 * context, Dockerfile and paths); otherwise the older rule ('.' of chartpress.yaml plus the
 * chart's paths). Returns 0, SG_CHARTSRC_NONE with the reason in why, or -1. The same
 * chartpress.yaml is in most commits of a history: the result is remembered by its blob id.
 */
static int chartpress_paths(char ***out, const struct sg_chartsrc *src, const git_oid *commit,
			    int modern, struct sg_buf *why)
{
	static const char *const tries[] = { "chartpress.yaml", "helm-chart/chartpress.yaml" };
	struct sg_chartsrc_cache *cache = src->cache;
	const char *used = NULL;
	struct cp_memo *m;
	git_oid blob;
	size_t i;
	int r;

	*out = NULL;
	for (i = 0; i < (src->chartpress ? 1 : sizeof(tries) / sizeof(tries[0])); i++) {
		used = src->chartpress ? src->chartpress : tries[i];
		r = blob_at(&blob, src->repo, commit, used);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		used = NULL;
	}
	if (!used) {
		sg_buf_addf(why, "no %s at that commit",
			    src->chartpress ? src->chartpress : "chartpress.yaml");
		return SG_CHARTSRC_NONE;
	}
	for (i = 0; cache && i < cache->ncps; i++) {
		m = &cache->cps[i];
		if (git_oid_equal(&m->blob, &blob) && !strcmp(m->used, used) &&
		    same_str(m->chart, src->chart) && m->modern == modern) {
			if (m->ret == 0)
				*out = strv_dup(m->paths);
			else
				sg_buf_addstr(why, m->why);
			return m->ret;
		}
	}
	r = parse_chartpress(out, src->repo, &blob, used, src->chart, modern, why);
	if (r < 0 || !cache)
		return r;
	SG_GROW(cache->cps, cache->acps, cache->ncps + 1);
	m = &cache->cps[cache->ncps++];
	memset(m, 0, sizeof(*m));
	git_oid_cpy(&m->blob, &blob);
	m->used = sg_strdup(used);
	m->chart = src->chart ? sg_strdup(src->chart) : NULL;
	m->modern = modern;
	m->ret = r;
	if (r == 0)
		m->paths = strv_dup(*out);
	else
		m->why = sg_strdup(sg_buf_str(why));
	return r;
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
	free(r->suggested);
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

void sg_chartsrc_hint(struct sg_buf *out, const struct sg_chartsrc_result *r)
{
	char c7[8], l7[8];

	if (r->has_commit)
		git_oid_tostr(c7, sizeof(c7), &r->commit);
	if (r->has_last_change)
		git_oid_tostr(l7, sizeof(l7), &r->last_change);
	switch (r->verdict) {
	case SG_VERDICT_NOT_A_CHANGE:
		if (r->has_last_change && r->suggested)
			sg_buf_addf(out, "use %s: %s is where the chart last changed "
				    "(git log -1 %s -- <paths>)%s", r->suggested, l7, c7,
				    r->suggested_published == 1 ? ", published" :
				    r->suggested_published == 0 ? ", not published yet" : "");
		else
			sg_buf_addf(out, "no commit before %s touches those paths", c7);
		break;
	case SG_VERDICT_UNKNOWN_COMMIT:
		sg_buf_addstr(out, "fetch the source repository, or fix the version");
		break;
	case SG_VERDICT_AMBIGUOUS:
		sg_buf_addstr(out, "write more digits of the SHA");
		break;
	case SG_VERDICT_NO_PATHS:
		sg_buf_addstr(out, "list them under charts[].source.paths in the config");
		break;
	default:
		break;
	}
}

/*
 * The one place a shallow source is reported: every verdict and every latest version needs
 * the whole history (the last change may be past the cut, and the count always is).
 */
static int require_history(const struct sg_chartsrc *src)
{
	if (git_repository_is_shallow(src->repo) != 1)
		return 0;
	if (src->dir && strcmp(src->dir, "."))
		return sg_error("history of '%s' is shallow: chart versions are judged on full "
				"history; run 'git -C '%s' fetch --unshallow'", src->dir, src->dir);
	return sg_error("history of this repository is shallow: chart versions are judged on "
			"full history; run 'git fetch --unshallow' (in GitHub Actions: "
			"actions/checkout with fetch-depth: 0)");
}

/* chartpress 0.5+ layouts, which also count the commit's ancestors. */
static int is_modern(const struct sg_chartver *v)
{
	return v->format == SG_CHARTVER_N || v->format == SG_CHARTVER_GIT;
}

/* The paths for a version: given, or chartpress's at commit (plus the chart directory when
 * the source says which). 0, SG_CHARTSRC_NONE, -1. */
static int paths_for(char ***out, const struct sg_chartsrc *src, const git_oid *commit,
		     int modern, struct sg_buf *why)
{
	size_t i;
	int r;

	*out = NULL;
	if (src->paths) {
		*out = strv_dup(src->paths);
		return 0;
	}
	r = chartpress_paths(out, src, commit, modern, why);
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

/* The version `like` would be at commit, appended to out. 0 or -1. */
static int format_for(struct sg_buf *out, const struct sg_chartsrc *src,
		      const struct sg_chartver *like, const git_oid *commit)
{
	/* base, prerelease, count and SHA are bounded by struct sg_chartver: this fits. */
	char v[sizeof(like->base) + sizeof(like->pre) + 3 * 24 + GIT_OID_HEXSZ];
	char sha[GIT_OID_HEXSZ + 1];
	size_t count = 0;
	long cnt = like->count;

	abbrev(sha, sizeof(sha), src->repo, commit, strlen(like->sha));
	if (is_modern(like)) {
		if (count_commits(&count, src, commit) < 0)
			return -1;
		cnt = (long)count;
	}
	if (sg_chartver_format(v, sizeof(v), like, sha, cnt) < 0)
		return sg_error("cannot write a version like '%s-...' for %s", like->base, sha);
	sg_buf_addstr(out, v);
	return 0;
}

/* The commit a SHA of a parsed version names: 0, or a verdict when there is none. */
static int find_commit(git_commit **out, git_repository *repo, const char *sha,
		       enum sg_chartsrc_verdict *verdict)
{
	git_oid prefix;
	size_t len = strlen(sha);
	int err;

	/* sg_chartver_parse accepted only 7-40 hex digits: this cannot fail. */
	(void)git_oid_fromstrn(&prefix, sha, len);
	err = git_commit_lookup_prefix(out, repo, &prefix, len);
	if (err == 0)
		return 0;
	/* Missing, or an object that is no commit: either way it names no commit. */
	*verdict = err == GIT_EAMBIGUOUS ? SG_VERDICT_AMBIGUOUS : SG_VERDICT_UNKNOWN_COMMIT;
	git_error_clear();
	return 1;
}

int sg_chartsrc_verify(struct sg_chartsrc_result *out, const struct sg_chartsrc *src,
		       const char *version)
{
	struct sg_chartsrc_result r;
	struct sg_buf why = SG_BUF_INIT, sugg = SG_BUF_INIT;
	git_commit *c = NULL;
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
	if (require_history(src) < 0)
		goto out;
	if (find_commit(&c, src->repo, r.ver.sha, &r.verdict))
		goto done;
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
	err = last_change(&r.last_change, src, &r.commit, r.paths);
	if (err < 0)
		goto out;
	r.has_last_change = err == 0;
	if (!r.has_last_change || !git_oid_equal(&r.last_change, &r.commit)) {
		r.verdict = SG_VERDICT_NOT_A_CHANGE;
		if (r.has_last_change) {
			if (format_for(&sugg, src, &r.ver, &r.last_change) < 0)
				goto out;
			r.suggested = sg_buf_detach(&sugg);
		}
	}
	if (src->index && src->chart) {
		r.published = sg_helmindex_has(src->index, src->chart, version);
		if (r.suggested)
			r.suggested_published = sg_helmindex_has(src->index, src->chart,
								 r.suggested);
		if (r.verdict == SG_VERDICT_OK && !r.published)
			r.verdict = SG_VERDICT_UNPUBLISHED;
	}
	/* The whole-history count only matters for a version that is otherwise right. */
	if (r.verdict == SG_VERDICT_OK && is_modern(&r.ver)) {
		if (count_commits(&r.count, src, &r.commit) < 0)
			goto out;
		r.count_mismatch = (size_t)r.ver.count != r.count;
		if (r.count_mismatch)
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
	sg_buf_release(&sugg);
	return ret;
}

/*
 * The newest published version whose commit the tip contains: one walk of the tip's history
 * into a set, then a lookup per published version.
 */
static int latest_published(struct sg_buf *out, git_oid *commit_out,
			    const struct sg_chartsrc *src, const git_oid *tip, struct sg_buf *why)
{
	struct oidset reach = { NULL, NULL, 0, 0 };
	const char *v, *best = NULL;
	git_time_t best_time = 0;
	git_oid best_id;
	size_t i;

	if (reachable(&reach, src->repo, tip) < 0) {
		oidset_release(&reach);
		return -1;
	}
	for (i = 0; (v = sg_helmindex_version(src->index, src->chart, i)); i++) {
		enum sg_chartsrc_verdict verdict;
		struct sg_chartver cv;
		git_commit *c = NULL;

		if (sg_chartver_parse(&cv, v) < 0 || cv.format == SG_CHARTVER_NONE ||
		    find_commit(&c, src->repo, cv.sha, &verdict))
			continue;
		if (oidset_has(&reach, git_commit_id(c)) &&
		    (!best || git_commit_time(c) > best_time)) {
			best = v;
			best_time = git_commit_time(c);
			git_oid_cpy(&best_id, git_commit_id(c));
		}
		git_commit_free(c);
	}
	oidset_release(&reach);
	if (!best) {
		sg_buf_addf(why, "no published version of '%s' in '%s' names a commit of the source",
			    src->chart, src->index->where);
		return SG_CHARTSRC_NONE;
	}
	sg_buf_addstr(out, best);
	if (commit_out)
		git_oid_cpy(commit_out, &best_id);
	return 0;
}

int sg_chartsrc_latest(struct sg_buf *out, git_oid *commit_out, const struct sg_chartsrc *src,
		       const char *like, int published, struct sg_buf *why)
{
	const char *ref = src->ref ? src->ref : "HEAD";
	struct sg_chartver cv;
	char **paths = NULL;
	git_oid tip, last;
	int r, ret = -1;

	if (require_history(src) < 0 || sg_repo_resolve(&tip, src->repo, ref) < 0)
		return -1;
	if (published) {
		if (!src->index || !src->chart) {
			sg_buf_addstr(why, "the latest published version needs a chart name and "
				      "an index");
			return SG_CHARTSRC_NONE;
		}
		return latest_published(out, commit_out, src, &tip, why);
	}
	if (!like || sg_chartver_parse(&cv, like) < 0 || cv.format == SG_CHARTVER_NONE) {
		sg_buf_addf(why, "'%s' carries no commit: cannot tell which version layout to "
			    "write", like ? like : "");
		return SG_CHARTSRC_NONE;
	}
	r = paths_for(&paths, src, &tip, is_modern(&cv), why);
	if (r == SG_CHARTSRC_NONE) {
		ret = r;
		goto out;
	}
	if (r < 0)
		goto out;
	r = last_change(&last, src, &tip, paths);
	if (r == SG_CHARTSRC_NONE) {
		sg_buf_addf(why, "no commit of '%s' touches the chart's paths", ref);
		ret = r;
		goto out;
	}
	if (r < 0 || format_for(out, src, &cv, &last) < 0)
		goto out;
	if (commit_out)
		git_oid_cpy(commit_out, &last);
	ret = 0;
out:
	sg_strv_free(paths);
	return ret;
}

void sg_chartsrc_fast_reads(void)
{
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
}

/*
 * Reading and validating the `charts:` section. Unknown keys are errors with a suggestion,
 * so a typo cannot silently turn a check off.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chartcfg.h"
#include "chartsrc.h"
#include "config.h"
#include "glob.h"
#include "helmindex.h"
#include "regex.h"
#include "repo.h"
#include "yamldoc.h"
#include "banned.h"

static const char *const chart_keys[] = { "name", "references", "source", "index" };
static const char *const source_keys[] = { "repo", "ref", "paths", "chartpress" };
static const char *const ref_keys[] = { "path", "key" };

static char *resolve(const char *base, const char *path)
{
	struct sg_buf b = SG_BUF_INIT;

	if (path[0] == '/' || !base)
		return sg_strdup(path);
	sg_buf_addf(&b, "%s%s%s", base, base[0] && base[strlen(base) - 1] != '/' ? "/" : "",
		    path);
	return sg_buf_detach(&b);
}

static int load_refs(const struct sg_config *cfg, struct sg_chart_cfg *cc,
		     const struct sg_yaml_node *n)
{
	size_t i;

	n = sg_yaml_deref(n);
	if (sg_config_want(cfg, n, SG_YAML_SEQ, "charts[].references") < 0)
		return -1;
	cc->refs = sg_calloc(n->n ? n->n : 1, sizeof(*cc->refs));
	for (i = 0; i < n->n; i++) {
		const struct sg_yaml_node *it = sg_yaml_deref(n->items[i]);
		struct sg_chart_ref *r = &cc->refs[cc->nrefs];

		if (it && it->kind == SG_YAML_MAP) {
			if (sg_config_check_keys(cfg, it, ref_keys, 2, "a chart reference") < 0 ||
			    sg_config_get_str(cfg, sg_yaml_get(it, "path") ? sg_yaml_get(it, "path") : it,
				    "references[].path", &r->path) < 0)
				return -1;
			cc->nrefs++;
			if (sg_yaml_get(it, "key") &&
			    sg_config_get_str(cfg, sg_yaml_get(it, "key"), "references[].key", &r->key) < 0)
				return -1;
		} else {
			if (sg_config_get_str(cfg, it ? it : n->items[i], "references[]", &r->path) < 0)
				return -1;
			cc->nrefs++;
		}
	}
	return 0;
}

/* source.paths, normalized; one that climbs out of the source could never match. */
static int load_paths(const struct sg_config *cfg, struct sg_chart_cfg *cc,
		      const struct sg_yaml_node *n)
{
	size_t i, count = 0;

	if (sg_config_get_strv(cfg, n, "source.paths", &cc->paths, &count) < 0)
		return -1;
	n = sg_yaml_deref(n);
	for (i = 0; i < count; i++) {
		const struct sg_yaml_node *at = n->kind == SG_YAML_SEQ ? n->items[i] : n;
		char *p = sg_chartsrc_norm_path("", cc->paths[i]);

		if (!p)
			return sg_config_error(cfg, at, "source.paths: '%s' is not inside the source "
					       "repository (paths are relative to its top)",
					       cc->paths[i]);
		free(cc->paths[i]);
		cc->paths[i] = p;
	}
	return 0;
}

static int load_source(const struct sg_config *cfg, struct sg_chart_cfg *cc,
		       const struct sg_yaml_node *n, const char *base)
{
	const struct sg_yaml_node *v;

	n = sg_yaml_deref(n);
	if (n && n->kind == SG_YAML_SCALAR && !sg_yaml_is_null(n)) {
		/* source: ../binderhub, the short form */
		if (sg_config_get_str(cfg, n, "charts[].source", &cc->repo) < 0)
			return -1;
		cc->repo_path = resolve(base, cc->repo);
		return 0;
	}
	if (sg_config_want(cfg, n, SG_YAML_MAP, "charts[].source") < 0 ||
	    sg_config_check_keys(cfg, n, source_keys, 4, "charts[].source") < 0)
		return -1;
	if ((v = sg_yaml_get(n, "repo"))) {
		if (sg_config_get_str(cfg, v, "source.repo", &cc->repo) < 0)
			return -1;
		if (strcmp(cc->repo, "."))
			cc->repo_path = resolve(base, cc->repo);
	}
	if ((v = sg_yaml_get(n, "ref"))) {
		if (sg_config_get_str(cfg, v, "source.ref", &cc->ref) < 0)
			return -1;
		cc->ref_node = v;
	}
	if ((v = sg_yaml_get(n, "paths")) && load_paths(cfg, cc, v) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "chartpress")) &&
	    sg_config_get_str(cfg, v, "source.chartpress", &cc->chartpress) < 0)
		return -1;
	return 0;
}

static int load_one(const struct sg_config *cfg, struct sg_chart_cfg *cc,
		    const struct sg_yaml_node *n, const char *base)
{
	const struct sg_yaml_node *v;

	cc->node = n;
	if (sg_config_want(cfg, n, SG_YAML_MAP, "a charts entry") < 0 ||
	    sg_config_check_keys(cfg, n, chart_keys, 4, "a charts entry") < 0)
		return -1;
	if (!sg_yaml_get(n, "name"))
		return sg_config_error(cfg, n, "a charts entry needs a 'name'");
	if (sg_config_get_str(cfg, sg_yaml_get(n, "name"), "charts[].name", &cc->name) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "references")) && load_refs(cfg, cc, v) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "source")) && load_source(cfg, cc, v, base) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "index"))) {
		char *written = NULL;
		const char *c1;

		if (sg_config_get_str(cfg, v, "charts[].index", &written) < 0)
			return -1;
		c1 = strchr(written, ':');
		if (c1 && c1 > written && strchr(c1 + 1, ':')) {
			/* <repo>:<ref>:<path>: resolve the repository part only */
			char *repo = sg_strndup(written, (size_t)(c1 - written));
			char *r = resolve(base, repo);
			struct sg_buf b = SG_BUF_INIT;

			sg_buf_addf(&b, "%s%s", r, c1);
			cc->index = sg_buf_detach(&b);
			free(repo);
			free(r);
		} else {
			cc->index = resolve(base, written);
		}
		free(written);
	}
	return 0;
}

int sg_chartcfg_load(struct sg_chart_cfgs *out, const struct sg_config *cfg,
		     git_repository *repo)
{
	const struct sg_yaml_node *n = cfg ? sg_yaml_deref(cfg->charts) : NULL;
	const char *base = NULL;
	size_t i, j;

	memset(out, 0, sizeof(*out));
	if (!n || sg_yaml_is_null(n))
		return 0;
	if (sg_config_want(cfg, n, SG_YAML_SEQ, "charts") < 0)
		return -1;
	if (repo)
		base = git_repository_is_bare(repo) || !git_repository_workdir(repo)
			? git_repository_commondir(repo) : git_repository_workdir(repo);
	out->v = sg_calloc(n->n ? n->n : 1, sizeof(*out->v));
	for (i = 0; i < n->n; i++) {
		out->n++;
		if (load_one(cfg, &out->v[i], sg_yaml_deref(n->items[i]), base) < 0)
			goto fail;
		for (j = 0; j < i; j++) {
			if (!strcmp(out->v[j].name, out->v[i].name)) {
				sg_config_error(cfg, sg_yaml_get(out->v[i].node, "name"),
						"chart '%s' is listed twice", out->v[i].name);
				goto fail;
			}
		}
	}
	return 0;
fail:
	sg_chartcfg_release(out);
	return -1;
}

void sg_chartcfg_release(struct sg_chart_cfgs *c)
{
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		struct sg_chart_cfg *cc = &c->v[i];

		for (k = 0; k < cc->nrefs; k++) {
			free(cc->refs[k].path);
			free(cc->refs[k].key);
		}
		free(cc->refs);
		free(cc->name);
		free(cc->repo);
		free(cc->repo_path);
		free(cc->ref);
		sg_strv_free(cc->paths);
		free(cc->chartpress);
		free(cc->index);
		if (cc->repo_path)
			git_repository_free(cc->src_repo);
		sg_helmindex_free(cc->idx);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

struct sg_chart_cfg *sg_chartcfg_find(struct sg_chart_cfgs *c, const char *name)
{
	size_t i;

	for (i = 0; name && i < c->n; i++)
		if (!strcmp(c->v[i].name, name))
			return &c->v[i];
	return NULL;
}

int sg_chartcfg_open(struct sg_chart_cfg *cc, const struct sg_config *cfg,
		     git_repository *self)
{
	git_object *obj = NULL, *peeled = NULL;

	if (cc->opened)
		return cc->src_repo ? 0 : -1;
	cc->opened = 1;
	if (!cc->repo_path)
		cc->src_repo = self;
	else if (sg_repo_open_path(&cc->src_repo, cc->repo_path) < 0)
		return -1;
	if (cc->ref) {
		int err = git_revparse_single(&obj, cc->src_repo, cc->ref);

		if (err == 0)
			err = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
		git_object_free(peeled);
		git_object_free(obj);
		if (err < 0) {
			git_error_clear();
			sg_config_error(cfg, cc->ref_node, "source.ref '%s' names no commit in %s%s%s",
					cc->ref, cc->repo_path ? "'" : "",
					cc->repo_path ? cc->repo : "this repository",
					cc->repo_path ? "'" : "");
			goto fail;
		}
	}
	if (cc->index && sg_helmindex_load(&cc->idx, cc->index) < 0)
		goto fail;
	return 0;
fail:
	if (cc->repo_path)
		git_repository_free(cc->src_repo);
	cc->src_repo = NULL;
	return -1;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int ref_matches(const struct sg_chart_ref *r, const char *path)
{
	return !strcmp(r->path, path) || sg_glob_match(r->path, path);
}

int sg_chartcfg_wants(struct sg_chart_cfgs *c, const char *path)
{
	const char *b = base_name(path);
	size_t i, k;

	if (!strcmp(b, "Chart.yaml") || !strcmp(b, "requirements.yaml"))
		return 1;
	for (i = 0; i < c->n; i++)
		for (k = 0; k < c->v[i].nrefs; k++)
			if (ref_matches(&c->v[i].refs[k], path))
				return 1;
	return 0;
}

static void add_use(struct sg_chart_uses *out, struct sg_chart_cfgs *c, const char *chart,
		    const struct sg_yaml_node *node, int own)
{
	size_t i;

	node = sg_yaml_deref(node);
	if (!chart || !node || node->kind != SG_YAML_SCALAR)
		return;
	for (i = 0; i < out->n; i++)
		if (out->v[i].node == node)
			return;
	SG_GROW(out->v, out->alloc, out->n + 1);
	out->v[out->n].chart = chart;
	out->v[out->n].node = node;
	out->v[out->n].own = own;
	out->v[out->n].cc = sg_chartcfg_find(c, chart);
	out->n++;
}

static void add_deps(struct sg_chart_uses *out, struct sg_chart_cfgs *c,
		     const struct sg_yaml_node *deps)
{
	size_t i;

	deps = sg_yaml_deref(deps);
	if (!deps || deps->kind != SG_YAML_SEQ)
		return;
	for (i = 0; i < deps->n; i++) {
		const struct sg_yaml_node *d = sg_yaml_deref(deps->items[i]);

		if (d && d->kind == SG_YAML_MAP)
			add_use(out, c, sg_yaml_str(sg_yaml_get(d, "name")),
				sg_yaml_get(d, "version"), 0);
	}
}

/* Every mapping with name: <chart> and a version, at any depth (aliases not followed). */
static void search(struct sg_chart_uses *out, struct sg_chart_cfgs *c, const char *chart,
		   const struct sg_yaml_node *n, unsigned depth)
{
	size_t i;

	if (!n || depth > 64)
		return;
	if (n->kind == SG_YAML_MAP) {
		const char *name = sg_yaml_str(sg_yaml_get(n, "name"));

		if (name && !strcmp(name, chart) && sg_yaml_get(n, "version"))
			add_use(out, c, chart, sg_yaml_get(n, "version"), 0);
		for (i = 0; i < n->n; i++)
			search(out, c, chart, n->items[2 * i + 1], depth + 1);
	} else if (n->kind == SG_YAML_SEQ) {
		for (i = 0; i < n->n; i++)
			search(out, c, chart, n->items[i], depth + 1);
	}
}

void sg_chartcfg_uses(struct sg_chart_uses *out, struct sg_chart_cfgs *c, const char *path,
		      const struct sg_yaml_node *root)
{
	const char *b = base_name(path);
	size_t i, k;

	if (!root || root->kind != SG_YAML_MAP)
		return;
	if (!strcmp(b, "Chart.yaml")) {
		add_use(out, c, sg_yaml_str(sg_yaml_get(root, "name")),
			sg_yaml_get(root, "version"), 1);
		add_deps(out, c, sg_yaml_get(root, "dependencies"));
	} else if (!strcmp(b, "requirements.yaml")) {
		add_deps(out, c, sg_yaml_get(root, "dependencies"));
	}
	for (i = 0; i < c->n; i++) {
		struct sg_chart_cfg *cc = &c->v[i];

		for (k = 0; k < cc->nrefs; k++) {
			if (!ref_matches(&cc->refs[k], path))
				continue;
			if (cc->refs[k].key)
				add_use(out, c, cc->name, sg_yaml_path(root, cc->refs[k].key), 0);
			else
				search(out, c, cc->name, root, 0);
		}
	}
}

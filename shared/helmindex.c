/*
 * index.yaml lookups: is this chart version published? The index of a busy chart repository
 * is megabytes of YAML, so it is parsed once per run and searched in place.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "helmindex.h"
#include "repo.h"
#include "semver.h"
#include "yamldoc.h"
#include "banned.h"

/* Parse text, which the index takes over (the document points into it). */
static int parse_owned(struct sg_helmindex **out, const char *where, char *text, size_t len)
{
	struct sg_helmindex *idx = sg_calloc(1, sizeof(*idx));
	struct sg_yaml_error err;
	const struct sg_yaml_node *root;

	*out = NULL;
	idx->where = sg_strdup(where);
	idx->text = text;
	if (sg_yaml_parse(&idx->doc, idx->text, len, 0, &err) < 0) {
		sg_error("%s:%lu:%lu: cannot parse the chart index: %s", where,
			 err.problem_pos.line, err.problem_pos.col, err.problem);
		sg_helmindex_free(idx);
		return -1;
	}
	root = sg_yaml_root(idx->doc);
	if (!root || root->kind != SG_YAML_MAP) {
		sg_error("%s: not a chart index (no 'entries' mapping)", where);
		sg_helmindex_free(idx);
		return -1;
	}
	idx->entries = sg_yaml_get(root, "entries");
	if (idx->entries && idx->entries->kind != SG_YAML_MAP)
		idx->entries = NULL;
	*out = idx;
	return 0;
}

int sg_helmindex_parse(struct sg_helmindex **out, const char *where, const char *text,
		       size_t len)
{
	return parse_owned(out, where, sg_strndup(text, len), len);
}

/* Read text into a string the index can own ("" for an empty file). */
static char *take(struct sg_buf *b)
{
	return b->buf ? sg_buf_detach(b) : sg_strdup("");
}

/* "<repo>:<ref>:<path>": a published branch kept in a local clone, read without a checkout. */
static int load_from_git(struct sg_helmindex **out, const char *spec, const char *c1,
			 const char *c2)
{
	char *dir = sg_strndup(spec, (size_t)(c1 - spec));
	char *ref = sg_strndup(c1 + 1, (size_t)(c2 - c1 - 1));
	const char *path = c2 + 1;
	git_repository *repo = NULL;
	struct sg_buf text = SG_BUF_INIT;
	git_oid commit;
	size_t len;
	int r, ret = -1;

	if (sg_repo_open_path(&repo, dir) < 0 || sg_repo_resolve(&commit, repo, ref) < 0)
		goto cleanup;
	r = sg_repo_read_at(&text, NULL, repo, &commit, path);
	if (r == SG_REPO_NOTFOUND) {
		sg_error("no '%s' at '%s' in '%s'", path, ref, dir);
		goto cleanup;
	}
	if (r < 0)
		goto cleanup;
	len = text.len;
	ret = parse_owned(out, spec, take(&text), len);

cleanup:
	sg_buf_release(&text);
	git_repository_free(repo);
	free(dir);
	free(ref);
	return ret;
}

int sg_helmindex_load(struct sg_helmindex **out, const char *spec)
{
	struct sg_buf text = SG_BUF_INIT;
	const char *c1 = strchr(spec, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	size_t len;

	*out = NULL;
	if (c1 && c2 && c1 > spec && c2 > c1 + 1 && c2[1])
		return load_from_git(out, spec, c1, c2);
	if (sg_buf_read_file(&text, spec) < 0)
		return -1;
	len = text.len;
	return parse_owned(out, spec, take(&text), len);
}

void sg_helmindex_free(struct sg_helmindex *idx)
{
	if (!idx)
		return;
	sg_yaml_free(idx->doc);
	free(idx->text);
	free(idx->where);
	free(idx);
}

/* The chart's list of entries, or NULL. */
static const struct sg_yaml_node *chart_list(const struct sg_helmindex *idx, const char *chart)
{
	const struct sg_yaml_node *list;

	if (!idx || !idx->entries)
		return NULL;
	list = sg_yaml_deref(sg_yaml_get(idx->entries, chart));
	return list && list->kind == SG_YAML_SEQ ? list : NULL;
}

static const char *entry_version(const struct sg_yaml_node *list, size_t i)
{
	const struct sg_yaml_node *entry = sg_yaml_deref(list->items[i]);
	const char *v;

	if (!entry || entry->kind != SG_YAML_MAP)
		return "";
	v = sg_yaml_str(sg_yaml_get(entry, "version"));
	return v ? v : "";
}

const char *sg_helmindex_version(const struct sg_helmindex *idx, const char *chart, size_t i)
{
	const struct sg_yaml_node *list = chart_list(idx, chart);

	return list && i < list->n ? entry_version(list, i) : NULL;
}

int sg_helmindex_has(const struct sg_helmindex *idx, const char *chart, const char *version)
{
	const struct sg_yaml_node *list = chart_list(idx, chart);
	size_t i;

	for (i = 0; list && i < list->n; i++) {
		const char *v = entry_version(list, i);

		if (*v && sg_semver_equal_str(v, version))
			return 1;
	}
	return 0;
}

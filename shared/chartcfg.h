#ifndef SG_CHARTCFG_H
#define SG_CHARTCFG_H
/*
 * The `charts:` section of .stagegate.yml (docs/chart-sha.md): for each chart this repository
 * references, where its source repository and chart index are, and which files name its
 * version. Shared by the chart-sha check and `stagegate bump`.
 */
#include <stddef.h>
#include <git2.h>

struct sg_config;
struct sg_yaml_node;
struct sg_helmindex;

struct sg_chart_ref {
	char *path;			/* file or glob, repository-relative */
	char *key;			/* dotted key path of the version, or NULL: search */
};

struct sg_chart_cfg {
	char *name;
	struct sg_chart_ref *refs;
	size_t nrefs;
	char *repo;			/* source repository as written, NULL: this repository */
	char *repo_path;		/* resolved (see sg_chartcfg_load), NULL: this one */
	char *ref;			/* source branch, NULL: HEAD */
	char **paths;			/* NULL-terminated and normalized (each inside the
					   source), NULL: derive from chartpress.yaml */
	char *chartpress;		/* chartpress.yaml in the source, NULL: search */
	char *index;			/* resolved like repo, NULL: none */
	const struct sg_yaml_node *node;
	const struct sg_yaml_node *ref_node;	/* source.ref, for its error */
	/* opened lazily by the user of the config */
	git_repository *src_repo;	/* owned when repo_path is set, else the guarded one */
	struct sg_helmindex *idx;
	int opened;
};

struct sg_chart_cfgs {
	struct sg_chart_cfg *v;
	size_t n;
};

/*
 * Parse cfg->charts (absent, or cfg NULL: zero charts). Relative repo and index paths are resolved against
 * the top of repo's work tree, or its git directory when repo is bare (a server). Reports
 * file:line:col and returns -1 on a bad section.
 */
int sg_chartcfg_load(struct sg_chart_cfgs *out, const struct sg_config *cfg,
		     git_repository *repo);
void sg_chartcfg_release(struct sg_chart_cfgs *c);
struct sg_chart_cfg *sg_chartcfg_find(struct sg_chart_cfgs *c, const char *name);

/*
 * Open the source repository (self: the guarded one) and the index when configured, and check
 * that source.ref names a commit there (a config error at its position otherwise: a typo must
 * not pass every push with a message nobody reads). Done once; 0 or -1 after reporting.
 */
int sg_chartcfg_open(struct sg_chart_cfg *cc, const struct sg_config *cfg,
		     git_repository *self);

/* A chart version written in a file of this repository. */
struct sg_chart_use {
	const char *chart;			/* borrowed from the document or the config */
	const struct sg_yaml_node *node;	/* the version scalar */
	int own;				/* Chart.yaml's own version, not a dependency */
	struct sg_chart_cfg *cc;		/* the chart's config entry, or NULL */
};

struct sg_chart_uses {
	struct sg_chart_use *v;
	size_t n, alloc;
};

/* 1 when path is a file chart versions are looked for in: Chart.yaml, requirements.yaml, or
 * a configured reference. */
int sg_chartcfg_wants(struct sg_chart_cfgs *c, const char *path);
/*
 * Append the chart versions in the document root of file path: a Chart.yaml's own version and
 * dependencies, requirements.yaml's dependencies, and in configured references the key given
 * or every mapping with `name: <chart>` and a `version`.
 */
void sg_chartcfg_uses(struct sg_chart_uses *out, struct sg_chart_cfgs *c, const char *path,
		      const struct sg_yaml_node *root);

#endif

#ifndef SG_CONFIG_H
#define SG_CONFIG_H
/*
 * .stagegate.yml: deployments and their promotion chains, the promotion policy, and which
 * checks run at which stage. Check-specific sections (lint, charts, db_upgrade) are kept as
 * YAML nodes with their positions for the check that owns them to read. Every error names
 * file:line:col and makes the caller exit 2.
 */
#include <stddef.h>
#include "msg.h"
#include "yamldoc.h"

struct sg_regex;
struct sg_buf;

enum sg_stage {
	SG_STAGE_PRE_COMMIT,
	SG_STAGE_PRE_MERGE_COMMIT,
	SG_STAGE_PRE_PUSH,
	SG_STAGE_PRE_RECEIVE,
	SG_STAGE_UPDATE,
	SG_STAGE_CI,
	SG_STAGE__COUNT
};

const char *sg_stage_name(enum sg_stage stage);
int sg_stage_parse(enum sg_stage *out, const char *name);
/* 1 for pre-receive and update: policy then comes only from the server's own config. */
int sg_stage_is_server(enum sg_stage stage);

struct sg_env_url {
	char *env;
	char *url;
};

struct sg_deployment {
	char *name;
	char **chain;			/* branch names in promotion order; NULL for a pattern */
	size_t nchain;
	struct sg_regex *match;		/* pattern form: the protected branches ... */
	char *match_src;
	char *from;			/* ... and their upstream, with ${group} references */
	struct sg_regex *from_match;	/* `from` as a pattern, to recognise the upstreams */
	char *stage;			/* pattern form: env name of a matched branch ("prod") */
	char *from_stage;		/* pattern form: env name of the upstream ("staging") */
	struct sg_env_url *urls;	/* may hold ${group} references */
	size_t nurls;
	char *health;			/* path on the upstream's URL, e.g. /hub/health */
	unsigned long timeout_ms;
	char *expect_version;
	char **values;			/* values files in helm -f order; ${stage}, ${group} */
	size_t nvalues;
	char *chart;			/* the deployment's chart directory, if given */
	const struct sg_yaml_node *node;	/* the whole entry, for checks' own keys */
};

struct sg_override {
	char *push_option;		/* default "stagegate.override" */
	char **users;
	size_t nusers;
	char *audit_log;		/* relative paths are relative to GIT_DIR */
};

struct sg_promotion {
	unsigned long soak_minutes;
	int require_attestation;
	struct sg_override override;
};

struct sg_check_list {
	char **ids;
	size_t n;
};

struct sg_config {
	char *path;			/* where it was read from; "(defaults)" when none */
	char *text;
	size_t len;
	struct sg_yaml_doc *doc;
	const struct sg_yaml_node *root;	/* NULL for the built-in defaults */
	struct sg_deployment *deployments;
	size_t ndeployments;
	struct sg_promotion promotion;
	struct sg_check_list stages[SG_STAGE__COUNT];
	const struct sg_yaml_node *lint;	/* raw sections, NULL when absent */
	const struct sg_yaml_node *charts;
	const struct sg_yaml_node *db_upgrade;
	const struct sg_yaml_node *staging_gate;
};

/* Load and validate a config file. On error reports file:line:col and returns -1. */
int sg_config_load(struct sg_config **out, const char *path);
/* Parse config text already in memory (path is only for messages). */
int sg_config_parse(struct sg_config **out, const char *path, const char *text, size_t len);
/* The built-in defaults: no deployments, the default stage lists. */
struct sg_config *sg_config_default(void);
void sg_config_free(struct sg_config *cfg);
/* The file the config was read from, or NULL for the built-in defaults. Borrowed. */
const char *sg_config_file(const struct sg_config *cfg);

/* Report "path:line:col: error: message" for a node of this config; returns -1. */
int sg_config_error(const struct sg_config *cfg, const struct sg_yaml_node *node,
		    const char *fmt, ...) SG_PRINTF(3, 4);

/* Validate the keys of a config mapping against the known ones: a key that is not a string,
 * a duplicate, or an unknown key (with "did you mean" for a typo) is reported at its position
 * and returns -1. Every config section uses this, so every section reads alike. */
int sg_config_check_keys(const struct sg_config *cfg, const struct sg_yaml_node *map,
			 const char *const *known, size_t nknown, const char *where);

/* Typed readers for config values, shared by every section. Each reports "<what> must be ..."
 * at the node's position and returns -1 when the value does not fit. Aliases are followed. */
int sg_config_want(const struct sg_config *cfg, const struct sg_yaml_node *n,
		   enum sg_yaml_kind kind, const char *what);
/* A non-empty string; replaces (frees) *out. */
int sg_config_get_str(const struct sg_config *cfg, const struct sg_yaml_node *n,
		      const char *what, char **out);
/* A string or a list of non-empty strings, appended to the NULL-terminated *out (which may
 * start NULL); *nout, if given, receives the new count. Free with sg_strv_free. */
int sg_config_get_strv(const struct sg_config *cfg, const struct sg_yaml_node *n,
		       const char *what, char ***out, size_t *nout);
int sg_config_get_uint(const struct sg_config *cfg, const struct sg_yaml_node *n,
		       const char *what, unsigned long *out);
/* `true` or `false`, nothing else. */
int sg_config_get_bool(const struct sg_config *cfg, const struct sg_yaml_node *n,
		       const char *what, int *out);

/* Where a branch stands in the promotion chains. */
struct sg_target {
	const struct sg_deployment *deployment;
	char *branch;		/* "prod" */
	char *env;		/* environment name, "prod" */
	char *upstream;		/* branch that must have had everything first, "staging" */
	char *upstream_env;	/* "staging" */
	char *url;		/* URL of env, or NULL */
	char *upstream_url;	/* URL of the upstream env, or NULL */
	char **vars;		/* name, value, ..., NULL: stage plus the pattern's named groups */
};

/*
 * Find the deployment that protects branch (a short name, "prod"). Returns 1 and fills *out
 * (release with sg_target_release) when branch is a later stage of a chain, 0 when it is not
 * protected, -1 on error (reported). A branch that is the first stage of a chain is returned
 * as 1 with upstream NULL when want_first is set.
 */
int sg_config_resolve(struct sg_target *out, const struct sg_config *cfg, const char *branch,
		      int want_first);
void sg_target_release(struct sg_target *t);
/* Expand ${stage}/${group} in tmpl for this target. */
void sg_target_expand(struct sg_buf *out, const struct sg_target *t, const char *tmpl);
/* 1 when the check id is listed for stage. */
int sg_config_runs(const struct sg_config *cfg, enum sg_stage stage, const char *check);

#endif

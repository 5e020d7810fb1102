#ifndef SG_LINT_H
#define SG_LINT_H
/*
 * The rules of helm-lint on one file held in memory: bytes, YAML syntax, duplicate keys,
 * tabs, truthy surprises, aliases, Chart.yaml / requirements.yaml, and a JSON Schema for
 * values files. Kept apart from the check executable so every rule is unit-testable.
 */
#include <stddef.h>

#include "diag.h"

struct sg_schema;

enum sg_lint_rule {
	SG_LINT_SYNTAX,
	SG_LINT_DUPLICATE_KEY,
	SG_LINT_TAB_INDENT,
	SG_LINT_TRUTHY,
	SG_LINT_UNDEFINED_ALIAS,
	SG_LINT_ALIAS_BOMB,
	SG_LINT_CHART_API_VERSION,
	SG_LINT_CHART_NAME,
	SG_LINT_CHART_FOLDER,
	SG_LINT_CHART_VERSION,
	SG_LINT_CHART_APP_VERSION,
	SG_LINT_CHART_TYPE,
	SG_LINT_CHART_DEPENDENCIES,
	SG_LINT_CHART_UNKNOWN_KEY,
	SG_LINT_SCHEMA,
	SG_LINT__COUNT
};

/* A rule turned off has this severity. */
#define SG_LINT_OFF (-1)

struct sg_lint_opts {
	int severity[SG_LINT__COUNT];	/* enum sg_severity, or SG_LINT_OFF */
	unsigned long max_depth;	/* nesting limit, 1..10000 */
	unsigned long long max_expansion;	/* nodes an alias expansion may reach */
};

/* Defaults: every rule on at its documented severity, max_depth 10000, max_expansion 1e6. */
void sg_lint_opts_init(struct sg_lint_opts *o);
/* The rule with this id ("duplicate-key"), or -1. */
int sg_lint_rule_parse(const char *id);
/* All rule ids, indexed by enum sg_lint_rule; NULL-terminated, static. */
const char *const *sg_lint_rule_names(void);

/* What to validate a values file against: schema (borrowed) at a dotted key path ("" or NULL
 * for the whole document). */
struct sg_lint_schema_use {
	struct sg_schema *schema;		/* borrowed; its pattern cache is written */
	const char *at;
	unsigned flags;			/* enum sg_schema_flags */
};

/*
 * Lint len bytes of data that were read from path (repository-relative or as given on the
 * command line; the basename picks Chart.yaml / requirements.yaml rules and the folder name
 * the chart-folder rule). Appends diagnostics with path and 1-based positions to diags,
 * honouring `# stagegate: disable=` comments and opts (NULL: defaults). schemas may be NULL.
 * Returns 0; -1 only on trouble that is not about the file (reported).
 */
int sg_lint_buffer(struct sg_diags *diags, const struct sg_lint_opts *opts, const char *path,
		   const char *data, size_t len, const struct sg_lint_schema_use *schemas,
		   size_t nschemas);

#endif

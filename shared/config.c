/*
 * Loading and validating .stagegate.yml. The text and YAML tree stay alive with the config so
 * that checks can report positions inside their own sections.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "regex.h"
#include "suggest.h"
#include "banned.h"

static const char *const stage_names[SG_STAGE__COUNT] = {
	"pre-commit", "pre-merge-commit", "pre-push", "pre-receive", "update", "ci"
};

/*
 * What runs when the config has no `stages:`; docs/config.md lists the same. The update hook
 * runs nothing by default: pre-receive already judged the whole push against the refs as they
 * were before it, which update (called per ref, after earlier refs moved) cannot improve on.
 * Servers that can run only an update hook list their checks under `update:`.
 */
static const char *const default_stages[SG_STAGE__COUNT][6] = {
	{ "promotion", "helm-lint", NULL },
	{ "promotion", NULL },
	{ "promotion", "helm-lint", "chart-sha", NULL },
	{ "promotion", "staging-gate", "helm-lint", "chart-sha", "db-upgrade", NULL },
	{ NULL },
	{ "helm-lint", "chart-sha", "db-upgrade", NULL },
};

const char *sg_stage_name(enum sg_stage stage)
{
	return stage < SG_STAGE__COUNT ? stage_names[stage] : "?";
}

int sg_stage_parse(enum sg_stage *out, const char *name)
{
	int i;

	for (i = 0; i < SG_STAGE__COUNT; i++) {
		if (!strcmp(name, stage_names[i])) {
			*out = (enum sg_stage)i;
			return 0;
		}
	}
	return -1;
}

int sg_stage_is_server(enum sg_stage stage)
{
	return stage == SG_STAGE_PRE_RECEIVE || stage == SG_STAGE_UPDATE;
}

int sg_config_error(const struct sg_config *cfg, const struct sg_yaml_node *node,
		    const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s", cfg->path);
	if (node)
		fprintf(stderr, ":%lu:%lu", node->start.line, node->start.col);
	fputs(": error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" [config]\n", stderr);
	return -1;
}

/* Free a vector kept beside its count, and zero both. */
static void strv_release(char ***v, size_t *n)
{
	sg_strv_free(*v);
	*v = NULL;
	*n = 0;
}

/* What a node is, with its article, for "must be a list, not a mapping". */
static const char *what_is(const struct sg_yaml_node *n)
{
	n = sg_yaml_deref(n);
	if (!n)
		return "an undefined alias";
	switch (n->kind) {
	case SG_YAML_MAP: return "a mapping";
	case SG_YAML_SEQ: return "a list";
	default: return sg_yaml_is_null(n) ? "empty" : "a string";
	}
}

int sg_config_want(const struct sg_config *cfg, const struct sg_yaml_node *n,
		   enum sg_yaml_kind kind, const char *what)
{
	static const char *const names[] = { "a string", "a mapping", "a list", "an alias" };

	if (n && n->kind == kind && !(kind == SG_YAML_SCALAR && sg_yaml_is_null(n)))
		return 0;
	return sg_config_error(cfg, n, "%s must be %s, not %s", what, names[kind],
			       what_is(n));
}

int sg_config_get_str(const struct sg_config *cfg, const struct sg_yaml_node *n,
		      const char *what, char **out)
{
	n = sg_yaml_deref(n);
	if (sg_config_want(cfg, n, SG_YAML_SCALAR, what) < 0)
		return -1;
	if (!n->len)
		return sg_config_error(cfg, n, "%s must not be empty", what);
	free(*out);
	*out = sg_strdup(n->value);
	return 0;
}

int sg_config_get_strv(const struct sg_config *cfg, const struct sg_yaml_node *n,
		       const char *what, char ***out, size_t *nout)
{
	size_t i;

	n = sg_yaml_deref(n);
	if (n && n->kind == SG_YAML_SCALAR) {
		char *one = NULL;

		if (sg_config_get_str(cfg, n, what, &one) < 0)
			return -1;
		sg_strv_push(out, one);
		free(one);
	} else {
		if (sg_config_want(cfg, n, SG_YAML_SEQ, what) < 0)
			return -1;
		for (i = 0; i < n->n; i++) {
			char *one = NULL;

			if (sg_config_get_str(cfg, n->items[i], what, &one) < 0)
				return -1;
			sg_strv_push(out, one);
			free(one);
		}
	}
	if (nout)
		*nout = sg_strv_len(*out);
	return 0;
}

int sg_config_get_uint(const struct sg_config *cfg, const struct sg_yaml_node *n,
		       const char *what, unsigned long *out)
{
	char *end;
	unsigned long v;

	n = sg_yaml_deref(n);
	if (sg_config_want(cfg, n, SG_YAML_SCALAR, what) < 0)
		return -1;
	errno = 0;
	v = strtoul(n->value, &end, 10);
	if (!*n->value || *end || n->value[0] == '-' || errno)
		return sg_config_error(cfg, n, "%s must be a whole number, not '%s'", what,
				       n->value);
	*out = v;
	return 0;
}

int sg_config_get_bool(const struct sg_config *cfg, const struct sg_yaml_node *n,
		       const char *what, int *out)
{
	int b;

	n = sg_yaml_deref(n);
	b = sg_yaml_bool(n);
	/* Only true/false: a yes/on in a policy file is the YAML 1.1 trap helm-lint warns of. */
	if (b < 0 || (n->style == SG_YAML_PLAIN && strcmp(n->value, "true") &&
		      strcmp(n->value, "false")))
		return sg_config_error(cfg, n, "%s must be true or false", what);
	*out = b;
	return 0;
}

/* Reject keys we do not know, with a suggestion: a typo in a policy must not pass silently. */
int sg_config_check_keys(const struct sg_config *cfg, const struct sg_yaml_node *map,
			 const char *const *known, size_t nknown, const char *where)
{
	size_t i, j;

	for (i = 0; i < map->n; i++) {
		const struct sg_yaml_node *k = sg_yaml_deref(map->items[2 * i]);
		const char *hint;
		int ok = 0;

		if (!k || k->kind != SG_YAML_SCALAR)
			return sg_config_error(cfg, map->items[2 * i], "%s keys must be strings",
					       where);
		for (j = 0; j < nknown; j++)
			ok |= !strcmp(k->value, known[j]);
		for (j = 0; j < i; j++) {
			const struct sg_yaml_node *o = sg_yaml_deref(map->items[2 * j]);

			if (o && o->kind == SG_YAML_SCALAR && !strcmp(o->value, k->value))
				return sg_config_error(cfg, k,
						       "duplicate key '%s' (first at %lu:%lu)",
						       k->value, o->start.line, o->start.col);
		}
		if (ok)
			continue;
		hint = sg_suggest(k->value, known, nknown);
		if (hint)
			return sg_config_error(cfg, k, "unknown key '%s' in %s; did you mean '%s'?",
					       k->value, where, hint);
		return sg_config_error(cfg, k, "unknown key '%s' in %s", k->value, where);
	}
	return 0;
}

#define KEYS(...) \
	static const char *const known[] = { __VA_ARGS__ }; \
	const size_t nknown = sizeof(known) / sizeof(known[0])

static int parse_urls(struct sg_config *cfg, struct sg_deployment *d,
		      const struct sg_yaml_node *n)
{
	size_t i;

	if (sg_config_want(cfg, n, SG_YAML_MAP, "urls") < 0)
		return -1;
	d->urls = sg_calloc(n->n, sizeof(*d->urls));
	for (i = 0; i < n->n; i++) {
		const struct sg_yaml_node *k = sg_yaml_deref(n->items[2 * i]);
		const struct sg_yaml_node *v = sg_yaml_deref(n->items[2 * i + 1]);

		if (sg_config_want(cfg, k, SG_YAML_SCALAR, "an environment name") < 0 ||
		    sg_config_want(cfg, v ? v : n->items[2 * i + 1], SG_YAML_SCALAR, "a URL") < 0)
			return -1;
		d->urls[i].env = sg_strdup(k->value);
		d->urls[i].url = sg_strdup(v->value);
		d->nurls++;
	}
	return 0;
}

/* '${hub}-staging' -> '^(?<hub>.+?)-staging$': the upstream branches of a pattern deployment,
 * so that a push to physics-staging is known as the first stage of the physics hub. */
static int template_regex(struct sg_regex **out, const char *tmpl, struct sg_buf *err)
{
	struct sg_buf re = SG_BUF_INIT;
	const char *p;
	int ret;

	sg_buf_addch(&re, '^');
	for (p = tmpl; *p; p++) {
		const char *close;

		if (p[0] == '$' && p[1] == '{' && (close = strchr(p + 2, '}'))) {
			size_t n = (size_t)(close - p - 2);

			if (n && strspn(p + 2, "0123456789") >= n)
				sg_buf_addstr(&re, "(.+?)");
			else
				sg_buf_addf(&re, "(?<%.*s>.+?)", (int)n, p + 2);
			p = close;
			continue;
		}
		if (strchr("\\^$.|?*+()[]{}", *p))
			sg_buf_addch(&re, '\\');
		sg_buf_addch(&re, *p);
	}
	sg_buf_addch(&re, '$');
	ret = sg_regex_compile(out, sg_buf_str(&re), err);
	sg_buf_release(&re);
	return ret;
}

/*
 * Every ${name} in a template must be something resolve can fill: a group of the deployment's
 * `match` and, outside `from`, ${stage}. A typo would otherwise pass install and then break
 * (from) or silently miss (urls, values) on every push to a matching branch.
 */
static int check_template(const struct sg_config *cfg, const struct sg_yaml_node *at,
			  const char *key, const char *tmpl, const struct sg_regex *re,
			  int allow_stage)
{
	const char *p, *close;

	for (p = tmpl; (p = strstr(p, "${")) && (close = strchr(p + 2, '}')); p = close + 1) {
		char *name = sg_strndup(p + 2, (size_t)(close - p - 2));
		int ok = (allow_stage && !strcmp(name, "stage")) ||
			(re && sg_regex_has_group(re, name));

		if (!ok)
			sg_config_error(cfg, at, "'%s' refers to ${%s}, which is %s", key, name,
					re ? "neither ${stage} nor a group of 'match' (write "
					"a group as (?<name>...))" : "not ${stage} (a 'chain' "
					"deployment has no other names)");
		free(name);
		if (!ok)
			return -1;
	}
	return 0;
}

static int check_templates(const struct sg_config *cfg, const struct sg_deployment *d)
{
	const struct sg_yaml_node *n = d->node;
	size_t i;

	if (d->from && check_template(cfg, sg_yaml_get(n, "from"), "from", d->from, d->match,
				      0) < 0)
		return -1;
	for (i = 0; i < d->nurls; i++)
		if (check_template(cfg, sg_yaml_get(n, "urls"), "urls", d->urls[i].url, d->match,
				   1) < 0)
			return -1;
	for (i = 0; i < d->nvalues; i++)
		if (check_template(cfg, sg_yaml_get(n, "values"), "values", d->values[i],
				   d->match, 1) < 0)
			return -1;
	return 0;
}

static int parse_deployment(struct sg_config *cfg, struct sg_deployment *d,
			    const struct sg_yaml_node *n)
{
	KEYS("name", "chain", "match", "from", "stage", "from_stage", "urls", "health",
	     "timeout", "expect_version", "values", "chart");
	struct sg_buf err = SG_BUF_INIT;
	const struct sg_yaml_node *v;
	size_t i;

	if (sg_config_want(cfg, n, SG_YAML_MAP, "a deployment") < 0 ||
	    sg_config_check_keys(cfg, n, known, nknown, "a deployment") < 0)
		return -1;
	d->node = n;
	d->timeout_ms = 3000;
	if (!(v = sg_yaml_get(n, "name")))
		return sg_config_error(cfg, n, "deployment has no 'name'");
	if (sg_config_get_str(cfg, v, "name", &d->name) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "chain"))) {
		if (sg_config_get_strv(cfg, v, "chain", &d->chain, &d->nchain) < 0)
			return -1;
		if (d->nchain < 2)
			return sg_config_error(cfg, v, "chain of '%s' needs at least two branches "
					       "(e.g. [staging, prod])", d->name);
		for (i = 1; i < d->nchain; i++) {
			size_t j;

			for (j = 0; j < i; j++)
				if (!strcmp(d->chain[i], d->chain[j]))
					return sg_config_error(cfg, v, "branch '%s' appears twice "
							       "in the chain of '%s'",
							       d->chain[i], d->name);
		}
	}
	if ((v = sg_yaml_get(n, "match"))) {
		if (d->chain)
			return sg_config_error(cfg, v, "deployment '%s' has both 'chain' and "
					       "'match'; use one", d->name);
		if (sg_config_get_str(cfg, v, "match", &d->match_src) < 0)
			return -1;
		if (sg_regex_compile(&d->match, d->match_src, &err) < 0) {
			sg_config_error(cfg, v, "bad pattern '%s': %s", d->match_src,
					sg_buf_str(&err));
			sg_buf_release(&err);
			return -1;
		}
		if (!(v = sg_yaml_get(n, "from")))
			return sg_config_error(cfg, n, "deployment '%s' has 'match' but no 'from' "
					       "(the upstream branch, e.g. '${hub}-staging')",
					       d->name);
		if (sg_config_get_str(cfg, v, "from", &d->from) < 0)
			return -1;
		if (template_regex(&d->from_match, d->from, &err) < 0) {
			sg_config_error(cfg, v, "bad 'from' template '%s': %s", d->from,
					sg_buf_str(&err));
			sg_buf_release(&err);
			return -1;
		}
	} else if (sg_yaml_get(n, "from")) {
		return sg_config_error(cfg, sg_yaml_get_key(n, "from"),
				       "'from' needs 'match' beside it");
	}
	if (!d->chain && !d->match)
		return sg_config_error(cfg, n, "deployment '%s' needs 'chain' (e.g. [staging, "
				       "prod]) or 'match' and 'from'", d->name);
	d->stage = sg_strdup("prod");
	d->from_stage = sg_strdup("staging");
	if ((v = sg_yaml_get(n, "stage")) && sg_config_get_str(cfg, v, "stage", &d->stage) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "from_stage")) &&
	    sg_config_get_str(cfg, v, "from_stage", &d->from_stage) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "urls")) && parse_urls(cfg, d, v) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "health")) && sg_config_get_str(cfg, v, "health", &d->health) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "timeout"))) {
		unsigned long s;

		if (sg_config_get_uint(cfg, v, "timeout (seconds)", &s) < 0)
			return -1;
		d->timeout_ms = s * 1000;
	}
	if ((v = sg_yaml_get(n, "expect_version")) &&
	    sg_config_get_str(cfg, v, "expect_version", &d->expect_version) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "values")) &&
	    sg_config_get_strv(cfg, v, "values", &d->values, &d->nvalues) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "chart")) && sg_config_get_str(cfg, v, "chart", &d->chart) < 0)
		return -1;
	return check_templates(cfg, d);
}

/* 1 when d protects branch (a later stage of its chain, or matched by its pattern). */
static int protects(const struct sg_deployment *d, const char *branch)
{
	size_t i;

	for (i = 1; i < d->nchain; i++)
		if (!strcmp(d->chain[i], branch))
			return 1;
	return d->match ? sg_regex_match(d->match, branch) : 0;
}

static int parse_deployments(struct sg_config *cfg, const struct sg_yaml_node *n)
{
	size_t i, j, k;

	if (sg_config_want(cfg, n, SG_YAML_SEQ, "deployments") < 0)
		return -1;
	cfg->deployments = sg_calloc(n->n, sizeof(*cfg->deployments));
	for (i = 0; i < n->n; i++) {
		cfg->ndeployments++;
		if (parse_deployment(cfg, &cfg->deployments[i], sg_yaml_deref(n->items[i])) < 0)
			return -1;
	}
	/* A branch protected twice would have two upstreams: refuse the ambiguity. */
	for (i = 0; i < cfg->ndeployments; i++) {
		const struct sg_deployment *d = &cfg->deployments[i];

		for (k = 1; k < d->nchain; k++) {
			for (j = 0; j < cfg->ndeployments; j++) {
				int r = j == i ? 0 : protects(&cfg->deployments[j], d->chain[k]);

				if (r < 0)
					return -1;
				if (r)
					return sg_config_error(cfg, d->node, "branch '%s' is "
							       "protected by both '%s' and '%s'",
							       d->chain[k], cfg->deployments[j].name,
							       d->name);
			}
		}
	}
	return 0;
}

static int parse_promotion(struct sg_config *cfg, const struct sg_yaml_node *n)
{
	KEYS("soak_minutes", "require_attestation", "override");
	static const char *const okeys[] = { "push_option", "users", "audit_log" };
	struct sg_promotion *p = &cfg->promotion;
	const struct sg_yaml_node *v, *o;

	if (sg_config_want(cfg, n, SG_YAML_MAP, "promotion") < 0 ||
	    sg_config_check_keys(cfg, n, known, nknown, "promotion") < 0)
		return -1;
	if ((v = sg_yaml_get(n, "soak_minutes")) &&
	    sg_config_get_uint(cfg, v, "soak_minutes", &p->soak_minutes) < 0)
		return -1;
	if ((v = sg_yaml_get(n, "require_attestation")) &&
	    sg_config_get_bool(cfg, v, "require_attestation", &p->require_attestation) < 0)
		return -1;
	if (!(o = sg_yaml_get(n, "override")))
		return 0;
	if (sg_config_want(cfg, o, SG_YAML_MAP, "override") < 0 ||
	    sg_config_check_keys(cfg, o, okeys, 3, "override") < 0)
		return -1;
	if ((v = sg_yaml_get(o, "push_option")) &&
	    sg_config_get_str(cfg, v, "push_option", &p->override.push_option) < 0)
		return -1;
	if ((v = sg_yaml_get(o, "users")) &&
	    sg_config_get_strv(cfg, v, "users", &p->override.users, &p->override.nusers) < 0)
		return -1;
	if ((v = sg_yaml_get(o, "audit_log")) &&
	    sg_config_get_str(cfg, v, "audit_log", &p->override.audit_log) < 0)
		return -1;
	return 0;
}

static int parse_stages(struct sg_config *cfg, const struct sg_yaml_node *n)
{
	size_t i;

	if (sg_config_want(cfg, n, SG_YAML_MAP, "stages") < 0 ||
	    sg_config_check_keys(cfg, n, stage_names, SG_STAGE__COUNT, "stages") < 0)
		return -1;
	for (i = 0; i < n->n; i++) {
		const struct sg_yaml_node *k = sg_yaml_deref(n->items[2 * i]);
		const struct sg_yaml_node *v = sg_yaml_deref(n->items[2 * i + 1]);
		struct sg_check_list *l;
		enum sg_stage st = SG_STAGE_CI;
		size_t j;

		sg_stage_parse(&st, k->value);
		l = &cfg->stages[st];
		strv_release(&l->ids, &l->n);
		if (sg_yaml_is_null(v))
			continue;
		if (sg_config_get_strv(cfg, v ? v : n->items[2 * i + 1], "a stage's checks", &l->ids,
			     &l->n) < 0)
			return -1;
		for (j = 0; j < l->n; j++)
			if (!*l->ids[j] || strspn(l->ids[j], "abcdefghijklmnopqrstuvwxyz"
						  "0123456789-_") != strlen(l->ids[j]))
				return sg_config_error(cfg, v, "'%s' is not a check name "
						       "(letters, digits, '-')", l->ids[j]);
	}
	return 0;
}

static void set_defaults(struct sg_config *cfg)
{
	size_t s, i;

	for (s = 0; s < SG_STAGE__COUNT; s++)
		for (i = 0; default_stages[s][i]; i++)
			cfg->stages[s].n = sg_strv_push(&cfg->stages[s].ids, default_stages[s][i]);
	cfg->promotion.override.push_option = sg_strdup("stagegate.override");
	cfg->promotion.override.audit_log = sg_strdup("stagegate-audit.log");
}

struct sg_config *sg_config_default(void)
{
	struct sg_config *cfg = sg_calloc(1, sizeof(*cfg));

	cfg->path = sg_strdup("(defaults)");
	set_defaults(cfg);
	return cfg;
}

static int parse_root(struct sg_config *cfg)
{
	KEYS("version", "deployments", "promotion", "stages", "lint", "charts", "db_upgrade",
	     "staging_gate");
	const struct sg_yaml_node *r = cfg->root, *v;

	if (!r || sg_yaml_is_null(r))
		return 0;
	if (sg_config_want(cfg, r, SG_YAML_MAP, "the config") < 0 ||
	    sg_config_check_keys(cfg, r, known, nknown, "the config") < 0)
		return -1;
	if ((v = sg_yaml_get(r, "version")) &&
	    (v->kind != SG_YAML_SCALAR || strcmp(v->value, "1")))
		return sg_config_error(cfg, v, "unsupported config version (this stagegate "
				       "reads version 1)");
	if ((v = sg_yaml_get(r, "deployments")) && !sg_yaml_is_null(v) &&
	    parse_deployments(cfg, v) < 0)
		return -1;
	if ((v = sg_yaml_get(r, "promotion")) && parse_promotion(cfg, v) < 0)
		return -1;
	if ((v = sg_yaml_get(r, "stages")) && parse_stages(cfg, v) < 0)
		return -1;
	cfg->lint = sg_yaml_get(r, "lint");
	cfg->charts = sg_yaml_get(r, "charts");
	cfg->db_upgrade = sg_yaml_get(r, "db_upgrade");
	cfg->staging_gate = sg_yaml_get(r, "staging_gate");
	return 0;
}

int sg_config_parse(struct sg_config **out, const char *path, const char *text, size_t len)
{
	struct sg_config *cfg = sg_calloc(1, sizeof(*cfg));
	struct sg_yaml_error err;

	*out = NULL;
	cfg->path = sg_strdup(path);
	cfg->text = sg_strndup(text, len);
	cfg->len = len;
	set_defaults(cfg);
	if (sg_yaml_parse(&cfg->doc, cfg->text, len, 64, &err) < 0) {
		/* libyaml's context names where the construct it could not finish began. */
		fprintf(stderr, "%s:%lu:%lu: error: %s", path, err.problem_pos.line,
			err.problem_pos.col, err.problem);
		if (*err.context)
			fprintf(stderr, " (%s at %lu:%lu)", err.context, err.context_pos.line,
				err.context_pos.col);
		fputs(" [config]\n", stderr);
		sg_config_free(cfg);
		return -1;
	}
	if (cfg->doc->ndocs > 1) {
		sg_config_error(cfg, cfg->doc->roots[1], "the config must be one YAML document");
		sg_config_free(cfg);
		return -1;
	}
	cfg->root = sg_yaml_deref(sg_yaml_root(cfg->doc));
	if (parse_root(cfg) < 0) {
		sg_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int sg_config_load(struct sg_config **out, const char *path)
{
	struct sg_buf b = SG_BUF_INIT;
	int ret;

	*out = NULL;
	if (sg_buf_read_file(&b, path) < 0)
		return -1;
	ret = sg_config_parse(out, path, sg_buf_str(&b), b.len);
	sg_buf_release(&b);
	return ret;
}

static void deployment_release(struct sg_deployment *d)
{
	size_t i;

	free(d->name);
	strv_release(&d->chain, &d->nchain);
	sg_regex_free(d->match);
	sg_regex_free(d->from_match);
	free(d->match_src);
	free(d->from);
	free(d->stage);
	free(d->from_stage);
	for (i = 0; i < d->nurls; i++) {
		free(d->urls[i].env);
		free(d->urls[i].url);
	}
	free(d->urls);
	free(d->health);
	free(d->expect_version);
	strv_release(&d->values, &d->nvalues);
	free(d->chart);
}

void sg_config_free(struct sg_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->ndeployments; i++)
		deployment_release(&cfg->deployments[i]);
	free(cfg->deployments);
	free(cfg->promotion.override.push_option);
	strv_release(&cfg->promotion.override.users, &cfg->promotion.override.nusers);
	free(cfg->promotion.override.audit_log);
	for (i = 0; i < SG_STAGE__COUNT; i++)
		strv_release(&cfg->stages[i].ids, &cfg->stages[i].n);
	sg_yaml_free(cfg->doc);
	free(cfg->text);
	free(cfg->path);
	free(cfg);
}

const char *sg_config_file(const struct sg_config *cfg)
{
	/* Only the built-in defaults have no text. */
	return cfg->text ? cfg->path : NULL;
}

int sg_config_runs(const struct sg_config *cfg, enum sg_stage stage, const char *check)
{
	size_t i;

	for (i = 0; i < cfg->stages[stage].n; i++)
		if (!strcmp(cfg->stages[stage].ids[i], check))
			return 1;
	return 0;
}

void sg_target_release(struct sg_target *t)
{
	free(t->branch);
	free(t->env);
	free(t->upstream);
	free(t->upstream_env);
	free(t->url);
	free(t->upstream_url);
	sg_strv_free(t->vars);
	memset(t, 0, sizeof(*t));
}

void sg_target_expand(struct sg_buf *out, const struct sg_target *t, const char *tmpl)
{
	sg_template_expand(out, tmpl, (const char *const *)t->vars);
}

static char *env_url(const struct sg_target *t, const char *env)
{
	const struct sg_deployment *d = t->deployment;
	struct sg_buf b = SG_BUF_INIT;
	size_t i;

	if (!env)
		return NULL;
	for (i = 0; i < d->nurls; i++) {
		if (strcmp(d->urls[i].env, env))
			continue;
		sg_target_expand(&b, t, d->urls[i].url);
		return sg_buf_detach(&b);
	}
	return NULL;
}

/* vars = stage plus the named groups: "stage", env, name, value, ..., NULL. */
static char **make_vars(const char *env, char **groups)
{
	size_t n = 0, i;
	char **v;

	while (groups && groups[n])
		n++;
	v = sg_calloc(n + 3, sizeof(*v));
	v[0] = sg_strdup("stage");
	v[1] = sg_strdup(env);
	for (i = 0; i < n; i++)
		v[2 + i] = sg_strdup(groups[i]);
	return v;
}

static void fill_urls(struct sg_target *t)
{
	t->url = env_url(t, t->env);
	t->upstream_url = env_url(t, t->upstream_env);
}

int sg_config_resolve(struct sg_target *out, const struct sg_config *cfg, const char *branch,
		      int want_first)
{
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < cfg->ndeployments; i++) {
		const struct sg_deployment *d = &cfg->deployments[i];
		struct sg_buf up = SG_BUF_INIT;
		char **groups = NULL;
		int rc;

		for (j = 0; j < d->nchain; j++) {
			if (strcmp(d->chain[j], branch) || (!j && !want_first))
				continue;
			out->deployment = d;
			out->branch = sg_strdup(branch);
			out->env = sg_strdup(branch);
			out->upstream = j ? sg_strdup(d->chain[j - 1]) : NULL;
			out->upstream_env = j ? sg_strdup(d->chain[j - 1]) : NULL;
			out->vars = make_vars(branch, NULL);
			fill_urls(out);
			return 1;
		}
		if (!d->match)
			continue;
		rc = sg_regex_groups(&groups, d->match, branch);
		if (rc < 0)
			return -1;
		if (!rc && want_first) {
			rc = sg_regex_groups(&groups, d->from_match, branch);
			if (rc < 0)
				return -1;
			if (rc) {
				out->deployment = d;
				out->branch = sg_strdup(branch);
				out->env = sg_strdup(d->from_stage);
				out->vars = make_vars(d->from_stage, groups);
				sg_strv_free(groups);
				fill_urls(out);
				return 1;
			}
		}
		if (!rc)
			continue;
		out->deployment = d;
		out->branch = sg_strdup(branch);
		out->env = sg_strdup(d->stage);
		out->upstream_env = sg_strdup(d->from_stage);
		out->vars = make_vars(d->stage, groups);
		sg_strv_free(groups);
		if (sg_regex_expand(d->match, branch, d->from, &up) < 0) {
			sg_buf_release(&up);
			sg_target_release(out);
			return -1;
		}
		out->upstream = sg_buf_detach(&up);
		fill_urls(out);
		return 1;
	}
	return 0;
}

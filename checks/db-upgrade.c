/*
 * The db-upgrade check: a push that moves the jupyterhub chart across a minor or major version
 * or changes hub.db.type is compared before and after, with the deployment's values merged as
 * helm merges them, so that an external database gets hub.db.upgrade for that one upgrade, a
 * sqlite hub gets its backup checklist and a database type change is acknowledged.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <git2.h>

#include "buf.h"
#include "check.h"
#include "glob.h"
#include "regex.h"
#include "repo.h"
#include "semver.h"
#include "strv.h"
#include "values.h"
#include "banned.h"

enum rule {
	R_REQUIRED,
	R_BACKUP,
	R_TYPE_CHANGE,
	R_LEFT_ON,
	R_URL_SECRET,
	R_DOWNGRADE,
	R__COUNT
};

static const char *const rule_ids[R__COUNT] = {
	"db-upgrade-required", "db-backup", "db-type-change", "db-upgrade-left-on",
	"db-url-secret", "db-downgrade"
};

#define SEV_OFF (-1)

static const int default_sev[R__COUNT] = {
	SG_ERROR, SG_WARNING, SG_ERROR, SG_WARNING, SG_WARNING, SG_WARNING
};

/* Encrypted files by their usual names: sops and git-crypt setups keep them there. */
static const char *const default_encrypted[] = {
	"**/secrets/**", "**/*.enc.yaml", "**/*.enc.yml", "**/*.sops.yaml", "**/*.sops.yml"
};

struct opts {
	char *chart;		/* the chart to watch, "jupyterhub" */
	char *trailer;		/* "Hub-DB-Migration" */
	char **encrypted;	/* globs */
	size_t nencrypted;
	int sev[R__COUNT];	/* enum sg_severity or SEV_OFF */
};

/* One jupyterhub chart of a deployment: the deployment chart itself or a dependency. */
struct hub {
	char *prefix;		/* where its values sit: "", "jupyterhub.", "<alias>." */
	char *label;		/* "jupyterhub", or "jupyterhub (alias hub2)" */
	int have_ver;
	struct sg_semver ver;
	const struct sg_yaml_node *ver_node;	/* the version as written */
	const char *ver_path;			/* the file that says it */
};

struct file_text {
	char *path;
	char *text;		/* NULL when the file was unreadable (git-crypt) */
	int encrypted;
};

/* What one commit says about a deployment. */
struct snap {
	int present;		/* 0: no such state (a created ref) or unreadable before */
	struct sg_values values;
	struct sg_yaml_doc *docs[3];	/* Chart.yaml, requirements.yaml, a lock file */
	char *doc_paths[3];
	struct hub *hubs;
	size_t nhubs;
	struct file_text *files;
	size_t nfiles;
};

/* The effective database settings of one hub. */
struct db {
	const char *type;
	const struct sg_values_node *type_node;	/* NULL: the chart's default */
	int upgrade;
	const struct sg_values_node *upgrade_node;
};

struct dbup {
	struct sg_check_ctx *ctx;
	struct opts o;
	const struct sg_update *u;
	struct sg_target t;
	int trailer_done;
	char *trailer_value;	/* the acknowledgment found in the range, or NULL */
	char trailer_commit[8];
};

/* ---- configuration ------------------------------------------------------------------- */

static int parse_rules(const struct sg_config *cfg, struct opts *o, const struct sg_yaml_node *n)
{
	static const char *const sevs[] = { "error", "warning", "note", "off" };
	static const int sev_vals[] = { SG_ERROR, SG_WARNING, SG_NOTE, SEV_OFF };
	size_t i, j;

	if (!n || n->kind != SG_YAML_MAP)
		return sg_config_error(cfg, n, "db_upgrade.rules must be a mapping of rule to "
				       "severity (error, warning, note, off)");
	if (sg_config_check_keys(cfg, n, rule_ids, R__COUNT, "db_upgrade.rules") < 0)
		return -1;
	for (i = 0; i < n->n; i++) {
		const struct sg_yaml_node *k = sg_yaml_deref(n->items[2 * i]);
		const struct sg_yaml_node *v = sg_yaml_deref(n->items[2 * i + 1]);
		int found = 0;

		for (j = 0; v && v->kind == SG_YAML_SCALAR && j < 4; j++) {
			if (!strcmp(v->value, sevs[j])) {
				size_t r;

				for (r = 0; r < R__COUNT; r++)
					if (!strcmp(rule_ids[r], k->value))
						o->sev[r] = sev_vals[j];
				found = 1;
			}
		}
		if (!found)
			return sg_config_error(cfg, v ? v : n->items[2 * i + 1],
					       "severity of '%s' must be error, warning, note or "
					       "off", k->value);
	}
	return 0;
}

static int is_trailer_key(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static void opts_release(struct opts *o)
{
	free(o->chart);
	free(o->trailer);
	sg_strv_free(o->encrypted);
	memset(o, 0, sizeof(*o));
}

static int parse_opts(struct opts *o, const struct sg_config *cfg)
{
	static const char *const known[] = { "chart", "trailer", "encrypted", "rules" };
	const struct sg_yaml_node *n = cfg->db_upgrade, *v;
	size_t i;

	memset(o, 0, sizeof(*o));
	o->chart = sg_strdup("jupyterhub");
	o->trailer = sg_strdup("Hub-DB-Migration");
	memcpy(o->sev, default_sev, sizeof(o->sev));
	if (n && sg_yaml_is_null(n))
		n = NULL;
	if (n && n->kind != SG_YAML_MAP)
		return sg_config_error(cfg, n, "db_upgrade must be a mapping, not a %s",
				       sg_yaml_kind_name(n));
	if (n && sg_config_check_keys(cfg, n, known, 4, "db_upgrade") < 0)
		return -1;
	if (n && (v = sg_yaml_get(n, "chart")) &&
	    sg_config_get_str(cfg, v, "db_upgrade.chart", &o->chart) < 0)
		return -1;
	if (n && (v = sg_yaml_get(n, "trailer"))) {
		if (sg_config_get_str(cfg, v, "db_upgrade.trailer", &o->trailer) < 0)
			return -1;
		if (!is_trailer_key(o->trailer))
			return sg_config_error(cfg, v, "db_upgrade.trailer '%s' is not a trailer "
					       "name (letters, digits and '-', as in "
					       "Hub-DB-Migration)", o->trailer);
	}
	if (n && (v = sg_yaml_get(n, "encrypted"))) {
		if (sg_config_get_strv(cfg, v, "db_upgrade.encrypted", &o->encrypted,
				       &o->nencrypted) < 0)
			return -1;
	} else {
		for (i = 0; i < sizeof(default_encrypted) / sizeof(*default_encrypted); i++)
			o->nencrypted = sg_strv_push(&o->encrypted, default_encrypted[i]);
	}
	if (n && (v = sg_yaml_get(n, "rules")) && parse_rules(cfg, o, v) < 0)
		return -1;
	return 0;
}

/* ---- reading a commit's state -------------------------------------------------------- */

static void snap_release(struct snap *s)
{
	size_t i;

	sg_values_release(&s->values);
	for (i = 0; i < 3; i++) {
		sg_yaml_free(s->docs[i]);
		free(s->doc_paths[i]);
	}
	for (i = 0; i < s->nhubs; i++) {
		free(s->hubs[i].prefix);
		free(s->hubs[i].label);
	}
	free(s->hubs);
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].path);
		free(s->files[i].text);
	}
	free(s->files);
	memset(s, 0, sizeof(*s));
}

static int matches_any(char *const *globs, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sg_glob_match(globs[i], path))
			return 1;
	return 0;
}

/* Report a file that cannot be read as YAML, compiler-style, as the one line the hook shows. */
static int bad_yaml(struct dbup *st, const char *path, const char *commit_hex,
		    const struct sg_yaml_error *err)
{
	fprintf(stderr, "%s:%lu:%lu: error: %s", path, err->problem_pos.line,
		err->problem_pos.col, err->problem);
	if (err->context[0])
		fprintf(stderr, " (%s at %lu:%lu)", err->context, err->context_pos.line,
			err->context_pos.col);
	fprintf(stderr, "; helm cannot read this file of deployment '%s' (%s at %s) "
		"[db-upgrade]\n", st->t.deployment->name, sg_ref_branch(st->u->ref), commit_hex);
	return -1;
}

/*
 * Read path at commit and parse it. Returns 0 (*out set), 1 when absent, -1 on error (a
 * YAML error is reported only when strict; otherwise it counts as absent).
 */
static int read_yaml(struct sg_yaml_doc **out, struct dbup *st, const git_oid *commit,
		     const char *hex, const char *path, int strict)
{
	struct sg_buf b = SG_BUF_INIT;
	struct sg_yaml_error err;
	int r;

	*out = NULL;
	r = sg_repo_read_at(&b, NULL, st->ctx->repo, commit, path);
	if (r) {
		sg_buf_release(&b);
		return r < 0 ? -1 : 1;
	}
	r = sg_yaml_parse(out, b.buf ? b.buf : "", b.len, 0, &err);
	sg_buf_release(&b);
	if (r < 0)
		return strict ? bad_yaml(st, path, hex, &err) : 1;
	return 0;
}

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

struct walk_ctx {
	const char *base;	/* directory walked, "" or "a/b/" */
	const char *pattern;
	char **found;
	size_t n, alloc;
};

static int walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct walk_ctx *w = payload;
	struct sg_buf p = SG_BUF_INIT;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	sg_buf_addf(&p, "%s%s%s", w->base, root, git_tree_entry_name(e));
	if (sg_glob_match(w->pattern, sg_buf_str(&p))) {
		SG_GROW(w->found, w->alloc, w->n + 2);
		w->found[w->n++] = sg_buf_detach(&p);
		w->found[w->n] = NULL;
	}
	sg_buf_release(&p);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files a glob names in a commit, sorted as a shell expands a -f glob. */
static int expand_glob(char ***out, git_repository *repo, const git_oid *commit,
		       const char *pattern)
{
	struct walk_ctx w;
	git_commit *c = NULL;
	git_tree *tree = NULL, *sub = NULL;
	git_tree_entry *e = NULL;
	struct sg_buf dir = SG_BUF_INIT;
	const char *meta = strpbrk(pattern, "*?["), *slash = NULL, *p;
	int err, ret = -1;

	memset(&w, 0, sizeof(w));
	w.pattern = pattern;
	/* Walk only below the pattern's literal directory, not the whole tree. */
	for (p = pattern; p < meta; p++)
		if (*p == '/')
			slash = p;
	if (slash)
		sg_buf_add(&dir, pattern, (size_t)(slash - pattern + 1));
	w.base = sg_buf_str(&dir);
	if ((err = git_commit_lookup(&c, repo, commit)) < 0 ||
	    (err = git_commit_tree(&tree, c)) < 0) {
		sg_error_git(err, "cannot read the tree of a pushed commit");
		goto out;
	}
	if (dir.len) {
		sg_buf_reset(&dir);
		sg_buf_add(&dir, pattern, (size_t)(slash - pattern));
		err = git_tree_entry_bypath(&e, tree, sg_buf_str(&dir));
		sg_buf_addch(&dir, '/');
		w.base = sg_buf_str(&dir);
		if (err == GIT_ENOTFOUND || (!err && git_tree_entry_type(e) != GIT_OBJECT_TREE)) {
			git_error_clear();
			ret = 0;
			goto out;
		}
		if (err < 0 || (err = git_tree_lookup(&sub, repo, git_tree_entry_id(e))) < 0) {
			sg_error_git(err, "cannot read '%s'", sg_buf_str(&dir));
			goto out;
		}
	}
	if ((err = git_tree_walk(sub ? sub : tree, GIT_TREEWALK_PRE, walk_cb, &w)) < 0) {
		sg_error_git(err, "cannot list the files of a pushed commit");
		goto out;
	}
	if (w.n)
		qsort(w.found, w.n, sizeof(*w.found), cmp_str);
	ret = 0;
out:
	if (ret == 0) {
		*out = w.found;
		w.found = NULL;
	}
	sg_strv_free(w.found);
	git_tree_entry_free(e);
	git_tree_free(sub);
	git_tree_free(tree);
	git_commit_free(c);
	sg_buf_release(&dir);
	return ret;
}

static int is_sops_file(const struct sg_values_file *f)
{
	const struct sg_yaml_node *root = sg_yaml_root(f->doc);

	return root && sg_yaml_get(root, "sops") != NULL && sg_yaml_get(root, "sops")->kind ==
		SG_YAML_MAP;
}

/* Merge one values file into s. Returns 0 (also when absent), -1 on error. */
static int add_values(struct dbup *st, struct snap *s, const git_oid *commit, const char *hex,
		      const char *path, int strict)
{
	struct sg_buf b = SG_BUF_INIT;
	struct sg_yaml_error err;
	struct file_text *ft;
	int enc = matches_any(st->o.encrypted, st->o.nencrypted, path), r, ret = -1;
	size_t nfiles;

	r = sg_repo_read_at(&b, NULL, st->ctx->repo, commit, path);
	if (r) {
		sg_buf_release(&b);
		return r < 0 ? -1 : 0;
	}
	s->files = sg_realloc(s->files, (s->nfiles + 1) * sizeof(*s->files));
	ft = &s->files[s->nfiles++];
	memset(ft, 0, sizeof(*ft));
	ft->path = sg_strdup(path);
	ft->encrypted = enc;
	/* git-crypt keeps ciphertext in the repository: nothing to read, and not an error. */
	if (b.len >= 9 && !memcmp(b.buf, "\0GITCRYPT", 9)) {
		ft->encrypted = 1;
		ret = 0;
		goto out;
	}
	ft->text = sg_strndup(b.buf ? b.buf : "", b.len);
	nfiles = s->values.nfiles;
	if (sg_values_add(&s->values, path, sg_buf_str(&b), b.len, &err) < 0) {
		if (enc && s->values.nfiles == nfiles) {
			/* Encrypted some other way (ansible-vault...): not ours to judge. */
			ret = 0;
			goto out;
		}
		if (strict)
			bad_yaml(st, path, hex, &err);
		else
			ret = 1;
		goto out;
	}
	if (is_sops_file(&s->values.files[s->values.nfiles - 1]))
		ft->encrypted = 1;
	ret = 0;
out:
	sg_buf_release(&b);
	return ret;
}

static const struct sg_yaml_node *dep_lock_version(struct snap *s, const char *name)
{
	const struct sg_yaml_node *deps = sg_yaml_get(sg_yaml_root(s->docs[2]), "dependencies");
	size_t i;

	if (!deps || deps->kind != SG_YAML_SEQ)
		return NULL;
	for (i = 0; i < deps->n; i++) {
		const struct sg_yaml_node *d = sg_yaml_deref(deps->items[i]);

		if (sg_yaml_str(sg_yaml_get(d, "name")) &&
		    !strcmp(sg_yaml_str(sg_yaml_get(d, "name")), name))
			return sg_yaml_get(d, "version");
	}
	return NULL;
}

static void add_hub(struct snap *s, const char *prefix, const char *label,
		    const struct sg_yaml_node *ver, size_t doc)
{
	struct hub *h;

	s->hubs = sg_realloc(s->hubs, (s->nhubs + 1) * sizeof(*s->hubs));
	h = &s->hubs[s->nhubs++];
	memset(h, 0, sizeof(*h));
	h->prefix = sg_strdup(prefix);
	h->label = sg_strdup(label);
	if (ver && ver->kind == SG_YAML_SCALAR && sg_semver_parse_loose(&h->ver, ver->value) == 0) {
		h->have_ver = 1;
		h->ver_node = ver;
		h->ver_path = s->doc_paths[doc];
	}
}

/* A dependency version may be a range ("3.3.x"): the lock file says what helm resolved. */
static void add_dep_hub(struct snap *s, const struct sg_yaml_node *dep, const char *chart,
			size_t doc)
{
	const struct sg_yaml_node *ver = sg_yaml_get(dep, "version");
	const char *alias = sg_yaml_str(sg_yaml_get(dep, "alias"));
	struct sg_semver tmp;
	struct sg_buf prefix = SG_BUF_INIT, label = SG_BUF_INIT;

	if (alias && !*alias)
		alias = NULL;
	sg_buf_addf(&prefix, "%s.", alias ? alias : chart);
	if (alias)
		sg_buf_addf(&label, "%s (alias %s)", chart, alias);
	else
		sg_buf_addstr(&label, chart);
	if (!ver || !sg_yaml_str(ver) || sg_semver_parse_loose(&tmp, sg_yaml_str(ver)) < 0) {
		const struct sg_yaml_node *locked = dep_lock_version(s, chart);

		if (locked) {
			ver = locked;
			doc = 2;
		}
	}
	add_hub(s, sg_buf_str(&prefix), sg_buf_str(&label), ver, doc);
	sg_buf_release(&prefix);
	sg_buf_release(&label);
}

static int load_chart(struct dbup *st, struct snap *s, const git_oid *commit, const char *hex,
		      int strict)
{
	static const char *const names[3][2] = {
		{ "Chart.yaml", NULL }, { "requirements.yaml", NULL },
		{ "Chart.lock", "requirements.lock" }
	};
	const char *dir = st->t.deployment->chart;
	const struct sg_yaml_node *root;
	size_t i, j;
	int r;

	for (i = 0; i < 3; i++) {
		for (j = 0; j < 2 && names[i][j] && !s->docs[i]; j++) {
			struct sg_buf p = SG_BUF_INIT;

			sg_buf_addf(&p, "%s/%s", dir, names[i][j]);
			r = read_yaml(&s->docs[i], st, commit, hex, sg_buf_str(&p), strict);
			if (r < 0) {
				sg_buf_release(&p);
				return -1;
			}
			if (r == 0)
				s->doc_paths[i] = sg_buf_detach(&p);
			sg_buf_release(&p);
		}
	}
	root = sg_yaml_root(s->docs[0]);
	if (root && sg_yaml_str(sg_yaml_get(root, "name")) &&
	    !strcmp(sg_yaml_str(sg_yaml_get(root, "name")), st->o.chart)) {
		/* The deployment installs the chart itself: its values sit at the top. */
		add_hub(s, "", st->o.chart, sg_yaml_get(root, "version"), 0);
		return 0;
	}
	for (i = 0; i < 2; i++) {
		const struct sg_yaml_node *deps =
			sg_yaml_get(sg_yaml_root(s->docs[i]), "dependencies");

		if (!deps || deps->kind != SG_YAML_SEQ)
			continue;
		for (j = 0; j < deps->n; j++) {
			const struct sg_yaml_node *d = sg_yaml_deref(deps->items[j]);
			const char *name = sg_yaml_str(sg_yaml_get(d, "name"));

			if (name && !strcmp(name, st->o.chart))
				add_dep_hub(s, d, st->o.chart, i);
		}
	}
	return 0;
}

/*
 * The state of the deployment at commit: chart versions and merged values. strict: the state
 * after the push, whose unreadable files are errors; before the push they only make the
 * comparison impossible (s->present stays 0).
 */
static int load_snap(struct dbup *st, struct snap *s, const git_oid *commit, int strict)
{
	const struct sg_deployment *d = st->t.deployment;
	struct sg_buf p = SG_BUF_INIT;
	char hex[8];
	size_t i, j;
	int r, ret = -1;

	sg_values_init(&s->values);
	sg_oid_short(hex, commit);
	if (d->chart) {
		if (load_chart(st, s, commit, hex, strict) < 0)
			goto out;
		/* helm starts from the chart's own values.yaml, then applies the -f files. */
		sg_buf_addf(&p, "%s/values.yaml", d->chart);
		r = add_values(st, s, commit, hex, sg_buf_str(&p), strict);
		if (r)
			goto done;
	}
	for (i = 0; i < d->nvalues; i++) {
		char **found = NULL;

		sg_buf_reset(&p);
		sg_target_expand(&p, &st->t, d->values[i]);
		if (!has_glob(sg_buf_str(&p))) {
			r = add_values(st, s, commit, hex, sg_buf_str(&p), strict);
			if (r)
				goto done;
			continue;
		}
		if (expand_glob(&found, st->ctx->repo, commit, sg_buf_str(&p)) < 0)
			goto out;
		for (j = 0, r = 0; found && found[j] && !r; j++)
			r = add_values(st, s, commit, hex, found[j], strict);
		sg_strv_free(found);
		if (r)
			goto done;
	}
	if (!d->chart) {
		/* No chart to tell: values under `jupyterhub:` and none at the top mean a
		 * wrapper chart, as datahub's. */
		const char *pre = !sg_values_child(&s->values.root, "hub") &&
			sg_values_child(&s->values.root, st->o.chart) ? st->o.chart : NULL;

		sg_buf_reset(&p);
		if (pre)
			sg_buf_addf(&p, "%s.", pre);
		add_hub(s, sg_buf_str(&p), st->o.chart, NULL, 0);
	}
	s->present = 1;
	r = 0;
done:
	ret = r < 0 ? -1 : 0;
out:
	sg_buf_release(&p);
	return ret;
}

/* ---- judging ------------------------------------------------------------------------- */

static const struct sg_values_node *hub_get(const struct snap *s, const struct hub *h,
					    const char *key)
{
	struct sg_buf p = SG_BUF_INIT;
	const struct sg_values_node *n;

	sg_buf_addf(&p, "%s%s", h->prefix, key);
	n = sg_values_get(&s->values, NULL, sg_buf_str(&p));
	sg_buf_release(&p);
	return n;
}

static void db_of(struct db *out, const struct snap *s, const struct hub *h)
{
	const struct sg_values_node *n = hub_get(s, h, "hub.db.type");

	memset(out, 0, sizeof(*out));
	out->type = "sqlite-pvc";	/* zero-to-jupyterhub's default */
	if (n && !n->is_map && !sg_values_is_null(n) && n->value->kind == SG_YAML_SCALAR) {
		out->type = n->value->value;
		out->type_node = n;
	}
	n = hub_get(s, h, "hub.db.upgrade");
	if (n && !n->is_map && sg_yaml_bool(n->value) == 1) {
		out->upgrade = 1;
		out->upgrade_node = n;
	}
}

static int is_external(const char *type)
{
	return !strcmp(type, "mysql") || !strcmp(type, "postgres") || !strcmp(type, "other");
}

static struct sg_diag *report(struct dbup *st, enum rule r, const struct snap *s,
			      const struct sg_values_node *at, const char *fmt, ...)
	SG_PRINTF(5, 6);

/* One diagnostic at a values node (or no position), unless its rule is off. */
static struct sg_diag *report(struct dbup *st, enum rule r, const struct snap *s,
			      const struct sg_values_node *at, const char *fmt, ...)
{
	struct sg_diag *d;
	va_list ap;

	if (st->o.sev[r] == SEV_OFF)
		return NULL;
	va_start(ap, fmt);
	d = sg_diags_addv(&st->ctx->diags, (enum sg_severity)st->o.sev[r], rule_ids[r], fmt, ap);
	va_end(ap);
	sg_diag_set_ref(d, st->u->ref, NULL);
	if (at)
		sg_diag_set_pos(d, sg_values_path(&s->values, at), at->value->start.line,
				at->value->start.col);
	return d;
}

static void at_version(struct sg_diag *d, const struct hub *h)
{
	if (d && h->ver_node)
		sg_diag_set_pos(d, h->ver_path, h->ver_node->start.line, h->ver_node->start.col);
}

static const char *move_name(enum sg_semver_move m)
{
	return m == SG_SEMVER_MAJOR ? "major" : "minor";
}

/* "(set at path:line:col)" or "(the chart's default)". */
static void where(struct sg_buf *out, const struct snap *s, const struct sg_values_node *n)
{
	if (!n) {
		sg_buf_addstr(out, "the chart's default");
		return;
	}
	sg_buf_addf(out, "set at %s:%lu:%lu", sg_values_path(&s->values, n),
		    n->value->start.line, n->value->start.col);
}

/* The last values file of the deployment: where a one-off override belongs. */
static const char *last_values_file(const struct snap *s)
{
	size_t i;

	for (i = s->nfiles; i > 0; i--)
		if (!s->files[i - 1].encrypted)
			return s->files[i - 1].path;
	return "the deployment's values";
}

/* Find a commit in old..new carrying the acknowledgment trailer. */
static int find_trailer(struct dbup *st)
{
	git_repository *repo = st->ctx->repo;
	git_revwalk *walk = NULL;
	git_oid oid;
	int err, ret = -1;

	if (st->trailer_done)
		return 0;
	st->trailer_done = 1;
	if ((err = git_revwalk_new(&walk, repo)) < 0 ||
	    (err = git_revwalk_push(walk, &st->u->new_oid)) < 0 ||
	    (err = git_revwalk_hide(walk, &st->u->old_oid)) < 0)
		goto fail;
	while (!st->trailer_value && (err = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL;
		git_message_trailer_array tr;
		size_t i;

		memset(&tr, 0, sizeof(tr));
		if ((err = git_commit_lookup(&c, repo, &oid)) < 0)
			goto fail;
		if (git_message_trailers(&tr, git_commit_message(c)) == 0) {
			for (i = 0; i < tr.count; i++) {
				if (strcasecmp(tr.trailers[i].key, st->o.trailer) ||
				    !*tr.trailers[i].value)
					continue;
				st->trailer_value = sg_strdup(tr.trailers[i].value);
				sg_oid_short(st->trailer_commit, &oid);
				break;
			}
		}
		git_message_trailer_array_free(&tr);
		git_commit_free(c);
	}
	if (!st->trailer_value && err != GIT_ITEROVER)
		goto fail;
	ret = 0;
	goto out;
fail:
	sg_error_git(err, "cannot walk the pushed commits of '%s'", st->u->ref);
out:
	git_revwalk_free(walk);
	return ret;
}

static const struct file_text *file_of(const struct snap *s, const char *path)
{
	size_t i;

	for (i = 0; path && i < s->nfiles; i++)
		if (!strcmp(s->files[i].path, path))
			return &s->files[i];
	return NULL;
}

/* 1 when the file holding n is new or different in this push. */
static int file_changed(const struct snap *before, const struct snap *after,
			const struct sg_values_node *n)
{
	const char *path = sg_values_path(&after->values, n);
	const struct file_text *a = file_of(after, path), *b;

	if (!before->present)
		return 1;
	b = file_of(before, path);
	return !a || !b || !a->text || !b->text || strcmp(a->text, b->text) != 0;
}

static int is_placeholder(const char *s, size_t n)
{
	return n >= 3 && (s[0] == '$' || (s[0] == '{' && s[1] == '{'));
}

/* A user:password@ part in a URL, with a password that is written out. */
static int url_has_password(const char *url)
{
	const char *p = strstr(url, "://"), *end, *at, *colon;

	if (!p)
		return 0;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = NULL;
	for (colon = p; colon < end; colon++)
		if (*colon == '@')
			at = colon;
	if (!at)
		return 0;
	colon = memchr(p, ':', (size_t)(at - p));
	if (!colon || colon + 1 == at)
		return 0;
	return !is_placeholder(colon + 1, (size_t)(at - colon - 1));
}

/* The plain-text file that holds a secret value changed by this push, or NULL: a secret
 * already there is not reported again on every unrelated change. */
static const struct file_text *plain_secret(const struct snap *before, const struct snap *after,
					    const struct sg_values_node *v)
{
	const struct file_text *f;

	if (!v || v->is_map || v->value->kind != SG_YAML_SCALAR ||
	    !strncmp(v->value->value, "ENC[", 4))
		return NULL;
	f = file_of(after, sg_values_path(&after->values, v));
	return f && !f->encrypted && file_changed(before, after, v) ? f : NULL;
}

static void check_secret(struct dbup *st, const struct snap *before, const struct snap *after,
			 const struct hub *h)
{
	const struct sg_values_node *url = hub_get(after, h, "hub.db.url");
	const struct sg_values_node *pw = hub_get(after, h, "hub.db.password");
	const struct file_text *f;
	struct sg_diag *d;

	if ((f = plain_secret(before, after, url)) && url_has_password(url->value->value)) {
		d = report(st, R_URL_SECRET, after, url, "%shub.db.url has a password in '%s', "
			   "which is not encrypted", h->prefix, f->path);
		if (d)
			sg_diag_set_hint(d, "move the URL to an encrypted values file (sops, "
					 "secrets/) and rotate the password: it is in the "
					 "repository's history now");
	}
	if ((f = plain_secret(before, after, pw)) && !sg_values_is_null(pw) &&
	    *pw->value->value) {
		d = report(st, R_URL_SECRET, after, pw, "%shub.db.password is set in '%s', which "
			   "is not encrypted", h->prefix, f->path);
		if (d)
			sg_diag_set_hint(d, "move it to an encrypted values file (sops, secrets/) "
					 "and rotate the password: it is in the repository's "
					 "history now");
	}
}

static const struct hub *hub_in(const struct snap *s, const char *prefix)
{
	size_t i;

	for (i = 0; s->present && i < s->nhubs; i++)
		if (!strcmp(s->hubs[i].prefix, prefix))
			return &s->hubs[i];
	return NULL;
}

static int judge_hub(struct dbup *st, const struct snap *before, const struct snap *after,
		     const struct hub *h)
{
	const struct hub *b = hub_in(before, h->prefix);
	struct db now, then;
	enum sg_semver_move mv = SG_SEMVER_SAME;
	int upgrading = 0;
	struct sg_buf w = SG_BUF_INIT;
	struct sg_diag *d;
	char vb[64] = "", va[64] = "";

	db_of(&now, after, h);
	if (b && b->have_ver && h->have_ver) {
		mv = sg_semver_move(&b->ver, &h->ver);
		upgrading = mv == SG_SEMVER_MAJOR || mv == SG_SEMVER_MINOR;
		snprintf(vb, sizeof(vb), "%s", b->ver_node->value);
		snprintf(va, sizeof(va), "%s", h->ver_node->value);
	}
	if (upgrading && is_external(now.type) && !now.upgrade) {
		where(&w, after, now.type_node);
		d = report(st, R_REQUIRED, after, NULL, "%s chart %s -> %s is a %s upgrade and "
			   "%shub.db.type is %s (%s): without %shub.db.upgrade: true the hub "
			   "will crash-loop on the database schema version", h->label, vb, va,
			   move_name(mv), h->prefix, now.type, sg_buf_str(&w), h->prefix);
		at_version(d, h);
		if (d)
			sg_diag_set_hint(d, "back up the database, then set %shub.db.upgrade: "
					 "true in %s for this upgrade and remove it afterwards",
					 h->prefix, last_values_file(after));
	} else if (upgrading && !strcmp(now.type, "sqlite-pvc")) {
		d = report(st, R_BACKUP, after, NULL, "%s chart %s -> %s is a %s upgrade: the "
			   "hub will migrate its sqlite database (%shub.db.type sqlite-pvc)",
			   h->label, vb, va, move_name(mv), h->prefix);
		at_version(d, h);
		if (d)
			sg_diag_set_hint(d, "before it deploys: back up the hub database "
					 "(jupyterhub.sqlite on the hub-db-dir volume), tell "
					 "users about the restart, upgrade staging first and "
					 "check it");
	}
	if (mv == SG_SEMVER_DOWNGRADE &&
	    (b->ver.major != h->ver.major || b->ver.minor != h->ver.minor)) {
		d = report(st, R_DOWNGRADE, after, NULL, "%s chart %s -> %s goes back a minor "
			   "or major version: an older hub cannot read a database that a newer "
			   "one has migrated", h->label, vb, va);
		at_version(d, h);
		if (d)
			sg_diag_set_hint(d, "restore the database backup taken before the "
					 "upgrade, or stay on %s", vb);
	}
	if (now.upgrade && !upgrading) {
		if (b && b->have_ver && h->have_ver)
			d = report(st, R_LEFT_ON, after, now.upgrade_node, "%shub.db.upgrade: "
				   "true is set but no %s upgrade is happening (%s -> %s): it is "
				   "meant for one upgrade only", h->prefix, h->label, vb, va);
		else
			d = report(st, R_LEFT_ON, after, now.upgrade_node, "%shub.db.upgrade: "
				   "true is set but no %s upgrade is happening: it is meant for "
				   "one upgrade only", h->prefix, h->label);
		if (d)
			sg_diag_set_hint(d, "remove hub.db.upgrade from %s",
					 sg_values_path(&after->values, now.upgrade_node));
	}
	if (b) {
		db_of(&then, before, b);
		if (strcmp(then.type, now.type)) {
			if (find_trailer(st) < 0) {
				sg_buf_release(&w);
				return -1;
			}
			if (st->trailer_value) {
				d = sg_diags_add(&st->ctx->diags, SG_NOTE, rule_ids[R_TYPE_CHANGE],
						 "%shub.db.type %s -> %s acknowledged by %s "
						 "(%s: %s)", h->prefix, then.type, now.type,
						 st->trailer_commit, st->o.trailer,
						 st->trailer_value);
				sg_diag_set_ref(d, st->u->ref, NULL);
			} else {
				d = report(st, R_TYPE_CHANGE, after, now.type_node, "%shub.db.type "
					   "changes from %s to %s: the hub database must be "
					   "backed up and migrated first", h->prefix, then.type,
					   now.type);
				if (d && !now.type_node && then.type_node)
					sg_diag_set_pos(d, sg_values_path(&before->values,
									  then.type_node),
							then.type_node->value->start.line,
							then.type_node->value->start.col);
				if (d)
					sg_diag_set_hint(d, "migrate and back up the database, "
							 "then say how in a commit trailer: "
							 "'%s: <how it was done>'", st->o.trailer);
			}
		}
	}
	check_secret(st, before, after, h);
	sg_buf_release(&w);
	return 0;
}

static int has_commit(git_repository *repo, const git_oid *oid)
{
	git_commit *c = NULL;
	int ok = git_commit_lookup(&c, repo, oid) == 0;

	if (!ok)
		git_error_clear();
	git_commit_free(c);
	return ok;
}

/* The id of what path names in tree (a blob or a directory), zero when absent. */
static int entry_id(git_oid *out, git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (!*path) {
		git_oid_cpy(out, git_tree_id(tree));
		return 0;
	}
	err = git_tree_entry_bypath(&e, tree, path);
	if (err == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (err < 0)
		return sg_error_git(err, "cannot read '%s'", path);
	git_oid_cpy(out, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return 0;
}

/* 1 when path (for a glob: its directory before the first wildcard) is the same in both. */
static int same_at(git_tree *a, git_tree *b, const char *path)
{
	struct sg_buf dir = SG_BUF_INIT;
	const char *wild = strpbrk(path, "*?[");
	git_oid ia, ib;
	int r = -1;

	if (wild) {
		const char *slash = wild;

		while (slash > path && slash[-1] != '/')
			slash--;
		sg_buf_add(&dir, path, slash > path ? (size_t)(slash - path - 1) : 0);
		path = sg_buf_str(&dir);
	}
	if (entry_id(&ia, a, path) == 0 && entry_id(&ib, b, path) == 0)
		r = git_oid_equal(&ia, &ib);
	sg_buf_release(&dir);
	return r;
}

/*
 * 1 when everything load_snap reads (the chart directory, every values file or the directory a
 * values glob expands in) is the same object in both commits: the state before is then the
 * state after, and need not be read again. 0 when something differs, -1 on error.
 */
static int same_inputs(struct dbup *st, const git_oid *old_oid, const git_oid *new_oid)
{
	const struct sg_deployment *d = st->t.deployment;
	git_repository *repo = st->ctx->repo;
	git_commit *ca = NULL, *cb = NULL;
	git_tree *a = NULL, *b = NULL;
	struct sg_buf p = SG_BUF_INIT;
	size_t i;
	int err, r = 1;

	if ((err = git_commit_lookup(&ca, repo, old_oid)) < 0 ||
	    (err = git_commit_lookup(&cb, repo, new_oid)) < 0 ||
	    (err = git_commit_tree(&a, ca)) < 0 || (err = git_commit_tree(&b, cb)) < 0) {
		char ho[8], hn[8];

		r = sg_error_git(err, "cannot read the trees of %s and %s",
				 sg_oid_short(ho, old_oid), sg_oid_short(hn, new_oid));
		goto out;
	}
	if (d->chart)
		r = same_at(a, b, d->chart);
	for (i = 0; r == 1 && i < d->nvalues; i++) {
		sg_buf_reset(&p);
		sg_target_expand(&p, &st->t, d->values[i]);
		r = same_at(a, b, sg_buf_str(&p));
	}
out:
	sg_buf_release(&p);
	git_tree_free(a);
	git_tree_free(b);
	git_commit_free(ca);
	git_commit_free(cb);
	return r;
}

static int check_update(struct dbup *st)
{
	const struct sg_update *u = st->u;
	struct snap before, after;
	const struct snap *was = &before;
	size_t i;
	int r, ret = -1;

	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	/* The state after the push must be readable: helm will have to read it. */
	if (load_snap(st, &after, &u->new_oid, 1) < 0)
		goto out;
	/* A created branch is a new deployment: its database has no past to compare. A
	 * pre-push whose remote tip was never fetched has no past we can see either. */
	if (!git_oid_is_zero(&u->old_oid) && has_commit(st->ctx->repo, &u->old_oid)) {
		r = same_inputs(st, &u->old_oid, &u->new_oid);
		if (r < 0)
			goto out;
		/* Unchanged inputs: only a flag left on can be wrong, and that is judged on
		 * the state after, against itself. */
		if (r)
			was = &after;
		else if (load_snap(st, &before, &u->old_oid, 0) < 0)
			goto out;
	}
	for (i = 0; i < after.nhubs; i++)
		if (judge_hub(st, was, &after, &after.hubs[i]) < 0)
			goto out;
	ret = 0;
out:
	snap_release(&before);
	snap_release(&after);
	return ret;
}

static int run(struct sg_check_ctx *ctx)
{
	struct dbup st;
	size_t i;
	int ret = -1;

	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	if (parse_opts(&st.o, ctx->cfg) < 0)
		goto out;
	for (i = 0; i < ctx->updates.n; i++) {
		const struct sg_update *u = &ctx->updates.v[i];
		int r;

		/* Deleted refs and commits still pending locally (old == new) change nothing. */
		if (strncmp(u->ref, "refs/heads/", 11) || git_oid_is_zero(&u->new_oid) ||
		    git_oid_equal(&u->old_oid, &u->new_oid))
			continue;
		r = sg_config_resolve(&st.t, ctx->cfg, sg_ref_branch(u->ref), 1);
		if (r < 0)
			goto out;
		if (!r)
			continue;
		st.u = u;
		st.trailer_done = 0;
		free(st.trailer_value);
		st.trailer_value = NULL;
		r = 0;
		if (st.t.deployment->nvalues || st.t.deployment->chart)
			r = check_update(&st);
		sg_target_release(&st.t);
		if (r < 0)
			goto out;
	}
	ret = 0;
out:
	sg_target_release(&st.t);
	free(st.trailer_value);
	opts_release(&st.o);
	return ret;
}

static const struct sg_check_def def = {
	"db-upgrade",
	"A jupyterhub chart upgrade or hub.db.type change gets its database upgrade flag, "
	"backup and acknowledgment.",
	NULL, 0, run
};

int main(int argc, char **argv)
{
	return sg_check_main(argc, argv, &def);
}

/*
 * The helm-lint check: finds the YAML files a change brings (or the files named on the
 * command line, or every tracked file) and lints each with the rules of shared/lint.c.
 * Hook stages read the new commit's blobs from the object database, pre-commit the index.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "buf.h"
#include "check.h"
#include "glob.h"
#include "lint.h"
#include "regex.h"
#include "repo.h"
#include "schema.h"
#include "suggest.h"
#include "banned.h"

#define DEFAULT_MAX_SIZE (64UL << 20)

struct schema_map {
	char **files;			/* globs on repository-relative paths */
	size_t nfiles;
	char *schema;			/* path of the schema file */
	char *at;			/* dotted key path, or NULL */
	int complete;			/* the file holds all values, not overrides */
	const struct sg_yaml_node *node;	/* the config entry, for messages */
};

struct loaded_schema {
	char *key;			/* "<where>:<path>" */
	struct sg_schema *schema;	/* NULL: could not be loaded (already reported) */
};

/* Where file contents come from. */
enum source_kind { SRC_FS, SRC_COMMIT, SRC_INDEX };

struct source {
	enum source_kind kind;
	git_oid commit;			/* SRC_COMMIT */
	git_index *index;		/* SRC_INDEX */
	const char *ref;		/* for diagnostics, or NULL */
};

struct hl {
	struct sg_check_ctx *ctx;
	struct sg_lint_opts opts;
	char **include, **exclude;
	size_t ninclude, nexclude;
	int templates;			/* lint template files too */
	unsigned long max_size;		/* bytes; 0: no limit */
	struct schema_map *maps;
	size_t nmaps, maps_alloc;
	struct loaded_schema *loaded;
	size_t nloaded, loaded_alloc;
	char *fs_base;			/* work tree (with '/') or NULL: where fs paths are relative */
	char *schema_base;		/* directory for schema files on disk */
	struct sg_buf data;		/* reused read buffer */
};

static const char *const default_include[] = { "**/*.yaml", "**/*.yml" };

/* ---- config ---- */

/* A whole number from lo to hi. */
static int uint_key(struct hl *h, unsigned long *out, const struct sg_yaml_node *v,
		    const char *what, unsigned long lo, unsigned long hi)
{
	const struct sg_config *cfg = h->ctx->cfg;

	if (sg_config_get_uint(cfg, v, what, out) < 0)
		return -1;
	if (*out < lo || *out > hi)
		return sg_config_error(cfg, v, "%s must be from %lu to %lu, not %lu", what, lo, hi,
				       *out);
	return 0;
}

static int parse_rules(struct hl *h, const struct sg_yaml_node *v)
{
	const struct sg_config *cfg = h->ctx->cfg;
	const struct sg_yaml_node *m = sg_yaml_deref(v);
	size_t i;

	if (!m || m->kind != SG_YAML_MAP)
		return sg_config_error(cfg, v,
				       "lint.rules must map rule ids to error, warning, note "
				       "or off");
	if (sg_config_check_keys(cfg, m, sg_lint_rule_names(), SG_LINT__COUNT,
				 "lint.rules") < 0)
		return -1;
	for (i = 0; i < m->n; i++) {
		const struct sg_yaml_node *val = m->items[2 * i + 1];
		const char *id = sg_yaml_str(m->items[2 * i]), *sev = sg_yaml_str(val);
		int rule = sg_lint_rule_parse(id);

		/* "off" unquoted is YAML 1.1 false, which is what it means here too. */
		if (sg_yaml_bool(val) == 0 || (sev && !strcmp(sev, "off")))
			h->opts.severity[rule] = SG_LINT_OFF;
		else if (sev && !strcmp(sev, "error"))
			h->opts.severity[rule] = SG_ERROR;
		else if (sev && !strcmp(sev, "warning"))
			h->opts.severity[rule] = SG_WARNING;
		else if (sev && !strcmp(sev, "note"))
			h->opts.severity[rule] = SG_NOTE;
		else
			return sg_config_error(cfg, val,
					       "lint.rules.%s must be error, warning, note or "
					       "off", id);
	}
	return 0;
}

static struct schema_map *new_map(struct hl *h)
{
	struct schema_map *m;

	SG_GROW(h->maps, h->maps_alloc, h->nmaps + 1);
	m = &h->maps[h->nmaps++];
	memset(m, 0, sizeof(*m));
	return m;
}

static int parse_schemas(struct hl *h, const struct sg_yaml_node *v)
{
	const struct sg_config *cfg = h->ctx->cfg;
	static const char *const keys[] = { "files", "schema", "at", "complete" };
	const struct sg_yaml_node *d = sg_yaml_deref(v);
	size_t i;

	if (d && d->kind == SG_YAML_MAP) {
		/* Short form: {glob: schema} */
		for (i = 0; i < d->n; i++) {
			const char *glob = sg_yaml_str(d->items[2 * i]);
			const char *schema = sg_yaml_str(d->items[2 * i + 1]);
			struct schema_map *m;

			if (!glob || !schema || !*schema)
				return sg_config_error(cfg, d->items[2 * i],
						       "lint.schemas maps a glob to "
						       "a schema file");
			m = new_map(h);
			m->files = sg_calloc(2, sizeof(char *));
			m->files[0] = sg_strdup(glob);
			m->nfiles = 1;
			m->schema = sg_strdup(schema);
			m->node = d->items[2 * i];
		}
		return 0;
	}
	if (!d || d->kind != SG_YAML_SEQ)
		return sg_config_error(cfg, v, "lint.schemas must be a list of {files, schema, at} "
				 "or a mapping of glob to schema file");
	for (i = 0; i < d->n; i++) {
		const struct sg_yaml_node *e = sg_yaml_deref(d->items[i]), *x;
		struct schema_map *m;

		if (!e || e->kind != SG_YAML_MAP)
			return sg_config_error(cfg, d->items[i],
					       "lint.schemas entries are mappings with "
					       "files, schema and optionally at and complete");
		if (sg_config_check_keys(cfg, e, keys, sizeof(keys) / sizeof(*keys),
					 "a lint.schemas entry") < 0)
			return -1;
		m = new_map(h);
		m->node = e;
		if (!(x = sg_yaml_get(e, "files")))
			return sg_config_error(cfg, e, "lint.schemas entry has no files");
		if (sg_config_get_strv(cfg, x, "lint.schemas files", &m->files, &m->nfiles) < 0)
			return -1;
		if (!sg_yaml_get_key(e, "schema"))
			return sg_config_error(cfg, e, "lint.schemas entry needs a schema file");
		if (sg_config_get_str(cfg, sg_yaml_get(e, "schema"), "lint.schemas schema",
				      &m->schema) < 0)
			return -1;
		if (sg_yaml_get_key(e, "at") &&
		    sg_config_get_str(cfg, sg_yaml_get(e, "at"), "lint.schemas at", &m->at) < 0)
			return -1;
		if (sg_yaml_get_key(e, "complete") &&
		    sg_config_get_bool(cfg, sg_yaml_get(e, "complete"), "lint.schemas complete",
				       &m->complete) < 0)
			return -1;
	}
	return 0;
}

static int parse_config(struct hl *h)
{
	const struct sg_config *cfg = h->ctx->cfg;
	static const char *const keys[] = { "include", "exclude", "templates", "rules",
					    "schemas", "max_depth", "max_size", "max_expansion" };
	const struct sg_yaml_node *sec = cfg ? sg_yaml_deref(cfg->lint) : NULL;
	const struct sg_yaml_node *v;
	unsigned long x;
	size_t i;

	sg_lint_opts_init(&h->opts);
	h->max_size = DEFAULT_MAX_SIZE;
	if (sec && !sg_yaml_is_null(sec)) {
		if (sec->kind != SG_YAML_MAP)
			return sg_config_error(cfg, sec, "lint must be a mapping");
		if (sg_config_check_keys(cfg, sec, keys, sizeof(keys) / sizeof(*keys),
					 "lint") < 0)
			return -1;
		if ((v = sg_yaml_get(sec, "include")) &&
		    sg_config_get_strv(cfg, v, "lint.include", &h->include, &h->ninclude) < 0)
			return -1;
		if ((v = sg_yaml_get(sec, "exclude")) &&
		    sg_config_get_strv(cfg, v, "lint.exclude", &h->exclude, &h->nexclude) < 0)
			return -1;
		if ((v = sg_yaml_get(sec, "templates")) &&
		    sg_config_get_bool(cfg, v, "lint.templates", &h->templates) < 0)
			return -1;
		if ((v = sg_yaml_get(sec, "rules")) && parse_rules(h, v) < 0)
			return -1;
		if ((v = sg_yaml_get(sec, "schemas")) && parse_schemas(h, v) < 0)
			return -1;
		if ((v = sg_yaml_get_key(sec, "max_depth")) &&
		    uint_key(h, &h->opts.max_depth, sg_yaml_get(sec, "max_depth"),
			     "lint.max_depth", 1, 10000) < 0)
			return -1;
		if (sg_yaml_get_key(sec, "max_size") &&
		    uint_key(h, &h->max_size, sg_yaml_get(sec, "max_size"), "lint.max_size", 0,
			     1UL << 40) < 0)
			return -1;
		if (sg_yaml_get_key(sec, "max_expansion")) {
			if (uint_key(h, &x, sg_yaml_get(sec, "max_expansion"), "lint.max_expansion",
				     1, 1UL << 40) < 0)
				return -1;
			h->opts.max_expansion = x;
		}
	}
	if (!h->include) {
		h->ninclude = sizeof(default_include) / sizeof(*default_include);
		h->include = sg_calloc(h->ninclude + 1, sizeof(char *));
		for (i = 0; i < h->ninclude; i++)
			h->include[i] = sg_strdup(default_include[i]);
	}
	return 0;
}

/* ---- which files ---- */

static int is_template(const char *rel)
{
	const char *p = rel;

	if (strstr(rel, "{{"))
		return 1;
	/* Go templates live in a chart's templates/ folder. */
	while (p) {
		if (!strncmp(p, "templates/", 10))
			return 1;
		p = strchr(p, '/');
		if (p)
			p++;
	}
	return 0;
}

static int glob_any(char *const *globs, size_t n, const char *rel)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sg_glob_match(globs[i], rel))
			return 1;
	return 0;
}

enum pick { PICK_NO, PICK_YES, PICK_TEMPLATE, PICK_EXCLUDED };

static enum pick pick(struct hl *h, const char *rel, int explicit)
{
	if (!explicit && !glob_any(h->include, h->ninclude, rel))
		return PICK_NO;
	if (glob_any(h->exclude, h->nexclude, rel))
		return explicit ? PICK_EXCLUDED : PICK_NO;
	if (!h->templates && is_template(rel))
		return explicit ? PICK_TEMPLATE : PICK_NO;
	return PICK_YES;
}

static void note(struct hl *h, const char *path, const struct source *src, const char *fmt,
		 ...) SG_PRINTF(4, 5);

static void note(struct hl *h, const char *path, const struct source *src, const char *fmt,
		 ...)
{
	struct sg_diag *d;
	va_list ap;

	va_start(ap, fmt);
	d = sg_diags_addv(&h->ctx->diags, SG_NOTE, "skipped", fmt, ap);
	va_end(ap);
	sg_diag_set_pos(d, path, 0, 0);
	if (src && src->ref)
		sg_diag_set_ref(d, src->ref, NULL);
}

/* ---- schemas ---- */

/* What read_source found besides a file it read (0) or trouble (-1). */
#define READ_NONE 1		/* no such file, or not a file: *mode says what */
#define READ_TOO_LARGE 2	/* larger than the limit: *size says how large; nothing read */

static int read_source(struct hl *h, struct sg_buf *out, git_filemode_t *mode,
		       unsigned long long *size, unsigned long limit, const struct source *src,
		       const char *rel);

static struct sg_schema *schema_for(struct hl *h, const struct schema_map *m,
				    const struct source *src)
{
	const struct sg_config *cfg = h->ctx->cfg;
	struct sg_buf key = SG_BUF_INIT, data = SG_BUF_INIT;
	struct sg_schema *s = NULL;
	char *err = NULL;
	char hex[GIT_OID_HEXSZ + 1] = "";
	size_t i;
	int r;

	if (src->kind == SRC_COMMIT)
		git_oid_tostr(hex, sizeof(hex), &src->commit);
	sg_buf_addf(&key, "%d:%s:%s", (int)src->kind, hex, m->schema);
	for (i = 0; i < h->nloaded; i++)
		if (!strcmp(h->loaded[i].key, sg_buf_str(&key))) {
			sg_buf_release(&key);
			return h->loaded[i].schema;
		}
	r = read_source(h, &data, NULL, NULL, 0, src, m->schema);
	if (r == 0) {
		if (sg_schema_load(&s, m->schema, sg_buf_str(&data), data.len, &err) < 0) {
			sg_config_error(cfg, m->node, "schema %s", err);
			free(err);
			s = NULL;
		}
	} else if (r > 0) {
		sg_config_error(cfg, m->node, "schema file '%s' not found%s%s",
				m->schema, src->kind == SRC_COMMIT ? " in commit " : "", hex);
	}
	SG_GROW(h->loaded, h->loaded_alloc, h->nloaded + 1);
	h->loaded[h->nloaded].key = sg_buf_detach(&key);
	h->loaded[h->nloaded].schema = s;
	h->nloaded++;
	sg_buf_release(&data);
	return s;
}

/* ---- reading ---- */

/* Read a blob unless the object database says it is larger than limit (0: no limit). */
static int read_blob(struct hl *h, struct sg_buf *out, unsigned long long *size,
		     unsigned long limit, const git_oid *id, const char *rel)
{
	git_odb *odb = NULL;
	git_blob *blob = NULL;
	git_object_t type;
	size_t len;
	int err;

	if (limit) {
		/* Only the header: a 100 MB blob is not inflated to learn that it is too big. */
		if ((err = git_repository_odb(&odb, h->ctx->repo)) < 0 ||
		    (err = git_odb_read_header(&len, &type, odb, id)) < 0) {
			git_odb_free(odb);
			return sg_error_git(err, "cannot read '%s'", rel);
		}
		git_odb_free(odb);
		if (size)
			*size = len;
		if (len > limit)
			return READ_TOO_LARGE;
	}
	if ((err = git_blob_lookup(&blob, h->ctx->repo, id)) < 0)
		return sg_error_git(err, "cannot read '%s'", rel);
	sg_buf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return 0;
}

/* Read rel from src into out: 0, READ_NONE, READ_TOO_LARGE, or -1 on trouble (reported). */
static int read_source(struct hl *h, struct sg_buf *out, git_filemode_t *mode,
		       unsigned long long *size, unsigned long limit, const struct source *src,
		       const char *rel)
{
	struct sg_buf p = SG_BUF_INIT;
	struct stat st;
	git_oid id;
	int r;

	sg_buf_reset(out);
	if (mode)
		*mode = 0;
	if (src->kind == SRC_COMMIT) {
		r = sg_repo_blob_at(&id, mode, h->ctx->repo, &src->commit, rel);
		return r ? r : read_blob(h, out, size, limit, &id, rel);
	}
	if (src->kind == SRC_INDEX) {
		const git_index_entry *e = git_index_get_bypath(src->index, rel, 0);

		if (!e)
			return READ_NONE;
		if (mode)
			*mode = e->mode;
		if (e->mode != GIT_FILEMODE_BLOB && e->mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
		    e->mode != GIT_FILEMODE_LINK)
			return READ_NONE;
		return read_blob(h, out, size, limit, &e->id, rel);
	}
	if (rel[0] != '/' && h->schema_base)
		sg_buf_addstr(&p, h->schema_base);
	sg_buf_addstr(&p, rel);
	if (stat(sg_buf_str(&p), &st) < 0 || !S_ISREG(st.st_mode)) {
		r = READ_NONE;
	} else if (limit && (unsigned long long)st.st_size > limit) {
		if (size)
			*size = (unsigned long long)st.st_size;
		r = READ_TOO_LARGE;
	} else {
		r = sg_buf_read_file(out, sg_buf_str(&p));
	}
	sg_buf_release(&p);
	return r;
}

/* The note for a file over lint.max_size, which is not read at all. */
static void too_large(struct hl *h, const char *display, const struct source *src,
		      unsigned long long size)
{
	struct sg_diag *d = sg_diags_add(&h->ctx->diags, SG_WARNING, "too-large",
					 "not linted: %llu bytes is more than lint.max_size (%lu)",
					 size, h->max_size);

	sg_diag_set_pos(d, display, 0, 0);
	if (src && src->ref)
		sg_diag_set_ref(d, src->ref, NULL);
}

/* ---- linting one file ---- */

static int lint_data(struct hl *h, const char *display, const char *rel,
		     const struct source *src)
{
	struct sg_lint_schema_use *uses = NULL;
	size_t nuses = 0, i, first = h->ctx->diags.n;
	int ret;

	for (i = 0; i < h->nmaps; i++) {
		struct sg_schema *s;

		if (!glob_any(h->maps[i].files, h->maps[i].nfiles, rel))
			continue;
		if (!(s = schema_for(h, &h->maps[i], src))) {
			/* A schema that cannot be read is a broken policy: fail closed. */
			free(uses);
			return -1;
		}
		uses = sg_realloc(uses, (nuses + 1) * sizeof(*uses));
		uses[nuses].schema = s;
		uses[nuses].at = h->maps[i].at;
		uses[nuses].flags = h->maps[i].complete ? 0 : SG_SCHEMA_PARTIAL;
		nuses++;
	}
	ret = sg_lint_buffer(&h->ctx->diags, &h->opts, display, sg_buf_str(&h->data),
			     h->data.len, uses, nuses);
	free(uses);
	if (src->ref)
		for (i = first; i < h->ctx->diags.n; i++)
			sg_diag_set_ref(&h->ctx->diags.v[i], src->ref, NULL);
	return ret;
}

/* Lint rel as found in a commit or the index. */
static int lint_object(struct hl *h, const char *rel, const struct source *src)
{
	git_filemode_t mode = 0;
	unsigned long long size = 0;
	int r;

	if (pick(h, rel, 0) != PICK_YES)
		return 0;
	r = read_source(h, &h->data, &mode, &size, h->max_size, src, rel);
	if (r < 0)
		return -1;
	if (r == READ_TOO_LARGE) {
		too_large(h, rel, src, size);
		return 0;
	}
	if (mode == GIT_FILEMODE_COMMIT) {
		note(h, rel, src, "skipped: a submodule entry, not a file");
		return 0;
	}
	if (mode == GIT_FILEMODE_LINK) {
		note(h, rel, src, "skipped: a symbolic link");
		return 0;
	}
	if (r > 0)
		return 0;
	return lint_data(h, rel, rel, src);
}

/* ---- the file system (lint PATH...) ---- */

static const char *fs_rel(struct hl *h, const char *path, struct sg_buf *tmp)
{
	char real[PATH_MAX];
	size_t n;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (h->fs_base && realpath(path, real)) {
		n = strlen(h->fs_base);
		if (!strncmp(real, h->fs_base, n)) {
			sg_buf_reset(tmp);
			sg_buf_addstr(tmp, real + n);
			return sg_buf_str(tmp);
		}
	}
	return path;
}

/* Lint a regular file of the file system. rel is its repository-relative path when the
 * caller knows it (a tracked file: then it is also the name shown), NULL to work it out. */
static int lint_fs_file(struct hl *h, const char *path, const char *rel, int explicit,
			const struct stat *st)
{
	static const struct source fs = { SRC_FS, { { 0 } }, NULL, NULL };
	struct sg_buf tmp = SG_BUF_INIT;
	const char *display = rel ? rel : path;
	int ret = 0;

	if (!rel)
		rel = fs_rel(h, path, &tmp);
	switch (pick(h, rel, explicit)) {
	case PICK_NO:
		goto out;
	case PICK_TEMPLATE:
		note(h, display, NULL, "skipped: a template file (set lint.templates: true to "
		     "lint templates)");
		goto out;
	case PICK_EXCLUDED:
		note(h, display, NULL, "skipped: excluded by lint.exclude");
		goto out;
	default:
		break;
	}
	if (h->max_size && (unsigned long long)st->st_size > h->max_size) {
		too_large(h, display, NULL, (unsigned long long)st->st_size);
		goto out;
	}
	sg_buf_reset(&h->data);
	if (sg_buf_read_file(&h->data, path) < 0) {
		ret = -1;
		goto out;
	}
	ret = lint_data(h, display, rel, &fs);
out:
	sg_buf_release(&tmp);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lint_fs_path(struct hl *h, const char *path, int explicit, unsigned depth)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	int ret = 0;

	if (lstat(path, &st) < 0) {
		if (explicit)
			return sg_error("cannot lint '%s': %s", path, strerror(errno));
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		struct sg_buf tmp = SG_BUF_INIT;

		/* A link is the target's business; say so only for what would be linted. */
		if (explicit || pick(h, fs_rel(h, path, &tmp), 0) == PICK_YES)
			note(h, path, NULL, "skipped: a symbolic link");
		sg_buf_release(&tmp);
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return lint_fs_file(h, path, NULL, explicit, &st);
	if (!S_ISDIR(st.st_mode)) {
		if (explicit)
			note(h, path, NULL, "skipped: not a regular file");
		return 0;
	}
	if (depth > 0) {
		struct sg_buf dotgit = SG_BUF_INIT;
		int nested;

		/* A nested repository (a submodule's checkout) belongs to its own repository. */
		sg_buf_addf(&dotgit, "%s/.git", path);
		nested = lstat(sg_buf_str(&dotgit), &st) == 0;
		sg_buf_release(&dotgit);
		if (nested) {
			note(h, path, NULL, "skipped: a submodule or nested repository");
			return 0;
		}
	}
	if (depth > 64) {
		note(h, path, NULL, "skipped: directories nest deeper than 64 levels here");
		return 0;
	}
	if (!(dir = opendir(path)))
		return sg_error("cannot read directory '%s': %s", path, strerror(errno));
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		SG_GROW(names, alloc, n + 1);
		names[n++] = sg_strdup(de->d_name);
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && ret == 0; i++) {
		struct sg_buf child = SG_BUF_INIT;

		if (!strcmp(names[i], ".git"))
			continue;
		if (!strcmp(path, "."))
			sg_buf_addstr(&child, names[i]);
		else
			sg_buf_addf(&child, "%s%s%s", path,
				    path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
		ret = lint_fs_path(h, sg_buf_str(&child), 0, depth + 1);
		sg_buf_release(&child);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

/* ---- git sources ---- */

static int lint_update(struct hl *h, const struct sg_update *u, git_oid *done, size_t ndone)
{
	struct source src;
	char **paths = NULL;
	size_t i;
	int ret = 0;

	if (git_oid_is_zero(&u->new_oid))
		return 0;
	/* Two refs pushed at the same commit bring the same files. */
	for (i = 0; i < ndone; i++)
		if (git_oid_equal(&done[i], &u->new_oid))
			return 0;
	memset(&src, 0, sizeof(src));
	src.kind = SRC_COMMIT;
	git_oid_cpy(&src.commit, &u->new_oid);
	src.ref = u->ref;
	if (sg_check_changed_paths(&paths, h->ctx, u) < 0)
		return -1;
	for (i = 0; paths[i] && ret == 0; i++)
		ret = lint_object(h, paths[i], &src);
	sg_strv_free(paths);
	return ret;
}

/* pre-commit: what is staged, compared with HEAD (everything in a first commit). */
static int lint_index(struct hl *h)
{
	git_index *index = NULL;
	git_reference *ref = NULL;
	git_object *head = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	struct source src;
	size_t i, n;
	int err, ret = -1;

	if (git_repository_index(&index, h->ctx->repo) < 0)
		return sg_error_git(-1, "cannot read the index");
	/* Before the first commit everything staged is new; any other failure to read HEAD
	 * (a broken ref, a missing object) must not make every file look new, nor pass. */
	err = git_repository_head_unborn(h->ctx->repo);
	/* Not git_revparse_single: libgit2 1.5.1 leaks HEAD's reference when the peel fails. */
	if (err == 0 && (err = git_repository_head(&ref, h->ctx->repo)) == 0)
		err = git_reference_peel(&head, ref, GIT_OBJECT_TREE);
	git_reference_free(ref);
	if (err < 0) {
		sg_error_git(err, "cannot read HEAD to see what is staged");
		goto cleanup;
	}
	tree = (git_tree *)head;
	if (git_diff_tree_to_index(&diff, h->ctx->repo, tree, index, NULL) < 0) {
		sg_error_git(-1, "cannot compare the index with HEAD");
		goto cleanup;
	}
	memset(&src, 0, sizeof(src));
	src.kind = SRC_INDEX;
	src.index = index;
	ret = 0;
	/* The deltas, not git_diff_foreach: that loads every blob to tell binary from text,
	 * which is the whole of a 100 MB file lint.max_size is there to leave unread. */
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n && ret == 0; i++) {
		const git_diff_delta *delta = git_diff_get_delta(diff, i);

		if (delta->status != GIT_DELTA_DELETED)
			ret = lint_object(h, delta->new_file.path, &src);
	}

cleanup:
	git_diff_free(diff);
	git_object_free(head);
	git_index_free(index);
	return ret;
}

/* `stagegate lint` with no paths: every tracked file, as it is in the work tree (or in
 * HEAD's tree for a bare repository). */
static int lint_tracked(struct hl *h)
{
	git_index *index = NULL;
	size_t i, n;
	int ret = 0;
	const char *wd = git_repository_workdir(h->ctx->repo);

	if (!wd) {
		struct source src;

		/* A bare repository with nothing in it yet has nothing to lint. */
		if (git_repository_head_unborn(h->ctx->repo) == 1)
			return 0;
		memset(&src, 0, sizeof(src));
		src.kind = SRC_COMMIT;
		if (sg_repo_resolve(&src.commit, h->ctx->repo, "HEAD") < 0)
			return -1;
		{
			git_commit *c = NULL;
			git_tree *tree = NULL;

			if (git_commit_lookup(&c, h->ctx->repo, &src.commit) < 0 ||
			    git_commit_tree(&tree, c) < 0) {
				git_commit_free(c);
				return sg_error_git(-1, "cannot read HEAD");
			}
			if (git_index_new(&index) < 0 || git_index_read_tree(index, tree) < 0)
				ret = sg_error_git(-1, "cannot list HEAD's files");
			git_tree_free(tree);
			git_commit_free(c);
		}
		n = ret ? 0 : git_index_entrycount(index);
		for (i = 0; i < n && ret == 0; i++)
			ret = lint_object(h, git_index_get_byindex(index, i)->path, &src);
		git_index_free(index);
		return ret;
	}
	if (git_repository_index(&index, h->ctx->repo) < 0)
		return sg_error_git(-1, "cannot read the index");
	n = git_index_entrycount(index);
	for (i = 0; i < n && ret == 0; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		struct sg_buf full = SG_BUF_INIT;
		struct stat st;

		if (git_index_entry_stage(e) > 0 || pick(h, e->path, 0) != PICK_YES)
			continue;
		if (e->mode == GIT_FILEMODE_COMMIT) {
			note(h, e->path, NULL, "skipped: a submodule entry, not a file");
			continue;
		}
		sg_buf_addf(&full, "%s%s", wd, e->path);
		if (lstat(sg_buf_str(&full), &st) < 0)
			; /* Deleted in the work tree, not yet staged: nothing to lint. */
		else if (S_ISLNK(st.st_mode) || e->mode == GIT_FILEMODE_LINK)
			note(h, e->path, NULL, "skipped: a symbolic link");
		else if (!S_ISREG(st.st_mode))
			note(h, e->path, NULL, "skipped: not a regular file");
		else
			ret = lint_fs_file(h, sg_buf_str(&full), e->path, 0, &st);
		sg_buf_release(&full);
	}
	git_index_free(index);
	return ret;
}

static void hl_release(struct hl *h)
{
	size_t i;

	sg_strv_free(h->include);
	sg_strv_free(h->exclude);
	for (i = 0; i < h->nmaps; i++) {
		sg_strv_free(h->maps[i].files);
		free(h->maps[i].schema);
		free(h->maps[i].at);
	}
	free(h->maps);
	for (i = 0; i < h->nloaded; i++) {
		free(h->loaded[i].key);
		sg_schema_free(h->loaded[i].schema);
	}
	free(h->loaded);
	free(h->fs_base);
	free(h->schema_base);
	sg_buf_release(&h->data);
}

static int run(struct sg_check_ctx *ctx)
{
	struct hl h;
	git_oid *done = NULL;
	size_t i;
	int ret = -1;

	memset(&h, 0, sizeof(h));
	h.ctx = ctx;
	if (parse_config(&h) < 0)
		goto cleanup;
	if (ctx->repo && git_repository_workdir(ctx->repo)) {
		char real[PATH_MAX];

		if (realpath(git_repository_workdir(ctx->repo), real)) {
			struct sg_buf b = SG_BUF_INIT;

			sg_buf_addf(&b, "%s/", real);
			h.fs_base = sg_buf_detach(&b);
			h.schema_base = sg_strdup(h.fs_base);
		}
	}
	if (!h.schema_base && ctx->cfg && ctx->cfg->root && ctx->cfg->path &&
	    strrchr(ctx->cfg->path, '/')) {
		/* Outside a repository, schema paths are relative to the config file. */
		h.schema_base = sg_strndup(ctx->cfg->path,
					   (size_t)(strrchr(ctx->cfg->path, '/') -
						    ctx->cfg->path) + 1);
	}

	if (ctx->argc > 0) {
		for (i = 0; i < (size_t)ctx->argc; i++)
			if (lint_fs_path(&h, ctx->argv[i], 1, 0) < 0)
				goto cleanup;
	} else if (!ctx->repo) {
		sg_error("not in a git repository: name the files or directories to lint "
			 "(stagegate lint PATH...)");
		goto cleanup;
	} else if (ctx->stage == SG_STAGE_PRE_COMMIT) {
		if (lint_index(&h) < 0)
			goto cleanup;
	} else if (ctx->updates.n) {
		done = sg_calloc(ctx->updates.n, sizeof(*done));
		for (i = 0; i < ctx->updates.n; i++) {
			if (lint_update(&h, &ctx->updates.v[i], done, i) < 0)
				goto cleanup;
			git_oid_cpy(&done[i], &ctx->updates.v[i].new_oid);
		}
	} else if (ctx->stage == SG_STAGE_CI && lint_tracked(&h) < 0) {
		/* `stagegate lint` with no paths. A hook stage with no updates (install.sh
		 * validating the config) has nothing to lint. */
		goto cleanup;
	}
	ret = 0;

cleanup:
	free(done);
	hl_release(&h);
	return ret;
}

static const struct sg_check_def def = {
	"helm-lint",
	"Lint the YAML of helm deployments: syntax, duplicate keys, tabs, truthy values, "
	"aliases, Chart.yaml and values schemas.",
	"[PATH...]",
	SG_CHECK_REPO_OPTIONAL,
	run
};

int main(int argc, char **argv)
{
	return sg_check_main(argc, argv, &def);
}

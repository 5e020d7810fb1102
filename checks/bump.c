/*
 * `stagegate bump CHART [--to VERSION] [--commit] [--force]`: rewrite every version of CHART
 * this repository references to the commit where the chart last changed (or VERSION),
 * touching only the version's bytes, each file replaced atomically. A command, not a hook:
 * writing the work tree is its job.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "buf.h"
#include "gitlib.h"
#include "chartcfg.h"
#include "chartsrc.h"
#include "check.h"
#include "helmindex.h"
#include "regex.h"
#include "repo.h"
#include "run.h"
#include "yamldoc.h"
#include "banned.h"

#define LIST_LIMIT 50

static const char usage_text[] =
	"usage: stagegate bump CHART [--to VERSION] [--commit] [--force] [--config FILE]\n"
	"Rewrites CHART's version wherever this repository references it: by default to the\n"
	"version chartpress gives the tip of the chart's source branch.\n"
	"Exit status: 0 done (or nothing to do), 1 refused, 2 could not run.\n";

struct edit {
	size_t start, len;		/* bytes of the scalar's text inside the file */
	const char *old;		/* the version there, borrowed from the file's doc */
};

struct file {
	char *path;			/* repository-relative */
	struct sg_buf text;
	struct sg_yaml_doc *doc;
	struct edit *edits;
	size_t nedits, alloc;
};

struct bump {
	git_repository *repo;
	const char *workdir;
	struct file *files;
	size_t nfiles, alloc;
	const char *old;		/* the version found first (its layout is kept) */
	int mixed;			/* the references disagree */
};

/* why: the reason (printed first), "" when it is already reported, NULL for --help. */
static int usage(const char *why)
{
	if (why && *why)
		sg_error("%s", why);
	fputs(usage_text, why ? stderr : stdout);
	return why ? SG_EXIT_TROUBLE : SG_EXIT_OK;
}

/* The bytes of a line break libyaml counts (yaml_private.h IS_BREAK) at s[i], or 0. */
static size_t line_break(const char *s, size_t len, size_t i)
{
	const unsigned char *u = (const unsigned char *)s + i;
	size_t left = len - i;

	if (u[0] == '\r')
		return left >= 2 && u[1] == '\n' ? 2 : 1;
	if (u[0] == '\n')
		return 1;
	if (left >= 2 && u[0] == 0xC2 && u[1] == 0x85)				/* NEL */
		return 2;
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))
		return 3;						/* LS, PS */
	return 0;
}

/*
 * libyaml counts lines and columns in characters, not bytes: walk the file the same way
 * (\r\n, a lone \r, NEL, LS and PS end a line too; a UTF-8 BOM is not counted) to find the
 * byte.
 */
static size_t byte_offset(const char *s, size_t len, unsigned long line, unsigned long col)
{
	size_t i = 0;
	unsigned long l = 1, c = 1;

	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		i = 3;
	while (l < line && i < len) {
		size_t br = line_break(s, len, i);

		if (br) {
			l++;
			i += br;
		} else {
			i++;
		}
	}
	while (c < col && i < len) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		c++;
	}
	return i;
}

/*
 * Locate the bytes of a plain or quoted scalar's text: the node starts at its properties
 * (an anchor "&v", a tag "!!str"), the text after them. -1 for styles we do not rewrite.
 */
static int locate(struct edit *e, const struct file *f, const struct sg_yaml_node *n)
{
	const char *s = f->text.buf;
	size_t at = byte_offset(s, f->text.len, n->start.line, n->start.col);
	int props = (n->anchor != NULL) + (n->tag != NULL);

	while (props-- > 0 && at < f->text.len && (s[at] == '&' || s[at] == '!')) {
		while (at < f->text.len && !strchr(" \t\r\n", s[at]))
			at++;
		while (at < f->text.len && strchr(" \t\r\n", s[at]))
			at++;
	}
	switch (n->style) {
	case SG_YAML_PLAIN:
		break;
	case SG_YAML_SINGLE_QUOTED:
	case SG_YAML_DOUBLE_QUOTED:
		if (at >= f->text.len || s[at] != (n->style == SG_YAML_SINGLE_QUOTED ? '\'' : '"'))
			return -1;
		at++;
		break;
	default:
		return -1;
	}
	/* The text must be exactly the value: no escapes, no folding. */
	if (at + n->len > f->text.len || memcmp(s + at, n->value, n->len))
		return -1;
	e->start = at;
	e->len = n->len;
	e->old = n->value;
	return 0;
}

static int load_file(struct bump *b, const char *chart, struct sg_chart_cfgs *charts,
		     const char *path)
{
	struct file f;
	struct sg_buf full = SG_BUF_INIT;
	struct sg_yaml_error err;
	struct sg_chart_uses uses = { NULL, 0, 0 };
	size_t i, k;
	int ret = -1;

	memset(&f, 0, sizeof(f));
	sg_buf_addf(&full, "%s%s", b->workdir, path);
	if (access(sg_buf_str(&full), F_OK) < 0) {
		ret = 0;	/* deleted in the work tree */
		goto out;
	}
	if (sg_buf_read_file(&f.text, sg_buf_str(&full)) < 0)
		goto out;
	if (sg_yaml_parse(&f.doc, sg_buf_str(&f.text), f.text.len, 0, &err) < 0) {
		ret = 0;	/* not ours to judge; nothing to edit safely */
		goto out;
	}
	for (i = 0; i < f.doc->ndocs; i++)
		sg_chartcfg_uses(&uses, charts, path, f.doc->roots[i]);
	for (i = 0; i < uses.n; i++) {
		const struct sg_yaml_node *n = uses.v[i].node;
		struct edit e;

		if (strcmp(uses.v[i].chart, chart) || uses.v[i].own)
			continue;
		if (locate(&e, &f, n) < 0) {
			sg_error("%s:%lu:%lu: cannot rewrite %s's version in place (its text is not "
				 "its value as written): edit it by hand", path, n->start.line,
				 n->start.col, chart);
			ret = 1;
			goto out;
		}
		SG_GROW(f.edits, f.alloc, f.nedits + 1);
		/* keep them in file order */
		for (k = f.nedits; k > 0 && f.edits[k - 1].start > e.start; k--)
			f.edits[k] = f.edits[k - 1];
		f.edits[k] = e;
		f.nedits++;
	}
	if (f.nedits) {
		if (!b->old)
			b->old = f.edits[0].old;
		for (i = 0; i < f.nedits; i++)
			if (strcmp(b->old, f.edits[i].old))
				b->mixed = 1;
		f.path = sg_strdup(path);
		SG_GROW(b->files, b->alloc, b->nfiles + 1);
		b->files[b->nfiles++] = f;
		memset(&f, 0, sizeof(f));
	}
	ret = 0;
out:
	free(uses.v);
	free(f.edits);
	sg_yaml_free(f.doc);
	sg_buf_release(&f.text);
	sg_buf_release(&full);
	return ret;
}

/*
 * The candidate files are the tracked ones: the index lists them without a directory walk.
 * A file in conflict is not edited (any stage but 0), nor a symbolic link (its target is no
 * file of the index). 0, 1 refused (reported), -1.
 */
static int find_files(struct bump *b, const char *chart, struct sg_chart_cfgs *charts)
{
	git_index *idx = NULL;
	size_t i, n;
	int err, r = 0;

	if ((err = git_repository_index(&idx, b->repo)) < 0)
		return sg_error_git(err, "cannot read the index");
	n = git_index_entrycount(idx);
	for (i = 0; i < n && r == 0; i++) {
		const git_index_entry *e = git_index_get_byindex(idx, i);

		if (!e || git_index_entry_stage(e) != 0 || e->mode == GIT_FILEMODE_LINK ||
		    !sg_chartcfg_wants(charts, e->path))
			continue;
		r = load_file(b, chart, charts, e->path);
	}
	git_index_free(idx);
	return r;
}

/* Temp file in the same directory, same mode, fsync, rename: never a half-written file. */
static int write_atomic(const char *path, const char *data, size_t len)
{
	struct sg_buf tmp = SG_BUF_INIT;
	struct stat st;
	size_t off = 0;
	int fd = -1, ret = -1;

	/* Renaming over a symbolic link would replace the link, not its target. */
	if (lstat(path, &st) < 0)
		return sg_error("cannot stat '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return sg_error("'%s' is not a regular file: edit it by hand", path);
	sg_buf_addf(&tmp, "%s.stagegate-XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		sg_error("cannot create a temporary file next to '%s': %s", path, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			sg_error("cannot write '%s': %s", tmp.buf, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, st.st_mode & 07777) < 0 || fsync(fd) < 0) {
		sg_error("cannot write '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		sg_error("cannot write '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.buf, path) < 0) {
		sg_error("cannot replace '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlink(tmp.buf);
	sg_buf_release(&tmp);
	return ret;
}

/* Rewrite one file; *changed says whether any byte differs. */
static int rewrite(struct bump *b, struct file *f, const char *to, int *changed)
{
	struct sg_buf out = SG_BUF_INIT, full = SG_BUF_INIT;
	size_t i, pos = 0, tolen = strlen(to);
	int ret = 0;

	*changed = 0;
	for (i = 0; i < f->nedits; i++) {
		const struct edit *e = &f->edits[i];

		sg_buf_add(&out, f->text.buf + pos, e->start - pos);
		sg_buf_add(&out, to, tolen);
		if (e->len != tolen || memcmp(f->text.buf + e->start, to, tolen))
			*changed = 1;
		pos = e->start + e->len;
	}
	sg_buf_add(&out, f->text.buf + pos, f->text.len - pos);
	if (*changed) {
		sg_buf_addf(&full, "%s%s", b->workdir, f->path);
		ret = write_atomic(sg_buf_str(&full), out.buf, out.len);
	}
	sg_buf_release(&out);
	sg_buf_release(&full);
	return ret;
}

/* The chart commits old..new, newest first, as the message's offline compare link. */
static int list_changes(struct sg_buf *msg, git_repository *src, const char *old_sha,
			const git_oid *new_oid, char *const *paths)
{
	git_revwalk *walk = NULL;
	git_oid old, oid;
	git_commit *oc = NULL;
	size_t listed = 0, more = 0;
	int err, ret = -1;

	if ((err = git_revwalk_new(&walk, src)) < 0 ||
	    (err = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME)) < 0 ||
	    (err = git_revwalk_push(walk, new_oid)) < 0)
		goto fail;
	/* old_sha comes from a parsed version: 7-40 hex digits, so fromstrn cannot fail */
	(void)git_oid_fromstrn(&old, old_sha, strlen(old_sha));
	if (git_commit_lookup_prefix(&oc, src, &old, strlen(old_sha)) == 0) {
		if ((err = git_revwalk_hide(walk, git_commit_id(oc))) < 0)
			goto fail;
	} else {
		git_error_clear();
		sg_buf_addstr(msg, "(the old version names no commit of the source)\n");
		ret = 0;
		goto out;
	}
	while ((err = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL;
		int r = sg_chartsrc_is_change(src, &oid, paths);
		char hex[8];

		if (r < 0)
			goto out;
		if (!r)
			continue;
		if (listed >= LIST_LIMIT) {
			more++;
			continue;
		}
		if ((err = git_commit_lookup(&c, src, &oid)) < 0)
			goto fail;
		sg_buf_addf(msg, "- %s %s\n", git_oid_tostr(hex, sizeof(hex), &oid),
			    git_commit_summary(c) ? git_commit_summary(c) : "");
		git_commit_free(c);
		listed++;
	}
	if (err != GIT_ITEROVER)
		goto fail;
	if (more)
		sg_buf_addf(msg, "- ... and %lu more\n", (unsigned long)more);
	if (!listed && sg_repo_is_ancestor(src, new_oid, git_commit_id(oc)) == 1)
		sg_buf_addf(msg, "(none: %s already contains them; this corrects the version to the "
			    "commit where the chart last changed)\n", old_sha);
	else if (!listed)
		sg_buf_addstr(msg, "(none: the new version is not newer)\n");
	ret = 0;
	goto out;
fail:
	sg_error_git(err, "cannot list the chart's commits");
out:
	git_commit_free(oc);
	git_revwalk_free(walk);
	return ret;
}

/* `git commit` rather than libgit2: the user's hooks, identity and signing apply as usual. */
static int run_commit(struct bump *b, const char *msg)
{
	const char **argv = sg_calloc(b->nfiles + 9, sizeof(*argv));
	struct sg_buf git = SG_BUF_INIT;
	struct sg_child c;
	size_t i, k = 0;
	int ret = -1;

	/* sg_run executes a path: find git on PATH as execvp would. */
	sg_path_find(&git, "git");
	if (!git.len) {
		free(argv);
		return sg_error("cannot find git on PATH to commit");
	}
	argv[k++] = sg_buf_str(&git);
	argv[k++] = "-C";
	argv[k++] = b->workdir;
	argv[k++] = "commit";
	argv[k++] = "-q";
	argv[k++] = "-F";
	argv[k++] = "-";
	argv[k++] = "--";
	for (i = 0; i < b->nfiles; i++)
		argv[k++] = b->files[i].path;
	argv[k] = NULL;
	sg_child_init(&c);
	c.argv = argv;
	c.in = msg;
	c.inlen = strlen(msg);
	c.inherit_output = 1;
	if (sg_run_all(&c, 1) == 0) {
		if (c.status == 0)
			ret = 0;
		else
			sg_error("git commit failed (exit %d): the files are bumped but not committed",
				 c.status);
	}
	sg_child_release(&c);
	sg_buf_release(&git);
	free(argv);
	return ret;
}

static void bump_release(struct bump *b)
{
	size_t i;

	for (i = 0; i < b->nfiles; i++) {
		free(b->files[i].path);
		sg_buf_release(&b->files[i].text);
		sg_yaml_free(b->files[i].doc);
		free(b->files[i].edits);
	}
	free(b->files);
}

/* Print each changed version once per file, in file order. */
static void print_changes(const struct file *f, const char *to)
{
	size_t i, k;

	for (i = 0; i < f->nedits; i++) {
		const char *old = f->edits[i].old;

		for (k = 0; k < i && strcmp(f->edits[k].old, old); k++)
			;
		if (k == i && strcmp(old, to))
			printf("%s: %s -> %s\n", f->path, old, to);
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "commit", no_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *to = NULL, *config_path = NULL, *chart, *target;
	int do_commit = 0, force = 0, c, r, ret = SG_EXIT_TROUBLE;
	struct sg_config *cfg = NULL;
	struct sg_chart_cfgs charts = { NULL, 0 };
	struct sg_chart_cfg *cc;
	struct sg_chartsrc src;
	struct sg_chartsrc_result res;
	struct sg_buf latest = SG_BUF_INIT, why = SG_BUF_INIT;
	struct bump b;
	size_t i, nchanged = 0;

	sg_sanitize_fds();
	signal(SIGPIPE, SIG_IGN);
	memset(&b, 0, sizeof(b));
	memset(&res, 0, sizeof(res));
	while ((c = getopt_long(argc, argv, "t:mfc:h", lopts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'm': do_commit = 1; break;
		case 'f': force = 1; break;
		case 'c': config_path = optarg; break;
		case 'h': return usage(NULL);
		default: return usage("");
		}
	}
	if (argc - optind != 1)
		return usage("name one CHART");
	chart = argv[optind];
	sg_git_init();
	/* This process only reads the source and its own work tree: see sg_chartsrc_fast_reads. */
	sg_chartsrc_fast_reads();
	if (sg_repo_open(&b.repo) < 0)
		goto out;
	b.workdir = git_repository_workdir(b.repo);
	if (!b.workdir) {
		sg_error("bump needs a work tree (this repository is bare)");
		goto out;
	}
	if (sg_config_for(&cfg, SG_STAGE_PRE_COMMIT, config_path, b.repo) < 0 ||
	    sg_chartcfg_load(&charts, cfg, b.repo) < 0)
		goto out;
	cc = sg_chartcfg_find(&charts, chart);
	if (!cc) {
		sg_error("chart '%s' is not in the charts: section of %s", chart,
			 cfg ? cfg->path : "the config (there is none)");
		goto out;
	}
	if (sg_chartcfg_open(cc, cfg, b.repo) < 0)
		goto out;
	r = find_files(&b, chart, &charts);
	if (r) {
		ret = r < 0 ? SG_EXIT_TROUBLE : SG_EXIT_POLICY;
		goto out;
	}
	if (!b.nfiles) {
		sg_error("no file of this repository references chart '%s'", chart);
		goto out;
	}
	if (b.mixed)
		sg_warn("the references to '%s' disagree; all will be set to one version", chart);

	memset(&src, 0, sizeof(src));
	src.repo = cc->src_repo;
	src.dir = cc->repo;
	src.chart = cc->name;
	src.paths = cc->paths;
	src.chartpress = cc->chartpress;
	src.ref = cc->ref;
	src.index = cc->idx;
	target = to;
	if (!target) {
		r = sg_chartsrc_latest(&latest, NULL, &src, b.old, 0, &why);
		if (r == SG_CHARTSRC_NONE)
			sg_error("cannot tell the version to bump %s to: %s%s", chart,
				 sg_buf_str(&why), cc->paths ? "" :
				 " (list the chart's paths under charts[].source.paths)");
		if (r) {
			ret = r < 0 ? SG_EXIT_TROUBLE : SG_EXIT_POLICY;
			goto out;
		}
		target = sg_buf_str(&latest);
	}
	if (sg_chartsrc_verify(&res, &src, target) < 0)
		goto out;
	if (res.verdict == SG_VERDICT_UNPUBLISHED && force) {
		sg_warn("%s %s is not published yet (--force)", chart, target);
	} else if (sg_chartsrc_verdict_is_error(res.verdict)) {
		struct sg_buf hint = SG_BUF_INIT;

		sg_chartsrc_hint(&hint, &res);
		sg_error("refusing to bump %s to %s: %s%s%s%s%s%s%s", chart, target,
			 sg_chartsrc_verdict_name(res.verdict),
			 res.detail ? " (" : "", res.detail ? res.detail : "",
			 res.detail ? ")" : "",
			 res.verdict == SG_VERDICT_UNPUBLISHED ? " (not in the chart index; --force "
			 "to bump anyway)" : "", hint.len ? "; " : "", sg_buf_str(&hint));
		sg_buf_release(&hint);
		ret = SG_EXIT_POLICY;
		goto out;
	}
	for (i = 0; i < b.nfiles; i++) {
		int changed;

		if (rewrite(&b, &b.files[i], target, &changed) < 0)
			goto out;
		if (changed) {
			print_changes(&b.files[i], target);
			nchanged++;
		}
	}
	if (!nchanged) {
		printf("%s is already at %s\n", chart, target);
		ret = SG_EXIT_OK;
		goto out;
	}
	if (do_commit) {
		struct sg_buf msg = SG_BUF_INIT;
		struct sg_chartver ov;
		size_t k;

		sg_buf_addf(&msg, "Bump %s chart to %s\n\n%s -> %s\n\nChart commits since %s "
			    "(touching ", chart, target, b.old, target, b.old);
		for (k = 0; res.paths && res.paths[k]; k++)
			sg_buf_addf(&msg, "%s%s", k ? ", " : "",
				    res.paths[k][0] ? res.paths[k] : ".");
		sg_buf_addstr(&msg, "):\n\n");
		if (sg_chartver_parse(&ov, b.old) < 0 || ov.format == SG_CHARTVER_NONE)
			sg_buf_addstr(&msg, "(the old version names no commit)\n");
		else if (list_changes(&msg, src.repo, ov.sha, &res.commit, res.paths) < 0) {
			sg_buf_release(&msg);
			goto out;
		}
		if (run_commit(&b, sg_buf_str(&msg)) < 0) {
			sg_buf_release(&msg);
			goto out;
		}
		sg_buf_release(&msg);
	}
	ret = SG_EXIT_OK;
out:
	fflush(stdout);
	sg_chartsrc_result_release(&res);
	sg_buf_release(&latest);
	sg_buf_release(&why);
	bump_release(&b);
	sg_chartcfg_release(&charts);
	sg_config_free(cfg);
	git_repository_free(b.repo);
	sg_git_shutdown();
	return ret;
}

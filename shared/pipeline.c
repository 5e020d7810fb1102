/*
 * The hook side of the check protocol: spawn the checks, parse their JSON lines, map their
 * exit statuses, and render the one-screen report of DESIGN.md section 6.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "pipeline.h"
#include "regex.h"
#include "run.h"
#include "banned.h"

#define DEFAULT_TIMEOUT_MS (300 * 1000)
#define COUNT_LIMIT 10000

struct result {
	const char *id;
	struct sg_buf path;
	struct sg_child child;
	struct sg_diags diags;
	int found;
	int trouble;		/* could not run: missing, crashed, exit 2, bad output */
	struct sg_buf why;	/* for trouble */
};

static int strip_suffix(struct sg_buf *b, const char *suffix)
{
	size_t n = strlen(suffix);

	if (b->len < n || strcmp(b->buf + b->len - n, suffix))
		return 0;
	b->len -= n;
	b->buf[b->len] = '\0';
	return 1;
}

void sg_exec_dir(struct sg_buf *out)
{
	const char *env = getenv("STAGEGATE_EXEC_PATH");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		sg_buf_addstr(out, env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		sg_buf_addstr(out, "/usr/local/libexec/stagegate");
		return;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	sg_buf_addstr(out, self);
	if (strip_suffix(out, "/hooks"))
		return;
	if (strip_suffix(out, "/bin"))
		sg_buf_addstr(out, "/libexec/stagegate");
}

int sg_find_check(struct sg_buf *out, const char *id)
{
	struct sg_buf name = SG_BUF_INIT;
	int ret;

	sg_buf_reset(out);
	sg_exec_dir(out);
	sg_buf_addf(out, "/stagegate-%s", id);
	if (sg_is_executable(sg_buf_str(out)))
		return 0;
	sg_buf_addf(&name, "stagegate-%s", id);
	ret = sg_path_find(out, sg_buf_str(&name));
	sg_buf_release(&name);
	return ret;
}

static const char *verb(enum sg_stage st)
{
	switch (st) {
	case SG_STAGE_PRE_COMMIT: return "commit";
	case SG_STAGE_PRE_MERGE_COMMIT: return "merge";
	case SG_STAGE_CI: return "check";
	default: return "push";
	}
}

/* Turn a check's stdout into diagnostics; a line that is not a record is trouble. */
static void collect(struct result *r)
{
	const char *s = sg_buf_str(&r->child.out), *nl;

	for (; *s; s = nl ? nl + 1 : s + strlen(s)) {
		struct sg_diag d;
		size_t n;

		nl = strchr(s, '\n');
		n = nl ? (size_t)(nl - s) : strlen(s);
		if (!n)
			continue;
		if (sg_diag_parse_json(&d, s, n) < 0) {
			if (!r->trouble) {
				r->trouble = 1;
				sg_buf_addf(&r->why, "wrote output that is not a JSON record: '%.*s'",
					    (int)(n > 60 ? 60 : n), s);
			}
			continue;
		}
		if (!d.check)
			d.check = sg_strdup(r->id);
		sg_diags_take(&r->diags, &d);
		if (!nl)
			break;
	}
}

static void judge(struct result *r)
{
	struct sg_child *c = &r->child;

	collect(r);
	/* Exit 1 is a refusal and 0 a pass; anything else (2, a signal, exec trouble, a
	 * timeout) means the check could not do its job. */
	if (c->timed_out || c->exec_errno || (c->status != 0 && c->status != SG_EXIT_POLICY)) {
		r->trouble = 1;
		sg_buf_reset(&r->why);
		sg_child_describe(&r->why, c);
	} else if (c->status == SG_EXIT_POLICY && !sg_diags_count(&r->diags, SG_ERROR)) {
		/* Exit 1 with no error record: still a refusal, but say so. */
		sg_diags_add(&r->diags, SG_ERROR, "check-failed",
			     "check failed without saying why (exit status 1)");
	}
}

/* The first line of a check's stderr, with our prefix dropped, for "could not run" lines. */
static void first_err_line(struct sg_buf *out, const struct sg_buf *err)
{
	const char *s = sg_buf_str(err), *nl;

	while (*s) {
		nl = strchr(s, '\n');
		if (!strncmp(s, "stagegate: ", 11))
			s += 11;
		if (nl != s) {
			sg_buf_add(out, s, nl ? (size_t)(nl - s) : strlen(s));
			return;
		}
		s = nl + 1;
	}
}

static size_t count_commits(git_repository *repo, const git_oid *tip, const git_oid *hide)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	size_t n = 0;

	if (git_revwalk_new(&walk, repo) < 0 || git_revwalk_push(walk, tip) < 0)
		goto out;
	if (!git_oid_is_zero(hide))
		git_revwalk_hide(walk, hide);
	while (n < COUNT_LIMIT && git_revwalk_next(&oid, walk) == 0)
		n++;
out:
	git_revwalk_free(walk);
	git_error_clear();
	return n;
}

static void upper(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, f);
}

static void header(const struct sg_pipeline *p, const struct sg_update *u, int color)
{
	const char *branch = sg_ref_branch(u->ref);
	struct sg_target t;
	char a[8], b[8];
	int rc;

	rc = strncmp(u->ref, "refs/heads/", 11) ? 0 : sg_config_resolve(&t, p->cfg, branch, 1);
	if (rc <= 0) {
		fprintf(stderr, "stagegate: %s (not in a promotion chain)", u->ref);
		if (p->remote)
			fprintf(stderr, " · via %s", p->remote);
		fputc('\n', stderr);
		return;
	}
	fprintf(stderr, "stagegate: %s · %s", t.deployment->name, color ? "\033[1m" : "");
	upper(stderr, t.env);
	fputs(color ? "\033[0m" : "", stderr);
	if (t.url)
		fprintf(stderr, " (%s)", t.url);
	if (t.upstream)
		fprintf(stderr, " <- %s", t.upstream);
	if (p->remote)
		fprintf(stderr, " · via %s", p->remote);
	fputc('\n', stderr);

	if (git_oid_is_zero(&u->new_oid)) {
		fprintf(stderr, "  deletes %s (was %s)\n", branch, sg_oid_short(a, &u->old_oid));
	} else if (git_oid_is_zero(&u->old_oid)) {
		fprintf(stderr, "  creates %s at %s\n", branch, sg_oid_short(b, &u->new_oid));
	} else if (p->repo && p->stage != SG_STAGE_PRE_COMMIT &&
		   p->stage != SG_STAGE_PRE_MERGE_COMMIT) {
		/* What the branch gets: the commits new to it, merges of the upstream included. */
		size_t n = count_commits(p->repo, &u->new_oid, &u->old_oid);

		fprintf(stderr, "  %s %s%zu commit%s (%s..%s)\n",
			t.upstream ? "promotes" : "brings", n >= COUNT_LIMIT ? "over " : "", n,
			n == 1 ? "" : "s", sg_oid_short(a, &u->old_oid),
			sg_oid_short(b, &u->new_oid));
	}
	sg_target_release(&t);
}

/* Why a check did not run, one line, for the report and for records alike. */
static void trouble_reason(struct sg_buf *out, const struct result *r)
{
	if (!r->found) {
		sg_buf_addf(out, "check not found: no executable 'stagegate-%s' in the stagegate "
			    "libexec directory or on PATH", r->id);
		return;
	}
	sg_buf_addf(out, "check could not run: %s", sg_buf_str(&r->why));
	if (r->child.err.len) {
		sg_buf_addstr(out, ": ");
		first_err_line(out, &r->child.err);
	}
}

static void report_line(const struct result *r, int color)
{
	static const char pad[] = "                       ";
	size_t errors = sg_diags_count(&r->diags, SG_ERROR);
	size_t warnings = sg_diags_count(&r->diags, SG_WARNING);
	const char *status, *col = "";
	size_t i;
	int first = 1;

	if (r->trouble) {
		status = "ERROR";
		col = "\033[1;31m";
	} else if (errors) {
		status = "FAIL";
		col = "\033[1;31m";
	} else if (warnings) {
		status = "warn";
		col = "\033[1;35m";
	} else {
		status = "ok";
		col = "\033[1;32m";
	}
	/* Pad the id only when something follows it on the line. */
	fprintf(stderr, "  %s%-5s%s %-*s", color ? col : "", status, color ? "\033[0m" : "",
		r->trouble || r->diags.n ? 14 : 0, r->id);
	if (r->trouble) {
		struct sg_buf why = SG_BUF_INIT;

		trouble_reason(&why, r);
		fprintf(stderr, " %s\n", sg_buf_str(&why));
		sg_buf_release(&why);
		first = 0;
	}
	for (i = 0; i < r->diags.n; i++) {
		const struct sg_diag *d = &r->diags.v[i];

		if (!first)
			fputs(pad, stderr);
		else
			fputc(' ', stderr);
		first = 0;
		if (d->path || d->ref) {
			sg_diag_write_location(stderr, d);
			fputs(": ", stderr);
		}
		if (d->severity != SG_NOTE)
			fprintf(stderr, "%s: ", sg_severity_name(d->severity));
		fputs(d->message ? d->message : "", stderr);
		if (d->rule && d->severity != SG_NOTE)
			fprintf(stderr, " [%s]", d->rule);
		fputc('\n', stderr);
		if (d->hint)
			fprintf(stderr, "%shint: %s\n", pad, d->hint);
	}
	if (first)
		fputc('\n', stderr);
}

static void write_records(const struct sg_pipeline *p, struct result *rs, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < rs[i].diags.n; j++)
			sg_diag_write(stdout, &rs[i].diags.v[j], p->format, 0);
		if (rs[i].trouble) {
			struct sg_diags tmp;
			struct sg_buf why = SG_BUF_INIT;

			sg_diags_init(&tmp, rs[i].id);
			trouble_reason(&why, &rs[i]);
			sg_diags_add(&tmp, SG_ERROR, "check-failed", "%s", sg_buf_str(&why));
			sg_diag_write(stdout, &tmp.v[0], p->format, 0);
			sg_diags_release(&tmp);
			sg_buf_release(&why);
		}
	}
	fflush(stdout);
}

int sg_pipeline_run(struct sg_pipeline *p)
{
	const struct sg_check_list *list = &p->cfg->stages[p->stage];
	char *const *ids = p->only ? p->only : list->ids;
	size_t n = 0, i, errors = 0, warnings = 0, failed_checks = 0, trouble = 0;
	struct sg_buf in = SG_BUF_INIT, user_env = SG_BUF_INIT, remote_env = SG_BUF_INIT,
		url_env = SG_BUF_INIT;
	struct result *rs;
	const char *env[4];
	const char **argvs;
	size_t e = 0;
	int color = sg_want_color(stderr), ret = 0;

	while (ids && ids[n])
		n++;
	sg_updates_write(p->updates, &in);
	if (p->user) {
		sg_buf_addf(&user_env, "STAGEGATE_USER=%s", p->user);
		env[e++] = sg_buf_str(&user_env);
	}
	if (p->remote) {
		sg_buf_addf(&remote_env, "STAGEGATE_REMOTE=%s", p->remote);
		env[e++] = sg_buf_str(&remote_env);
	}
	if (p->remote_url) {
		sg_buf_addf(&url_env, "STAGEGATE_REMOTE_URL=%s", p->remote_url);
		env[e++] = sg_buf_str(&url_env);
	}
	env[e] = NULL;

	rs = sg_calloc(n ? n : 1, sizeof(*rs));
	argvs = sg_calloc(n ? 10 * n : 1, sizeof(*argvs));
	for (i = 0; i < n; i++) {
		const char **av = argvs + 10 * i;
		size_t a = 0;

		rs[i].id = ids[i];
		sg_diags_init(&rs[i].diags, ids[i]);
		rs[i].found = sg_find_check(&rs[i].path, ids[i]) == 0;
		av[a++] = sg_buf_str(&rs[i].path);
		av[a++] = "--stage";
		av[a++] = sg_stage_name(p->stage);
		if (p->config_path) {
			av[a++] = "--config";
			av[a++] = p->config_path;
		}
		av[a++] = "--format";
		av[a++] = "json";
		av[a] = NULL;
	}
	/* Start only the checks that exist; a missing one is reported, never skipped. */
	{
		struct sg_child *run = sg_calloc(n ? n : 1, sizeof(*run));
		size_t nrun = 0, k = 0;

		for (i = 0; i < n; i++) {
			if (!rs[i].found)
				continue;
			sg_child_init(&run[nrun]);
			run[nrun].argv = argvs + 10 * i;
			run[nrun].env = env;
			run[nrun].in = sg_buf_str(&in);
			run[nrun].inlen = in.len;
			run[nrun].timeout_ms = p->timeout_ms ? p->timeout_ms : DEFAULT_TIMEOUT_MS;
			nrun++;
		}
		if (sg_run_all(run, nrun) < 0)
			ret = -1;
		for (i = 0; i < n; i++) {
			if (!rs[i].found) {
				rs[i].trouble = 1;
				continue;
			}
			rs[i].child = run[k++];
			judge(&rs[i]);
		}
		free(run);
	}

	for (i = 0; i < n; i++) {
		size_t ce = sg_diags_count(&rs[i].diags, SG_ERROR);

		errors += ce;
		warnings += sg_diags_count(&rs[i].diags, SG_WARNING);
		failed_checks += ce > 0 && !rs[i].trouble;
		trouble += rs[i].trouble;
	}

	if (ret == 0 && trouble)
		ret = 2;
	else if (ret == 0 && errors)
		ret = 1;
	if (p->format != SG_FORMAT_TEXT) {
		write_records(p, rs, n);
	} else if (!p->quiet_ok || ret) {
		for (i = 0; i < p->updates->n; i++)
			header(p, &p->updates->v[i], color);
		if (!p->updates->n && p->stage == SG_STAGE_CI)
			fprintf(stderr, "stagegate: ci\n");
		for (i = 0; i < n; i++)
			report_line(&rs[i], color);
	}
	if (p->format == SG_FORMAT_TEXT && (!p->quiet_ok || ret)) {
		if (ret) {
			fprintf(stderr, "  %s%s refused%s: ", color ? "\033[1;31m" : "", verb(p->stage),
				color ? "\033[0m" : "");
			if (errors)
				fprintf(stderr, "%zu error%s in %zu check%s", errors,
					errors == 1 ? "" : "s", failed_checks,
					failed_checks == 1 ? "" : "s");
			if (errors && trouble)
				fputs("; ", stderr);
			if (trouble)
				fprintf(stderr, "%zu check%s could not run (a check that cannot "
					"run refuses)", trouble, trouble == 1 ? "" : "s");
			fputc('\n', stderr);
		} else {
			fprintf(stderr, "  %s %s", verb(p->stage),
				p->stage == SG_STAGE_CI ? "passed" : "accepted");
			if (warnings)
				fprintf(stderr, " with %zu warning%s", warnings,
					warnings == 1 ? "" : "s");
			fputc('\n', stderr);
		}
	}

	for (i = 0; i < n; i++) {
		sg_buf_release(&rs[i].path);
		sg_buf_release(&rs[i].why);
		sg_child_release(&rs[i].child);
		sg_diags_release(&rs[i].diags);
	}
	free(rs);
	free(argvs);
	sg_buf_release(&in);
	sg_buf_release(&user_env);
	sg_buf_release(&remote_env);
	sg_buf_release(&url_env);
	return ret;
}

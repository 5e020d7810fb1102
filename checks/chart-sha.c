/*
 * The chart-sha check: every chart version carrying a git SHA in the files a push touches must
 * name the commit where the chart last changed (as `git log -1 <sha> -- <paths>` reports it)
 * and, when an index is configured, be published there. See docs/chart-sha.md.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "chartcfg.h"
#include "chartsrc.h"
#include "check.h"
#include "helmindex.h"
#include "regex.h"
#include "repo.h"
#include "yamldoc.h"
#include "banned.h"

struct run {
	struct sg_check_ctx *ctx;
	struct sg_chart_cfgs charts;
	const struct sg_update *u;
};

static struct sg_diag *add(struct run *rn, enum sg_severity sev, const char *rule,
			   const char *path, const struct sg_yaml_node *node, const char *fmt, ...)
	SG_PRINTF(6, 7);

static struct sg_diag *add(struct run *rn, enum sg_severity sev, const char *rule,
			   const char *path, const struct sg_yaml_node *node, const char *fmt, ...)
{
	struct sg_diag *d;
	char hex[GIT_OID_HEXSZ + 1];
	va_list ap;

	va_start(ap, fmt);
	d = sg_diags_addv(&rn->ctx->diags, sev, rule, fmt, ap);
	va_end(ap);
	sg_diag_set_pos(d, path, node->start.line, node->start.col);
	sg_diag_set_ref(d, rn->u->ref, git_oid_tostr(hex, sizeof(hex), &rn->u->new_oid));
	return d;
}

static void report(struct run *rn, const char *path, const struct sg_chart_use *use,
		   const struct sg_chartsrc *src, const struct sg_chartsrc_result *r)
{
	const char *v = use->node->value, *where = src->dir ? src->dir : "this repository";
	struct sg_buf ps = SG_BUF_INIT;
	struct sg_diag *d;
	char c7[8], l7[8];

	if (r->has_commit)
		git_oid_tostr(c7, sizeof(c7), &r->commit);
	if (r->has_last_change)
		git_oid_tostr(l7, sizeof(l7), &r->last_change);
	sg_chartsrc_paths_text(&ps, r->paths);
	switch (r->verdict) {
	case SG_VERDICT_NOT_A_CHANGE:
		d = add(rn, SG_ERROR, "sha-not-a-change", path, use->node,
			"%s %s: commit %s did not change %s", use->chart, v, c7, sg_buf_str(&ps));
		if (r->has_last_change)
			sg_diag_set_hint(d, "use %s: %s is where the chart last changed "
					 "(git log -1 %s -- <paths>)%s%s", r->suggested, l7, c7,
					 r->suggested_published == 1 ? ", published" :
					 r->suggested_published == 0 ? ", not published yet" : "",
					 use->cc ? "; 'stagegate bump' writes it" : "");
		else
			sg_diag_set_hint(d, "no commit before %s touches those paths", c7);
		break;
	case SG_VERDICT_UNKNOWN_COMMIT:
		d = add(rn, SG_ERROR, "sha-unknown-commit", path, use->node,
			"%s %s: no commit %s in %s", use->chart, v, r->ver.sha, where);
		sg_diag_set_hint(d, "fetch the source repository, or fix the version");
		break;
	case SG_VERDICT_AMBIGUOUS:
		d = add(rn, SG_ERROR, "sha-ambiguous", path, use->node,
			"%s %s: %s names more than one object in %s", use->chart, v, r->ver.sha,
			where);
		sg_diag_set_hint(d, "write more digits of the SHA");
		break;
	case SG_VERDICT_NO_PATHS:
		d = add(rn, SG_ERROR, "chart-paths-unknown", path, use->node,
			"%s %s: cannot tell which paths version the chart%s%s%s", use->chart, v,
			r->detail ? " (" : "", r->detail ? r->detail : "", r->detail ? ")" : "");
		sg_diag_set_hint(d, "list them under charts[].source.paths in the config");
		break;
	default:
		break;
	}
	if (r->published == 0 && r->verdict != SG_VERDICT_UNKNOWN_COMMIT &&
	    r->verdict != SG_VERDICT_AMBIGUOUS) {
		d = add(rn, SG_ERROR, "chart-unpublished", path, use->node,
			"%s %s: not published yet in %s", use->chart, v,
			src->index ? src->index->where : "the index");
		sg_diag_set_hint(d, "wait for the chart repository to publish it, or use a "
				 "published version ('stagegate chart-version latest --published')");
	}
	if (r->count_mismatch) {
		d = add(rn, SG_WARNING, "sha-count-mismatch", path, use->node,
			"%s %s: commit %s has %lu commits of history, the version says %ld",
			use->chart, v, c7, (unsigned long)r->count, r->ver.count);
	}
	sg_buf_release(&ps);
}

/*
 * A right version can still be behind: when the source's branch has changed the chart since,
 * say so (a note: what `stagegate bump` would write). Costs a walk from the branch's tip back
 * to the version's commit, so only for charts whose source and branch are configured.
 */
static void note_newer(struct run *rn, const char *path, const struct sg_chart_use *use,
		       const struct sg_chartsrc *src, const struct sg_chartsrc_result *r)
{
	char latest[256], c7[8], l7[8];
	git_oid commit;
	struct sg_diag *d;

	if (!use->cc || !src->ref || sg_chartsrc_verdict_is_error(r->verdict) || !r->has_commit)
		return;
	if (sg_chartsrc_latest(latest, sizeof(latest), &commit, src, src->ref,
			       use->node->value, 0) != 0) {
		git_error_clear();
		return;
	}
	if (git_oid_equal(&commit, &r->commit) ||
	    sg_repo_is_ancestor(src->repo, &commit, &r->commit) != 0)
		return;
	git_oid_tostr(c7, sizeof(c7), &r->commit);
	git_oid_tostr(l7, sizeof(l7), &commit);
	d = add(rn, SG_NOTE, "chart-newer", path, use->node,
		"%s %s: %s has a newer chart change, %s (this version is %s)", use->chart,
		use->node->value, src->ref, l7, c7);
	sg_diag_set_hint(d, "'stagegate bump %s' would write %s", use->chart, latest);
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? sg_strndup(path, (size_t)(s - path)) : sg_strdup("");
}

static int check_use(struct run *rn, const char *path, const struct sg_chart_use *use)
{
	struct sg_chartsrc src;
	struct sg_chartsrc_result r;
	struct sg_chartver cv;
	char *chart_dir = NULL;
	int ret = -1;

	if (sg_chartver_parse(&cv, use->node->value) < 0 || cv.format == SG_CHARTVER_NONE)
		return 0;
	memset(&src, 0, sizeof(src));
	src.chart = use->chart;
	if (use->cc) {
		if (sg_chartcfg_open(use->cc, rn->ctx->repo) < 0)
			return -1;
		src.repo = use->cc->src_repo;
		src.dir = use->cc->repo;
		src.paths = use->cc->paths;
		src.chartpress = use->cc->chartpress;
		src.index = use->cc->idx;
		src.ref = use->cc->ref;
	} else if (use->own) {
		/* A chart this repository builds: its directory, plus chartpress's paths. */
		chart_dir = dir_of(path);
		src.repo = rn->ctx->repo;
		src.chart_dir = chart_dir;
	} else {
		return 0;	/* a dependency from elsewhere with no source configured */
	}
	if (sg_chartsrc_verify(&r, &src, use->node->value) < 0)
		goto out;
	if (r.verdict == SG_VERDICT_SHALLOW) {
		struct sg_buf fix = SG_BUF_INIT;

		sg_chartsrc_fetch_hint(&fix, src.dir);
		sg_error("history of %s%s%s is shallow: checking %s %s needs full history; run "
			 "'%s' (in GitHub Actions: actions/checkout with fetch-depth: 0)",
			 src.dir ? "'" : "", src.dir ? src.dir : "this repository",
			 src.dir ? "'" : "", use->chart, use->node->value, sg_buf_str(&fix));
		sg_buf_release(&fix);
		sg_chartsrc_result_release(&r);
		goto out;
	}
	report(rn, path, use, &src, &r);
	note_newer(rn, path, use, &src, &r);
	sg_chartsrc_result_release(&r);
	ret = 0;
out:
	free(chart_dir);
	return ret;
}

static int check_file(struct run *rn, const char *path)
{
	struct sg_buf text = SG_BUF_INIT;
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;
	struct sg_chart_uses uses = { NULL, 0, 0 };
	size_t i;
	int r, ret = -1;

	r = sg_repo_read_at(&text, NULL, rn->ctx->repo, &rn->u->new_oid, path);
	if (r) {
		ret = r > 0 ? 0 : -1;
		goto out;
	}
	/* A file that does not parse is helm-lint's to report. */
	if (sg_yaml_parse(&doc, sg_buf_str(&text), text.len, 0, &err) < 0) {
		ret = 0;
		goto out;
	}
	for (i = 0; i < doc->ndocs; i++)
		sg_chartcfg_uses(&uses, &rn->charts, path, doc->roots[i]);
	for (i = 0; i < uses.n; i++)
		if (check_use(rn, path, &uses.v[i]) < 0)
			goto out;
	ret = 0;
out:
	free(uses.v);
	sg_yaml_free(doc);
	sg_buf_release(&text);
	return ret;
}

static int run(struct sg_check_ctx *ctx)
{
	struct run rn;
	size_t i, k;
	int ret = -1;

	memset(&rn, 0, sizeof(rn));
	rn.ctx = ctx;
	sg_chartsrc_fast_reads();
	if (sg_chartcfg_load(&rn.charts, ctx->cfg, ctx->repo) < 0)
		return -1;
	for (i = 0; i < ctx->updates.n; i++) {
		const struct sg_update *u = &ctx->updates.v[i];
		char **paths = NULL;

		/* A deletion brings no versions; old == new is a pending commit with no range. */
		if (sg_oid_is_zero(&u->new_oid) || git_oid_equal(&u->old_oid, &u->new_oid))
			continue;
		rn.u = u;
		if (sg_check_changed_paths(&paths, ctx, u) < 0)
			goto out;
		for (k = 0; paths[k]; k++) {
			if (!sg_chartcfg_wants(&rn.charts, paths[k]))
				continue;
			if (check_file(&rn, paths[k]) < 0) {
				sg_strv_free(paths);
				goto out;
			}
		}
		sg_strv_free(paths);
	}
	ret = 0;
out:
	sg_chartcfg_release(&rn.charts);
	return ret;
}

static const struct sg_check_def def = {
	"chart-sha",
	"chart versions name the commit where the chart last changed, and are published",
	NULL,
	0,
	run
};

int main(int argc, char **argv)
{
	return sg_check_main(argc, argv, &def);
}

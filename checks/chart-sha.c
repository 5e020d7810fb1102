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

/*
 * A version judged once: the same version of the same chart in several files or several
 * updates of a push gets the verdict (and the newer-change note) computed the first time.
 */
struct judged {
	const struct sg_chart_cfg *cc;	/* or NULL: a chart of this repository, by chart_dir */
	char *chart_dir;
	char *chart;
	char *version;
	struct sg_chartsrc_result r;
	int newer;			/* the source's ref has a newer chart change */
	git_oid latest_commit;
	char *latest;			/* what bump would write, when newer */
};

struct run {
	struct sg_check_ctx *ctx;
	struct sg_chart_cfgs charts;
	const struct sg_update *u;
	struct sg_chartsrc_cache *cache;	/* counts, paths, last changes */
	struct judged *judged;
	size_t njudged, ajudged;
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
	struct sg_buf ps = SG_BUF_INIT, hint = SG_BUF_INIT;
	struct sg_diag *d = NULL;
	char c7[8];

	if (r->has_commit)
		git_oid_tostr(c7, sizeof(c7), &r->commit);
	sg_chartsrc_paths_text(&ps, r->paths);
	sg_chartsrc_hint(&hint, r);
	switch (r->verdict) {
	case SG_VERDICT_NOT_A_CHANGE:
		d = add(rn, SG_ERROR, "sha-not-a-change", path, use->node,
			"%s %s: commit %s did not change %s", use->chart, v, c7, sg_buf_str(&ps));
		if (r->suggested && use->cc)
			sg_buf_addstr(&hint, "; 'stagegate bump' writes it");
		break;
	case SG_VERDICT_UNKNOWN_COMMIT:
		d = add(rn, SG_ERROR, "sha-unknown-commit", path, use->node,
			"%s %s: no commit %s in %s", use->chart, v, r->ver.sha, where);
		break;
	case SG_VERDICT_AMBIGUOUS:
		d = add(rn, SG_ERROR, "sha-ambiguous", path, use->node,
			"%s %s: %s names more than one object in %s", use->chart, v, r->ver.sha,
			where);
		break;
	case SG_VERDICT_NO_PATHS:
		d = add(rn, SG_ERROR, "chart-paths-unknown", path, use->node,
			"%s %s: cannot tell which paths version the chart%s%s%s", use->chart, v,
			r->detail ? " (" : "", r->detail ? r->detail : "", r->detail ? ")" : "");
		break;
	default:
		break;
	}
	if (d && hint.len)
		sg_diag_set_hint(d, "%s", sg_buf_str(&hint));
	if (r->published == 0 && r->verdict != SG_VERDICT_UNKNOWN_COMMIT &&
	    r->verdict != SG_VERDICT_AMBIGUOUS) {
		d = add(rn, SG_ERROR, "chart-unpublished", path, use->node,
			"%s %s: not published yet in %s", use->chart, v,
			src->index ? src->index->where : "the index");
		sg_diag_set_hint(d, "wait for the chart repository to publish it, or use a "
				 "published version ('stagegate chart-version latest --published')");
	}
	if (r->count_mismatch) {
		add(rn, SG_WARNING, "sha-count-mismatch", path, use->node,
		    "%s %s: commit %s has %lu commits of history, the version says %ld",
		    use->chart, v, c7, (unsigned long)r->count, r->ver.count);
	}
	sg_buf_release(&ps);
	sg_buf_release(&hint);
}

/*
 * A right version can still be behind: when the source's branch has changed the chart since,
 * say so (a note: what `stagegate bump` would write). Costs a walk from the branch's tip back
 * to the last change, so only for charts whose source.ref is configured. 0 or -1.
 */
static int find_newer(struct judged *j, const struct sg_chartsrc *src, const char *version)
{
	struct sg_buf latest = SG_BUF_INIT, why = SG_BUF_INIT;
	int r, ret = -1;

	if (!src->ref || sg_chartsrc_verdict_is_error(j->r.verdict) || !j->r.has_commit)
		return 0;
	r = sg_chartsrc_latest(&latest, &j->latest_commit, src, version, 0, &why);
	if (r < 0)
		goto out;
	/* No latest (the tip's paths cannot be told): the verdict above is what matters. */
	if (r == SG_CHARTSRC_NONE ||
	    git_oid_equal(&j->latest_commit, &j->r.commit) ||
	    (r = sg_repo_is_ancestor(src->repo, &j->latest_commit, &j->r.commit)) != 0) {
		ret = r < 0 ? -1 : 0;
		goto out;
	}
	j->newer = 1;
	j->latest = sg_buf_detach(&latest);
	ret = 0;
out:
	sg_buf_release(&latest);
	sg_buf_release(&why);
	return ret;
}

static void note_newer(struct run *rn, const char *path, const struct sg_chart_use *use,
		       const struct sg_chartsrc *src, const struct judged *j)
{
	char c7[8], l7[8];
	struct sg_diag *d;

	if (!j->newer)
		return;
	git_oid_tostr(c7, sizeof(c7), &j->r.commit);
	git_oid_tostr(l7, sizeof(l7), &j->latest_commit);
	d = add(rn, SG_NOTE, "chart-newer", path, use->node,
		"%s %s: %s has a newer chart change, %s (this version is %s)", use->chart,
		use->node->value, src->ref, l7, c7);
	sg_diag_set_hint(d, "'stagegate bump %s' would write %s", use->chart, j->latest);
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? sg_strndup(path, (size_t)(s - path)) : sg_strdup("");
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The verdict on (chart source, version), computed on first use. NULL on trouble. */
static struct judged *judge(struct run *rn, const struct sg_chart_use *use,
			    const struct sg_chartsrc *src, const char *chart_dir)
{
	const char *v = use->node->value;
	struct judged *j;
	size_t i;

	for (i = 0; i < rn->njudged; i++) {
		j = &rn->judged[i];
		if (j->cc == use->cc && same_str(j->chart_dir, chart_dir) &&
		    !strcmp(j->chart, use->chart) && !strcmp(j->version, v))
			return j;
	}
	SG_GROW(rn->judged, rn->ajudged, rn->njudged + 1);
	j = &rn->judged[rn->njudged];
	memset(j, 0, sizeof(*j));
	if (sg_chartsrc_verify(&j->r, src, v) < 0)
		return NULL;
	rn->njudged++;
	j->cc = use->cc;
	j->chart_dir = chart_dir ? sg_strdup(chart_dir) : NULL;
	j->chart = sg_strdup(use->chart);
	j->version = sg_strdup(v);
	if (use->cc && find_newer(j, src, v) < 0)
		return NULL;
	return j;
}

static int check_use(struct run *rn, const char *path, const struct sg_chart_use *use)
{
	struct sg_chartsrc src;
	struct sg_chartver cv;
	struct judged *j;
	char *chart_dir = NULL;
	int ret = -1;

	if (sg_chartver_parse(&cv, use->node->value) < 0 || cv.format == SG_CHARTVER_NONE)
		return 0;
	memset(&src, 0, sizeof(src));
	src.chart = use->chart;
	src.cache = rn->cache;
	if (use->cc) {
		if (sg_chartcfg_open(use->cc, rn->ctx->cfg, rn->ctx->repo) < 0)
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
	j = judge(rn, use, &src, chart_dir);
	if (!j)
		goto out;
	report(rn, path, use, &src, &j->r);
	note_newer(rn, path, use, &src, j);
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
	if (sg_chartcfg_load(&rn.charts, ctx->cfg, ctx->repo) < 0)
		return -1;
	rn.cache = sg_chartsrc_cache_new();
	for (i = 0; i < ctx->updates.n; i++) {
		const struct sg_update *u = &ctx->updates.v[i];
		char **paths = NULL;

		/* old == new is a pending commit with no range (a deletion brings no paths). */
		if (git_oid_equal(&u->old_oid, &u->new_oid))
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
	for (i = 0; i < rn.njudged; i++) {
		sg_chartsrc_result_release(&rn.judged[i].r);
		free(rn.judged[i].chart_dir);
		free(rn.judged[i].chart);
		free(rn.judged[i].version);
		free(rn.judged[i].latest);
	}
	free(rn.judged);
	sg_chartsrc_cache_free(rn.cache);
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

/*
 * The staging gate: before prod takes a commit, staging must be up (its health endpoint
 * answers 2xx in time, at the expected version), must have run and passed its tests on what
 * prod takes (an attestation note), and must have run it long enough (soak time).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "attest.h"
#include "buf.h"
#include "check.h"
#include "http.h"
#include "override.h"
#include "soak.h"
#include "banned.h"

#define WALK_LIMIT 100000
#define DEFAULT_VERSION_PATH "/hub/api"

/* One HTTP answer per URL per run: several prod refs of one push share their staging. */
struct probe {
	char *url;
	struct sg_http_result res;
};

/* A reflog read once per run: every prod ref of a push asks the same staging ref's. */
struct reflog {
	char *ref;
	git_reflog *log;
};

struct gate {
	struct sg_check_ctx *ctx;
	char *version_path;		/* staging_gate.version_path, NULL: the default */
	char *ca_file;			/* staging_gate.ca_file */
	struct probe *probes;
	size_t nprobes, aprobes;
	git_commit *notes;		/* refs/notes/stagegate as this push leaves it */
	int notes_loaded;
	struct reflog *logs;
	size_t nlogs, alogs;
	long long now;
};

/* Per protected ref. */
struct target {
	struct gate *g;
	const struct sg_update *u;
	struct sg_target t;
	git_oid up;			/* upstream tip before this push */
	char *up_ref;
	git_oid *cands;			/* upstream commits with the new tip's tree, newest first */
	size_t ncands, acands;
	git_revwalk *walk;		/* the upstream's history, walked once, resumably */
	git_oid tree;			/* the new tip's tree */
	size_t seen;
	int walked;			/* the walk reached its end or its limit */
};

static struct sg_diag *add(struct target *tg, enum sg_severity sev, const char *rule,
			   const char *fmt, ...) SG_PRINTF(4, 5);

static struct sg_diag *add(struct target *tg, enum sg_severity sev, const char *rule,
			   const char *fmt, ...)
{
	struct sg_diag *d;
	va_list ap;

	va_start(ap, fmt);
	d = sg_diags_addv(&tg->g->ctx->diags, sev, rule, fmt, ap);
	va_end(ap);
	sg_diag_set_ref(d, tg->u->ref, NULL);
	return d;
}

/* staging_gate: {version_path, ca_file}; anything else is a typo to report. */
static int parse_section(struct gate *g)
{
	static const char *const known[] = { "version_path", "ca_file" };
	const struct sg_config *cfg = g->ctx->cfg;
	const struct sg_yaml_node *s = sg_yaml_deref(cfg->staging_gate), *v;

	if (!s || sg_yaml_is_null(s))
		return 0;
	if (sg_config_want(cfg, s, SG_YAML_MAP, "staging_gate") < 0 ||
	    sg_config_check_keys(cfg, s, known, sizeof(known) / sizeof(*known),
				 "staging_gate") < 0)
		return -1;
	if ((v = sg_yaml_get(s, "version_path")) &&
	    sg_config_get_str(cfg, v, "staging_gate.version_path", &g->version_path) < 0)
		return -1;
	if ((v = sg_yaml_get(s, "ca_file"))) {
		if (sg_config_get_str(cfg, v, "staging_gate.ca_file", &g->ca_file) < 0)
			return -1;
		/* Found now, at its line, rather than as a TLS failure on the first push that
		 * reaches an https staging. */
		if (access(g->ca_file, R_OK) < 0)
			return sg_config_error(cfg, v, "staging_gate.ca_file '%s' cannot be read: "
					       "%s", g->ca_file, strerror(errno));
	}
	return 0;
}

static struct probe *probe(struct gate *g, const char *url, unsigned long timeout_ms)
{
	struct sg_http_opts opts;
	struct probe *p;
	size_t i;

	for (i = 0; i < g->nprobes; i++)
		if (!strcmp(g->probes[i].url, url))
			return &g->probes[i];
	memset(&opts, 0, sizeof(opts));
	opts.timeout_ms = timeout_ms;
	opts.ca_file = g->ca_file;
	SG_GROW(g->probes, g->aprobes, g->nprobes + 1);
	p = &g->probes[g->nprobes];
	p->url = sg_strdup(url);
	sg_http_result_init(&p->res);
	g->nprobes++;
	if (sg_http_get(&p->res, url, &opts) < 0)
		return NULL;
	return p;
}

static int is_2xx(const struct sg_http_result *r)
{
	return r->status >= 200 && r->status < 300;
}

/* The "version" of a JSON answer, or NULL; caller frees. */
static char *json_version(const struct sg_buf *body)
{
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;
	const struct sg_yaml_node *root, *v;
	char *ret = NULL;

	if (!body->len || sg_yaml_parse(&doc, body->buf, body->len, 32, &err) < 0)
		return NULL;
	root = sg_yaml_deref(sg_yaml_root(doc));
	if (root && root->kind == SG_YAML_MAP && (v = sg_yaml_get(root, "version")) &&
	    v->kind == SG_YAML_SCALAR)
		ret = sg_strdup(v->value);
	sg_yaml_free(doc);
	return ret;
}

static void describe(struct sg_buf *out, const struct probe *p)
{
	sg_buf_addf(out, "%s: ", p->url);
	sg_http_describe(out, &p->res);
}

static int check_health(struct target *tg)
{
	const struct sg_deployment *dep = tg->t.deployment;
	const char *env = tg->t.upstream_env;
	struct sg_buf url = SG_BUF_INIT, what = SG_BUF_INIT;
	unsigned long budget = dep->timeout_ms;
	struct probe *p = NULL;
	struct sg_diag *d;
	char *version = NULL;
	int ret = -1;

	if (!tg->t.upstream_url) {
		sg_config_error(tg->g->ctx->cfg, dep->node, "deployment '%s' has '%s' but no URL "
				"for '%s' in 'urls'", dep->name, dep->health ? "health" :
				"expect_version", env);
		goto out;
	}
	if (dep->health) {
		sg_http_join(&url, tg->t.upstream_url, dep->health);
		if (!(p = probe(tg->g, sg_buf_str(&url), budget)))
			goto out;
		describe(&what, p);
		if (!is_2xx(&p->res)) {
			d = add(tg, SG_ERROR, "staging-health", "%s health %s: %s is not up, so "
				"%s cannot be promoted", env, sg_buf_str(&what), env, tg->t.branch);
			if (p->res.status >= 300 && p->res.status < 400)
				sg_diag_set_hint(d, "redirects are not followed: give the final "
						 "URL in 'urls' and 'health'");
			else
				sg_diag_set_hint(d, "bring %s back and check it, then push again "
						 "(or, in an outage, use the audited override)", env);
			ret = 0;
			goto out;
		}
		add(tg, SG_NOTE, "staging-health", "health %s", sg_buf_str(&what));
		/* The version check gets what is left of the one time budget. */
		budget = p->res.elapsed_ms < budget ? budget - (unsigned long)p->res.elapsed_ms : 1;
		version = json_version(&p->res.body);
	}
	if (!dep->expect_version) {
		ret = 0;
		goto out;
	}
	if (!version) {
		sg_buf_reset(&url);
		sg_buf_reset(&what);
		sg_http_join(&url, tg->t.upstream_url, tg->g->version_path ?
			     tg->g->version_path : DEFAULT_VERSION_PATH);
		if (!(p = probe(tg->g, sg_buf_str(&url), budget)))
			goto out;
		describe(&what, p);
		if (!is_2xx(&p->res)) {
			d = add(tg, SG_ERROR, "staging-version", "%s version %s: cannot tell which "
				"version %s runs", env, sg_buf_str(&what), env);
			sg_diag_set_hint(d, "staging_gate.version_path names where the JSON "
					 "'version' is served (default %s)", DEFAULT_VERSION_PATH);
			ret = 0;
			goto out;
		}
		version = json_version(&p->res.body);
	}
	if (!version) {
		d = add(tg, SG_ERROR, "staging-version", "%s version %s: the answer has no JSON "
			"'version'", env, p->url);
		sg_diag_set_hint(d, "staging_gate.version_path names where the JSON 'version' "
				 "is served (default %s)", DEFAULT_VERSION_PATH);
	} else if (strcmp(version, dep->expect_version)) {
		d = add(tg, SG_ERROR, "staging-version", "%s runs version %s, expected %s (%s)",
			env, version, dep->expect_version, p->url);
		sg_diag_set_hint(d, "deploy %s to %s and test it there first, or update "
				 "expect_version", dep->expect_version, env);
	} else {
		add(tg, SG_NOTE, "staging-version", "%s runs version %s", env, version);
	}
	ret = 0;
out:
	free(version);
	sg_buf_release(&url);
	sg_buf_release(&what);
	return ret;
}

/* The upstream's tip as this stage sees it (as the promotion check reads it): 1 found,
 * 0 not there. */
/* 1 when the upstream's tip (as promotion reads it) is known. */
static int find_upstream(struct target *tg)
{
	return sg_check_upstream_tip(&tg->up, &tg->up_ref, tg->g->ctx, tg->t.upstream) == 0;
}

/*
 * The upstream commits whose tree is the new tip's: a note on any of them counts. near: stop
 * after the first run of them (the commit promoted and any empty commits on it), which is
 * what a promotion takes in practice; a 100,000-commit walk is for when that is not enough.
 * A later call goes on from where the last one stopped, appending to tg->cands.
 */
static int find_candidates(struct target *tg, int near)
{
	git_repository *repo = tg->g->ctx->repo;
	git_commit *tip = NULL;
	git_oid oid;
	int err = 0;

	if (!tg->walk) {
		if ((err = git_commit_lookup(&tip, repo, &tg->u->new_oid)) < 0)
			return sg_error_git(err, "cannot read the pushed commit");
		git_oid_cpy(&tg->tree, git_commit_tree_id(tip));
		git_commit_free(tip);
		if ((err = git_revwalk_new(&tg->walk, repo)) < 0 ||
		    (err = git_revwalk_push(tg->walk, &tg->up)) < 0)
			goto fail;
	}
	while (!tg->walked) {
		git_commit *c = NULL;
		int same;

		if (tg->seen == WALK_LIMIT || (err = git_revwalk_next(&oid, tg->walk)) ==
		    GIT_ITEROVER) {
			tg->walked = 1;
			break;
		}
		if (err < 0)
			goto fail;
		tg->seen++;
		if ((err = git_commit_lookup(&c, repo, &oid)) < 0)
			goto fail;
		same = git_oid_equal(git_commit_tree_id(c), &tg->tree);
		git_commit_free(c);
		if (same) {
			SG_GROW(tg->cands, tg->acands, tg->ncands + 1);
			git_oid_cpy(&tg->cands[tg->ncands++], &oid);
		} else if (near && tg->ncands) {
			break;
		}
	}
	return 0;
fail:
	return sg_error_git(err, "cannot walk the history of '%s'", tg->up_ref);
}

static int reflog_of(git_reflog **out, struct gate *g, const char *ref)
{
	size_t i;

	for (i = 0; i < g->nlogs; i++) {
		if (!strcmp(g->logs[i].ref, ref)) {
			*out = g->logs[i].log;
			return 0;
		}
	}
	if (sg_soak_read(out, g->ctx->repo, ref) < 0)
		return -1;
	SG_GROW(g->logs, g->alogs, g->nlogs + 1);
	g->logs[g->nlogs].ref = sg_strdup(ref);
	g->logs[g->nlogs++].log = *out;
	return 0;
}

static int load_notes(struct gate *g)
{
	if (g->notes_loaded)
		return 0;
	g->notes_loaded = 1;
	return sg_attest_notes_commit(&g->notes, g->ctx->repo, &g->ctx->updates) < 0 ? -1 : 0;
}

/* The attestations for the upstream's environment on any candidate; the latest decides. */
struct verdict {
	const struct sg_attestation *latest;
	const struct sg_attestation *first_pass;	/* earliest passing one, for soak */
	const struct sg_attestation *future_pass;	/* a passing one dated after now */
};

struct assessment {
	struct sg_attestations all;
	struct verdict v;
	size_t attested;		/* candidates whose notes are in all */
	size_t soaked;			/* candidates the reflog was asked about */
	int reflog_dated;
	long long reflog_since;
	long long since;
	int dated, from_attestation;
};

/* Read the notes of the candidates not read yet. */
static int read_attestations(struct target *tg, struct assessment *as)
{
	struct verdict *v = &as->v;
	size_t i;

	if (as->attested == tg->ncands)
		return 0;
	if (load_notes(tg->g) < 0)
		return -1;
	for (i = as->attested; i < tg->ncands; i++)
		if (sg_attest_read(&as->all, tg->g->ctx->repo, tg->g->notes, &tg->cands[i]) < 0)
			return -1;
	as->attested = tg->ncands;
	/* Pointers into all.v are taken only now: reading may move it. */
	memset(v, 0, sizeof(*v));
	for (i = 0; i < as->all.n; i++) {
		const struct sg_attestation *a = &as->all.v[i];

		if (strcmp(a->env, tg->t.upstream_env))
			continue;
		if (!v->latest || a->time >= v->latest->time)
			v->latest = a;
		if (strcmp(a->result, "pass"))
			continue;
		/* The time is the attestor's word; one from the future would let a soak
		 * start before the commit existed, or never end. */
		if (a->time > tg->g->now)
			v->future_pass = a;
		else if (!v->first_pass || a->time < v->first_pass->time)
			v->first_pass = a;
	}
	return 0;
}

static void check_attestation(struct target *tg, const struct verdict *v)
{
	const char *env = tg->t.upstream_env;
	struct sg_buf when = SG_BUF_INIT;
	struct sg_diag *d;
	char h[8];

	if (!v->latest) {
		d = add(tg, SG_ERROR, "staging-attestation", "no attestation that %s tested %s: "
			"promotion.require_attestation needs a passing 'stagegate attest %s' on "
			"the %s commit %s takes", env, sg_oid_short(h, &tg->cands[0]), env, env,
			tg->t.branch);
		sg_diag_set_hint(d, "the %s deploy job runs 'stagegate attest %s %s --push "
				 "origin' after its tests; push refs/notes/stagegate", env, env, h);
		return;
	}
	sg_attest_time_format(&when, v->latest->time);
	if (strcmp(v->latest->result, "pass")) {
		d = add(tg, SG_ERROR, "staging-attestation", "%s attested %s by %s at %s%s%s",
			env, v->latest->result, v->latest->user, sg_buf_str(&when),
			v->latest->message ? ": " : "", v->latest->message ? v->latest->message : "");
		sg_diag_set_hint(d, "fix it on %s and let its tests pass before promoting", env);
	} else {
		add(tg, SG_NOTE, "staging-attestation", "attested pass by %s at %s%s%s",
		    v->latest->user, sg_buf_str(&when), v->latest->message ? ": " : "",
		    v->latest->message ? v->latest->message : "");
	}
	sg_buf_release(&when);
}

static void report_soak(struct target *tg, int dated, long long since, int from_attestation,
			const struct sg_attestation *future)
{
	unsigned long need = tg->g->ctx->cfg->promotion.soak_minutes;
	const char *env = tg->t.upstream_env;
	char d1[32], d2[32], h[8];
	struct sg_diag *d;
	long long t;

	if (!dated && future) {
		struct sg_buf when = SG_BUF_INIT;

		sg_attest_time_format(&when, future->time);
		d = add(tg, SG_ERROR, "staging-soak", "cannot tell how long %s has been on %s: "
			"no reflog entry of %s contains it and its passing attestation is dated "
			"%s, in the future", sg_oid_short(h, &tg->cands[0]), env, tg->up_ref,
			sg_buf_str(&when));
		sg_diag_set_hint(d, "fix the clock of the job that attested, or set "
				 "core.logAllRefUpdates=always on the server (install.sh --server "
				 "does)");
		sg_buf_release(&when);
		return;
	}
	if (!dated) {
		d = add(tg, SG_ERROR, "staging-soak", "cannot tell how long %s has been on %s: "
			"no reflog entry of %s contains it and no passing attestation dates it",
			sg_oid_short(h, &tg->cands[0]), env, tg->up_ref);
		sg_diag_set_hint(d, "set core.logAllRefUpdates=always on the server "
				 "(install.sh --server does) or attest with 'stagegate attest %s'",
				 env);
		return;
	}
	t = tg->g->now - since;
	if (t < (long long)need * 60) {
		long long left = (long long)need * 60 - t;

		d = add(tg, SG_ERROR, "staging-soak", "soaked %s on %s, needs %lu min: %s left "
			"(from %s%s)", sg_soak_duration(d1, sizeof(d1), t), env, need,
			sg_soak_duration(d2, sizeof(d2), left + 59),
			from_attestation ? "its attestation" : "the reflog of ",
			from_attestation ? "" : tg->up_ref);
		sg_diag_set_hint(d, "promotion.soak_minutes is %lu: wait, then push again", need);
	} else {
		add(tg, SG_NOTE, "staging-soak", "soaked %s (needs %lu min)",
		    sg_soak_duration(d1, sizeof(d1), t), need);
	}
}

/*
 * Judge the candidates not judged yet (earlier calls' answers are kept): the reflog first,
 * the notes only when an attestation is required or the reflog dates none of them. 1 when
 * everything asked for is satisfied.
 */
static int assess(struct target *tg, struct assessment *as)
{
	const struct sg_promotion *p = &tg->g->ctx->cfg->promotion;
	int ok = 1;

	if (p->soak_minutes && as->soaked < tg->ncands) {
		git_reflog *log = NULL;
		long long t;
		int r;

		if (reflog_of(&log, tg->g, tg->up_ref) < 0)
			return -1;
		r = sg_soak_since(&t, tg->g->ctx->repo, log, tg->cands + as->soaked,
				  tg->ncands - as->soaked);
		as->soaked = tg->ncands;
		if (r && (!as->reflog_dated || t < as->reflog_since)) {
			as->reflog_since = t;
			as->reflog_dated = 1;
		}
	}
	if ((p->require_attestation || (p->soak_minutes && !as->reflog_dated)) &&
	    read_attestations(tg, as) < 0)
		return -1;
	if (p->require_attestation)
		ok &= as->v.latest && !strcmp(as->v.latest->result, "pass");
	if (p->soak_minutes) {
		as->dated = 1;
		as->from_attestation = 0;
		if (as->reflog_dated) {
			as->since = as->reflog_since;
		} else if (as->v.first_pass) {
			/* Without a reflog whoever can push notes sets this clock. */
			as->since = as->v.first_pass->time;
			as->from_attestation = 1;
		} else {
			as->dated = 0;
		}
		ok &= as->dated && tg->g->now - as->since >= (long long)p->soak_minutes * 60;
	}
	return ok;
}

static int gate_one(struct target *tg)
{
	const struct sg_config *cfg = tg->g->ctx->cfg;
	const struct sg_deployment *dep = tg->t.deployment;
	int want_attest = cfg->promotion.require_attestation;
	int want_soak = cfg->promotion.soak_minutes > 0;
	struct assessment as;
	struct sg_diag *d;
	char h[8];
	int r, ret = -1;

	memset(&as, 0, sizeof(as));
	if (!dep->health && !dep->expect_version && !want_attest && !want_soak) {
		add(tg, SG_NOTE, "staging-gate", "nothing to check: no health, expect_version, "
		    "require_attestation or soak_minutes configured");
		return 0;
	}
	if ((dep->health || dep->expect_version) && check_health(tg) < 0)
		return -1;
	if (!want_attest && !want_soak)
		return 0;

	if (!find_upstream(tg)) {
		d = add(tg, SG_ERROR, "staging-gate", "cannot see '%s', the upstream of '%s': "
			"nothing shows that it ran there", tg->t.upstream, tg->t.branch);
		if (tg->g->ctx->stage == SG_STAGE_PRE_PUSH)
			sg_diag_set_hint(d, "git fetch %s, then push again",
					 tg->g->ctx->remote ? tg->g->ctx->remote : "origin");
		else
			sg_diag_set_hint(d, "push '%s' first", tg->t.upstream);
		return 0;
	}
	if (find_candidates(tg, 1) < 0)
		return -1;
	if (!tg->ncands) {
		d = add(tg, SG_ERROR, "staging-gate", "no commit of '%s' has the content of %s: "
			"%s never ran it, so it has no attestation or soak time",
			tg->t.upstream, sg_oid_short(h, &tg->u->new_oid), tg->t.upstream_env);
		sg_diag_set_hint(d, "merge %s into %s instead", tg->t.upstream, tg->t.branch);
		return 0;
	}
	r = assess(tg, &as);
	if (r == 0) {
		/* Not enough on the nearest commits: an older one with the same tree may have
		 * the note or the reflog entry (a revert to an attested state). The walk and
		 * the assessment go on from where they stopped. */
		size_t near = tg->ncands;

		if (find_candidates(tg, 0) < 0)
			goto out;
		if (tg->ncands > near)
			r = assess(tg, &as);
	}
	if (r < 0)
		goto out;
	if (want_attest)
		check_attestation(tg, &as.v);
	if (want_soak)
		report_soak(tg, as.dated, as.since, as.from_attestation, as.v.future_pass);
	ret = 0;
out:
	sg_attestations_release(&as.all);
	return ret;
}

static int run(struct sg_check_ctx *ctx)
{
	struct gate g;
	size_t i;
	int ret = -1;

	/* A pending local commit is no promotion yet; pushes and CI are. */
	if (ctx->stage == SG_STAGE_PRE_COMMIT || ctx->stage == SG_STAGE_PRE_MERGE_COMMIT)
		return 0;
	memset(&g, 0, sizeof(g));
	g.ctx = ctx;
	g.now = (long long)time(NULL);
	if (parse_section(&g) < 0)
		goto out;
	for (i = 0; i < ctx->updates.n; i++) {
		const struct sg_update *u = &ctx->updates.v[i];
		struct target tg;
		int r;

		if (strncmp(u->ref, "refs/heads/", 11) || sg_oid_is_zero(&u->new_oid))
			continue;
		memset(&tg, 0, sizeof(tg));
		tg.g = &g;
		tg.u = u;
		r = sg_config_resolve(&tg.t, ctx->cfg, sg_ref_branch(u->ref), 0);
		if (r < 0)
			goto out;
		if (!r)
			continue;
		r = gate_one(&tg);
		sg_target_release(&tg.t);
		free(tg.up_ref);
		free(tg.cands);
		git_revwalk_free(tg.walk);
		if (r < 0)
			goto out;
	}
	ret = sg_override_apply(ctx);
out:
	for (i = 0; i < g.nprobes; i++) {
		free(g.probes[i].url);
		sg_http_result_release(&g.probes[i].res);
	}
	free(g.probes);
	for (i = 0; i < g.nlogs; i++) {
		free(g.logs[i].ref);
		git_reflog_free(g.logs[i].log);
	}
	free(g.logs);
	free(g.ca_file);
	free(g.version_path);
	git_commit_free(g.notes);
	return ret;
}

static const struct sg_check_def gate = {
	"staging-gate",
	"Prod takes only what a healthy staging ran, attested and soaked.",
	NULL, 0, run
};

int main(int argc, char **argv)
{
	return sg_check_main(argc, argv, &gate);
}

/*
 * The promotion check: a later stage of a chain (prod) only takes what its upstream (staging)
 * already had. Server side against the upstream as it was before this push; client side
 * against the remote-tracking ref; pre-commit and pre-merge-commit refuse direct commits and
 * merges of anything but the upstream.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "check.h"
#include "override.h"
#include "repo.h"
#include "banned.h"

/* Commits beyond this many in one promotion are not listed one by one. */
#define LIST_LIMIT 10
#define WALK_LIMIT 100000

/* A commit of the upstream's history and its tree. */
struct seen {
	git_oid tree;
	git_oid commit;
};

/*
 * The upstream's history, walked once and only as far as needed: the common promotions
 * (fast-forward, merge of the tip) match on the first commit; a refusal or a squash check
 * finishes the walk, after which the pairs are sorted by tree for lookups.
 */
struct history {
	git_revwalk *walk;		/* NULL before the first lookup */
	struct seen *v;
	size_t n, alloc;
	int done;			/* walked to the end (or WALK_LIMIT): v sorted by tree */
};

static int seen_cmp(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct seen *)a)->tree, &((const struct seen *)b)->tree);
}

struct promo {
	struct sg_check_ctx *ctx;
	const struct sg_update *u;
	struct sg_target t;
	git_oid up;			/* the upstream's tip before this push */
	char *up_ref;			/* where that tip was read */
	struct history hist;		/* the upstream's history, walked lazily */
	git_oid match;			/* the upstream commit whose tree the tip has */
};

static struct sg_diag *refuse(struct promo *pr, const char *rule, const char *fmt, ...)
	SG_PRINTF(3, 4);

static struct sg_diag *refuse(struct promo *pr, const char *rule, const char *fmt, ...)
{
	struct sg_diag *d;
	va_list ap;

	va_start(ap, fmt);
	d = sg_diags_addv(&pr->ctx->diags, SG_ERROR, rule, fmt, ap);
	va_end(ap);
	sg_diag_set_ref(d, pr->u->ref, NULL);
	return d;
}

static int find_upstream(struct promo *pr)
{
	return sg_check_upstream_tip(&pr->up, &pr->up_ref, pr->ctx, pr->t.upstream);
}

/*
 * Find an upstream commit whose tree is `tree` (the newest, when several), walking no further
 * than it must. 1 found (*commit set, if given), 0 not found, -1 error.
 */
static int upstream_has_tree(struct promo *pr, const git_oid *tree, git_oid *commit)
{
	struct history *h = &pr->hist;
	git_repository *repo = pr->ctx->repo;
	git_oid oid;
	size_t i;
	int err = 0;

	if (h->done) {
		struct seen key, *hit;

		git_oid_cpy(&key.tree, tree);
		hit = h->n ? bsearch(&key, h->v, h->n, sizeof(*h->v), seen_cmp) : NULL;
		if (hit && commit)
			git_oid_cpy(commit, &hit->commit);
		return hit != NULL;
	}
	for (i = 0; i < h->n; i++) {
		if (git_oid_equal(&h->v[i].tree, tree)) {
			if (commit)
				git_oid_cpy(commit, &h->v[i].commit);
			return 1;
		}
	}
	if (!h->walk && ((err = git_revwalk_new(&h->walk, repo)) < 0 ||
			 (err = git_revwalk_push(h->walk, &pr->up)) < 0))
		goto fail;
	while (h->n < WALK_LIMIT && (err = git_revwalk_next(&oid, h->walk)) == 0) {
		git_commit *c = NULL;
		struct seen *sn;

		if ((err = git_commit_lookup(&c, repo, &oid)) < 0)
			goto fail;
		SG_GROW(h->v, h->alloc, h->n + 1);
		sn = &h->v[h->n++];
		git_oid_cpy(&sn->tree, git_commit_tree_id(c));
		git_oid_cpy(&sn->commit, &oid);
		git_commit_free(c);
		if (git_oid_equal(&sn->tree, tree)) {
			if (commit)
				git_oid_cpy(commit, &oid);
			return 1;
		}
	}
	if (err && err != GIT_ITEROVER)
		goto fail;
	/* qsort is not stable: for a tree several commits share, any of them may be named
	 * from here on, and every one of them is in the upstream. */
	qsort(h->v, h->n, sizeof(*h->v), seen_cmp);
	h->done = 1;
	git_revwalk_free(h->walk);
	h->walk = NULL;
	return 0;
fail:
	return sg_error_git(err, "cannot walk the history of '%s'", pr->up_ref);
}

static void history_release(struct history *h)
{
	git_revwalk_free(h->walk);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

static int commit_tree(git_oid *out, git_repository *repo, const git_oid *commit)
{
	git_commit *c = NULL;
	int err = git_commit_lookup(&c, repo, commit);

	if (err < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), commit);
		return sg_error_git(err, "cannot read commit %s (is the push complete?)", hex);
	}
	git_oid_cpy(out, git_commit_tree_id(c));
	git_commit_free(c);
	return 0;
}

/* The upstream's tip cannot be read: nothing can be judged as coming from it. */
static int refuse_no_upstream(struct promo *pr)
{
	const struct sg_check_ctx *ctx = pr->ctx;
	const char *up = pr->t.upstream;
	struct sg_diag *d;

	d = refuse(pr, "promotion-no-upstream", "cannot see '%s', the upstream of '%s': "
		   "nothing can be promoted from it", up, pr->t.branch);
	if (sg_stage_is_server(ctx->stage))
		sg_diag_set_hint(d, "push '%s' first", up);
	else
		sg_diag_set_hint(d, "run 'git fetch %s' so that %s's state is known",
				 ctx->remote ? ctx->remote : "origin", up);
	return 0;
}

/* A merge is "of the upstream" when one of its other parents is in the upstream's history. */
static int is_merge_of_upstream(struct promo *pr, git_commit *c)
{
	unsigned i, n = git_commit_parentcount(c);

	for (i = 1; i < n; i++) {
		int r = sg_repo_is_ancestor(pr->ctx->repo, git_commit_parent_id(c, i), &pr->up);

		if (r != 0)
			return r;
	}
	return 0;
}

/* Every commit that prod gets and staging never had must be a merge or squash of staging. */
static int check_new_commits(struct promo *pr)
{
	git_repository *repo = pr->ctx->repo;
	git_revwalk *walk = NULL;
	git_oid oid;
	size_t named = 0, more = 0;
	int err, ret = -1;

	if ((err = git_revwalk_new(&walk, repo)) < 0 ||
	    (err = git_revwalk_push(walk, &pr->u->new_oid)) < 0 ||
	    (err = git_revwalk_hide(walk, &pr->up)) < 0 ||
	    (!git_oid_is_zero(&pr->u->old_oid) &&
	     (err = git_revwalk_hide(walk, &pr->u->old_oid)) < 0)) {
		sg_error_git(err, "cannot walk the pushed commits");
		goto cleanup;
	}
	while ((err = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL;
		char hex[8];
		int r;

		if ((err = git_commit_lookup(&c, repo, &oid)) < 0) {
			sg_error_git(err, "cannot read a pushed commit");
			goto cleanup;
		}
		r = git_commit_parentcount(c) > 1 ? is_merge_of_upstream(pr, c) : 0;
		if (r == 0 && git_commit_parentcount(c) <= 1)
			/* A squash merge: one commit whose tree staging had. */
			r = upstream_has_tree(pr, git_commit_tree_id(c), NULL);
		if (r < 0) {
			git_commit_free(c);
			goto cleanup;
		}
		if (!r) {
			if (named < LIST_LIMIT) {
				const char *subj = git_commit_summary(c);
				char full[GIT_OID_HEXSZ + 1];
				struct sg_diag *d;

				d = refuse(pr, "promotion-direct-commit",
					   "commit %s '%s' was made directly on %s, not on %s: %s "
					   "takes only merges of %s", sg_oid_short(hex, &oid),
					   subj ? subj : "", pr->t.branch, pr->t.upstream,
					   pr->t.branch, pr->t.upstream);
				git_oid_tostr(full, sizeof(full), &oid);
				sg_diag_set_ref(d, pr->u->ref, full);
				sg_diag_set_hint(d, "push it to %s first, then merge %s into %s",
						 pr->t.upstream, pr->t.upstream, pr->t.branch);
				named++;
			} else {
				more++;
			}
		}
		git_commit_free(c);
	}
	if (err != GIT_ITEROVER) {
		sg_error_git(err, "cannot walk the pushed commits");
		goto cleanup;
	}
	if (more)
		refuse(pr, "promotion-direct-commit", "and %zu more commits not from %s", more,
		       pr->t.upstream);
	ret = 0;

cleanup:
	git_revwalk_free(walk);
	return ret;
}

static int check_push(struct promo *pr)
{
	struct sg_check_ctx *ctx = pr->ctx;
	const struct sg_update *u = pr->u;
	const char *b = pr->t.branch, *up = pr->t.upstream;
	size_t errors_before = sg_diags_count(&ctx->diags, SG_ERROR);
	char h1[8], h2[8];
	git_oid tree, old_tree;
	struct sg_diag *d;
	int r;

	if (git_oid_is_zero(&u->new_oid)) {
		d = refuse(pr, "promotion-delete", "deleting '%s' is refused: it is a protected "
			   "stage of %s", b, pr->t.deployment->name);
		sg_diag_set_hint(d, "a protected branch is never deleted through a push; ask "
				 "the server's admin");
		return 0;
	}
	if (!git_oid_is_zero(&u->old_oid)) {
		r = sg_repo_is_ancestor(ctx->repo, &u->old_oid, &u->new_oid);
		if (r < 0)
			return -1;
		if (!r) {
			d = refuse(pr, "promotion-non-ff", "non-fast-forward update of '%s' "
				   "(%s..%s) is refused: history of a protected stage is never "
				   "rewritten", b, sg_oid_short(h1, &u->old_oid),
				   sg_oid_short(h2, &u->new_oid));
			sg_diag_set_hint(d, "fetch and merge instead of forcing: git pull, then "
					 "merge %s", up);
			return 0;
		}
	}
	r = find_upstream(pr);
	if (r < 0)
		return -1;
	if (r > 0)
		return refuse_no_upstream(pr);

	if (commit_tree(&tree, ctx->repo, &u->new_oid) < 0)
		return -1;
	r = upstream_has_tree(pr, &tree, &pr->match);
	if (r < 0)
		return -1;
	if (!r && !git_oid_is_zero(&u->old_oid)) {
		/* A no-op merge keeps the tree prod already had, which staging had then. */
		if (commit_tree(&old_tree, ctx->repo, &u->old_oid) < 0)
			return -1;
		if (git_oid_equal(&tree, &old_tree)) {
			git_oid_cpy(&pr->match, &u->old_oid);
			r = 1;
		}
	}
	if (!r) {
		d = refuse(pr, "promotion-untested", "the new tip %s of '%s' has content that "
			   "'%s' never had (%s is at %s): it was not on %s first",
			   sg_oid_short(h1, &u->new_oid), b, up, pr->up_ref, sg_oid_short(h2, &pr->up),
			   up);
		sg_diag_set_hint(d, "push the change to %s, let it deploy and be tested there, "
				 "then merge %s into %s", up, up, b);
	}
	if (check_new_commits(pr) < 0)
		return -1;
	/* Errors of other refs of the same push do not make this one's match untrue. */
	if (r && sg_diags_count(&ctx->diags, SG_ERROR) == errors_before) {
		d = sg_diags_add(&ctx->diags, SG_NOTE, "promotion", "tip tree equals %s %s", up,
				 sg_oid_short(h1, &pr->match));
		sg_diag_set_ref(d, u->ref, NULL);
	}
	return 0;
}

/*
 * What is being merged. A conflicted merge being concluded (pre-commit) has MERGE_HEAD; an
 * automatic merge (pre-merge-commit) does not have it yet, but git names the merged revisions
 * in GIT_REFLOG_ACTION ("merge <rev>...") or, for a pull, in FETCH_HEAD.
 */
struct heads {
	git_oid v[16];
	size_t n;
	int unresolved;
};

static int merge_head_cb(const git_oid *oid, void *payload)
{
	struct heads *h = payload;

	if (h->n < 16)
		git_oid_cpy(&h->v[h->n++], oid);
	return 0;
}

static int fetch_head_cb(const char *ref, const char *url, const git_oid *oid,
			 unsigned int is_merge, void *payload)
{
	(void)ref;
	(void)url;
	return is_merge ? merge_head_cb(oid, payload) : 0;
}

static void heads_from_reflog_action(struct heads *h, git_repository *repo)
{
	const char *action = getenv("GIT_REFLOG_ACTION");
	char *copy, *p, *word;

	if (!action)
		return;
	if (!strncmp(action, "pull", 4)) {
		if (git_repository_fetchhead_foreach(repo, fetch_head_cb, h) < 0)
			git_error_clear();
		return;
	}
	if (strncmp(action, "merge ", 6))
		return;
	copy = sg_strdup(action + 6);
	for (p = copy; (word = p) && *p; ) {
		git_oid oid;

		p += strcspn(p, " ");
		if (*p)
			*p++ = '\0';
		if (!*word || *word == '-')
			continue;
		if (sg_repo_resolve(&oid, repo, word) < 0) {
			h->unresolved = 1;
			continue;
		}
		merge_head_cb(&oid, h);
	}
	free(copy);
}

/* pre-commit: no direct commit on a protected branch, unless concluding a merge of the
 * upstream; pre-merge-commit: only the upstream may be merged in. */
static int check_local(struct promo *pr)
{
	struct sg_check_ctx *ctx = pr->ctx;
	const char *b = pr->t.branch, *up = pr->t.upstream;
	struct heads heads;
	struct sg_diag *d;
	char h[8];
	size_t i;
	int r;

	memset(&heads, 0, sizeof(heads));
	r = git_repository_mergehead_foreach(ctx->repo, merge_head_cb, &heads);
	if (r < 0 && r != GIT_ENOTFOUND)
		return sg_error_git(r, "cannot read MERGE_HEAD");
	git_error_clear();
	if (!heads.n && ctx->stage == SG_STAGE_PRE_MERGE_COMMIT)
		heads_from_reflog_action(&heads, ctx->repo);
	if (heads.unresolved) {
		d = refuse(pr, "promotion-merge-source", "cannot tell what is being merged into "
			   "'%s': git names '%s', which is not a revision here", b,
			   getenv("GIT_REFLOG_ACTION"));
		sg_diag_set_hint(d, "merge '%s' by its branch name", up);
		return 0;
	}
	if (!heads.n) {
		d = refuse(pr, "promotion-direct-commit",
			   ctx->stage == SG_STAGE_PRE_COMMIT ?
			   "committing directly on '%s' is refused: it takes only merges of '%s'" :
			   "cannot tell what is being merged into '%s'; it takes only merges of '%s'",
			   b, up);
		sg_diag_set_hint(d, "commit on %s (or a feature branch for it), then merge %s "
				 "into %s", up, up, b);
		return 0;
	}
	r = find_upstream(pr);
	if (r < 0)
		return -1;
	if (r > 0)
		return refuse_no_upstream(pr);
	for (i = 0; i < heads.n; i++) {
		r = sg_repo_is_ancestor(ctx->repo, &heads.v[i], &pr->up);
		if (r < 0)
			return -1;
		if (!r) {
			d = refuse(pr, "promotion-merge-source", "merging %s into '%s' is refused: "
				   "it is not on '%s', the only branch that may be merged into '%s'",
				   sg_oid_short(h, &heads.v[i]), b, up, b);
			sg_diag_set_hint(d, "abort with 'git merge --abort'; merge it into %s first",
					 up);
			return 0;
		}
	}
	d = sg_diags_add(&ctx->diags, SG_NOTE, "promotion", "merging %s from %s",
			 sg_oid_short(h, &heads.v[0]), up);
	sg_diag_set_ref(d, pr->u->ref, NULL);
	return 0;
}

static int run(struct sg_check_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->updates.n; i++) {
		struct promo pr;
		const struct sg_update *u = &ctx->updates.v[i];
		int r;

		if (strncmp(u->ref, "refs/heads/", 11))
			continue;
		memset(&pr, 0, sizeof(pr));
		pr.ctx = ctx;
		pr.u = u;
		r = sg_config_resolve(&pr.t, ctx->cfg, sg_ref_branch(u->ref), 0);
		if (r < 0)
			return -1;
		if (!r)
			continue;
		/* Judging ancestry on a cut history would be a guess. */
		if (sg_repo_require_history(ctx->repo, "the promotion check") < 0)
			r = -1;
		else if (ctx->stage == SG_STAGE_PRE_COMMIT ||
			 ctx->stage == SG_STAGE_PRE_MERGE_COMMIT)
			r = check_local(&pr);
		else
			r = check_push(&pr);
		sg_target_release(&pr.t);
		free(pr.up_ref);
		history_release(&pr.hist);
		if (r < 0)
			return -1;
	}
	/* Only once every ref was judged: a check that failed to run is never overridden. */
	return sg_override_apply(ctx);
}

static const struct sg_check_def promotion = {
	"promotion",
	"Prod takes only what staging already had: no direct commits, no force-push, no deletion.",
	NULL, 0, run
};

int main(int argc, char **argv)
{
	return sg_check_main(argc, argv, &promotion);
}

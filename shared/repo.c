/*
 * Opening repositories the way hooks need and reading what a push brings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "regex.h"
#include "repo.h"
#include "update.h"
#include "banned.h"

static int add_alternates(git_repository *repo, const char *list)
{
	git_odb *odb = NULL;
	char *copy, *p, *next;
	int ret = 0;

	if (!list || !*list)
		return 0;
	if (git_repository_odb(&odb, repo) < 0)
		return sg_error_git(-1, "cannot open the object database");
	copy = sg_strdup(list);
	for (p = copy; p; p = next) {
		next = strchr(p, ':');
		if (next)
			*next++ = '\0';
		if (*p && git_odb_add_disk_alternate(odb, p) < 0) {
			ret = sg_error_git(-1, "cannot add object directory '%s'", p);
			break;
		}
	}
	free(copy);
	git_odb_free(odb);
	return ret;
}

/*
 * libgit2's FROM_ENV refuses GIT_COMMON_DIR and GIT_WORK_TREE, which git sets for hooks in
 * linked worktrees. Open GIT_DIR directly then (libgit2 follows a worktree's commondir file
 * itself) and add the object directories git named by hand.
 */
static int open_explicit(git_repository **out, const char *gitdir)
{
	const char *wt = getenv("GIT_WORK_TREE");
	int err;

	err = git_repository_open_ext(out, gitdir ? gitdir : ".",
				      gitdir ? GIT_REPOSITORY_OPEN_NO_SEARCH : 0, NULL);
	if (err < 0)
		return sg_error_git(err, "cannot open repository '%s'", gitdir ? gitdir : ".");
	if (wt && *wt && (err = git_repository_set_workdir(*out, wt, 0)) < 0) {
		sg_error_git(err, "cannot use GIT_WORK_TREE '%s'", wt);
		goto fail;
	}
	if (add_alternates(*out, getenv("GIT_OBJECT_DIRECTORY")) < 0 ||
	    add_alternates(*out, getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES")) < 0)
		goto fail;
	return 0;

fail:
	git_repository_free(*out);
	*out = NULL;
	return -1;
}

static int open_env(git_repository **out, int missing_ok)
{
	int err;

	*out = NULL;
	if (getenv("GIT_COMMON_DIR") || getenv("GIT_WORK_TREE"))
		return open_explicit(out, getenv("GIT_DIR"));
	err = git_repository_open_ext(out, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	if (err == GIT_ENOTFOUND && missing_ok) {
		git_error_clear();
		return SG_REPO_NOTFOUND;
	}
	if (err == GIT_ENOTFOUND)
		return sg_error("not in a git repository (or GIT_DIR is wrong); run inside "
				"a clone or set GIT_DIR");
	if (err < 0)
		return sg_error_git(err, "cannot open the repository");
	return 0;
}

int sg_repo_open(git_repository **out)
{
	return open_env(out, 0);
}

int sg_repo_open_optional(git_repository **out)
{
	return open_env(out, 1);
}

int sg_repo_open_path(git_repository **out, const char *path)
{
	int err = git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);

	if (err < 0)
		return sg_error_git(err, "cannot open repository '%s'", path);
	return 0;
}

int sg_repo_blob_at(git_oid *out, git_filemode_t *mode, git_repository *repo,
		    const git_oid *commit, const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int err, ret = -1;

	if (mode)
		*mode = 0;
	if ((err = git_commit_lookup(&c, repo, commit)) < 0 ||
	    (err = git_commit_tree(&tree, c)) < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), commit);
		sg_error_git(err, "cannot read commit %s", hex);
		goto cleanup;
	}
	err = git_tree_entry_bypath(&entry, tree, path);
	if (err == GIT_ENOTFOUND) {
		ret = SG_REPO_NOTFOUND;
		goto cleanup;
	}
	if (err < 0) {
		sg_error_git(err, "cannot look up '%s'", path);
		goto cleanup;
	}
	if (mode)
		*mode = git_tree_entry_filemode(entry);
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		ret = SG_REPO_NOTFOUND;
		goto cleanup;
	}
	git_oid_cpy(out, git_tree_entry_id(entry));
	ret = 0;

cleanup:
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	return ret;
}

int sg_repo_read_at(struct sg_buf *out, git_filemode_t *mode, git_repository *repo,
		    const git_oid *commit, const char *path)
{
	git_blob *blob = NULL;
	git_oid id;
	int err, ret = sg_repo_blob_at(&id, mode, repo, commit, path);

	if (ret != 0)
		return ret;
	if ((err = git_blob_lookup(&blob, repo, &id)) < 0)
		return sg_error_git(err, "cannot read '%s'", path);
	sg_buf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return 0;
}

static int add_path(const git_diff_delta *delta, float progress, void *payload)
{
	(void)progress;
	if (delta->status != GIT_DELTA_DELETED)
		sg_strv_push(payload, delta->new_file.path);
	return 0;
}

static int diff_trees(char ***p, git_repository *repo, git_tree *a, git_tree *b)
{
	git_diff *diff = NULL;
	int err = git_diff_tree_to_tree(&diff, repo, a, b, NULL);

	if (err < 0)
		return sg_error_git(err, "cannot compare trees");
	err = git_diff_foreach(diff, add_path, NULL, NULL, NULL, p);
	git_diff_free(diff);
	return err < 0 ? sg_error_git(err, "cannot list changed files") : 0;
}

static int tree_of(git_tree **out, git_repository *repo, const git_oid *commit)
{
	git_commit *c = NULL;
	int err = git_commit_lookup(&c, repo, commit);

	if (!err)
		err = git_commit_tree(out, c);
	git_commit_free(c);
	if (err < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), commit);
		return sg_error_git(err, "cannot read commit %s", hex);
	}
	return 0;
}

/* A new ref: every commit none of the `known` refs has, each against its first parent. */
static int new_commits_paths(char ***p, git_repository *repo, const git_oid *tip,
			     const char *const *known)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	size_t i;
	int err, ret = -1;

	if ((err = git_revwalk_new(&walk, repo)) < 0 ||
	    (err = git_revwalk_push(walk, tip)) < 0) {
		sg_error_git(err, "cannot walk the new commits");
		goto cleanup;
	}
	for (i = 0; known && known[i]; i++) {
		if ((err = git_revwalk_hide_glob(walk, known[i])) < 0) {
			sg_error_git(err, "cannot walk the new commits");
			goto cleanup;
		}
	}
	while ((err = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL;
		git_tree *t = NULL, *pt = NULL;
		git_commit *parent = NULL;
		int r;

		if ((err = git_commit_lookup(&c, repo, &oid)) < 0 ||
		    (err = git_commit_tree(&t, c)) < 0) {
			git_commit_free(c);
			sg_error_git(err, "cannot read a new commit");
			goto cleanup;
		}
		if (git_commit_parentcount(c) && git_commit_parent(&parent, c, 0) == 0)
			git_commit_tree(&pt, parent);
		r = diff_trees(p, repo, pt, t);
		git_tree_free(pt);
		git_commit_free(parent);
		git_tree_free(t);
		git_commit_free(c);
		if (r < 0)
			goto cleanup;
	}
	if (err != GIT_ITEROVER) {
		sg_error_git(err, "cannot walk the new commits");
		goto cleanup;
	}
	ret = 0;

cleanup:
	git_revwalk_free(walk);
	return ret;
}

int sg_repo_changed_paths(char ***out, git_repository *repo, const struct sg_update *u,
			  const char *const *known)
{
	char **p = NULL;
	git_tree *a = NULL, *b = NULL;
	int ret = -1;

	*out = NULL;
	if (git_oid_is_zero(&u->new_oid)) {
		*out = sg_calloc(1, sizeof(char *));
		return 0;
	}
	if (git_oid_is_zero(&u->old_oid)) {
		if (new_commits_paths(&p, repo, &u->new_oid, known) < 0)
			goto cleanup;
		/* Several new commits may touch the same path. */
		sg_strv_sort_unique(p);
	} else {
		if (tree_of(&a, repo, &u->old_oid) < 0 || tree_of(&b, repo, &u->new_oid) < 0 ||
		    diff_trees(&p, repo, a, b) < 0)
			goto cleanup;
	}
	if (!p)
		p = sg_calloc(1, sizeof(char *));
	*out = p;
	p = NULL;
	ret = 0;

cleanup:
	sg_strv_free(p);
	git_tree_free(a);
	git_tree_free(b);
	return ret;
}

int sg_repo_require_history(git_repository *repo, const char *why)
{
	if (git_repository_is_shallow(repo) == 1)
		return sg_error("history is shallow: %s needs full history; run 'git fetch "
				"--unshallow' (in GitHub Actions: actions/checkout with "
				"fetch-depth: 0)", why);
	return 0;
}

int sg_repo_is_ancestor(git_repository *repo, const git_oid *a, const git_oid *b)
{
	int r;

	if (git_oid_equal(a, b))
		return 1;
	r = git_graph_descendant_of(repo, b, a);
	if (r < 0)
		return sg_error_git(r, "cannot compare commits");
	return r;
}

int sg_repo_resolve(git_oid *out, git_repository *repo, const char *rev)
{
	git_object *obj = NULL, *peeled = NULL;
	int err = git_revparse_single(&obj, repo, rev);

	if (err == GIT_ENOTFOUND || err == GIT_EAMBIGUOUS) {
		git_object_free(obj);
		return sg_error("unknown revision '%s'%s", rev,
				err == GIT_EAMBIGUOUS ? " (ambiguous: give more digits)" : "");
	}
	if (err < 0)
		return sg_error_git(err, "cannot resolve '%s'", rev);
	err = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (err < 0)
		return sg_error_git(err, "'%s' does not name a commit", rev);
	git_oid_cpy(out, git_object_id(peeled));
	git_object_free(peeled);
	return 0;
}

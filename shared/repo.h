#ifndef SG_REPO_H
#define SG_REPO_H
/*
 * Repository access for hooks and checks: opening the repository git is running us in (with
 * quarantined objects and linked worktrees), reading files at a commit, and the paths a ref
 * update changes. libgit2's error convention is converted here.
 */
#include <stddef.h>
#include <git2.h>

struct sg_buf;
struct sg_update;

/* Open the repository of the environment (GIT_DIR, GIT_OBJECT_DIRECTORY, alternates, linked
 * worktrees) or found from the current directory. Caller frees with git_repository_free. */
int sg_repo_open(git_repository **out);

#define SG_REPO_NOTFOUND 1

/* The same, for commands that also work outside a repository: SG_REPO_NOTFOUND (and *out
 * NULL, nothing reported) when there is none; errors opening one that exists are errors. */
int sg_repo_open_optional(git_repository **out);
/* Open a repository at path (a work tree or a bare/.git directory). */
int sg_repo_open_path(git_repository **out, const char *path);

/* Read path as it is in commit's tree. Returns 0, SG_REPO_NOTFOUND when there is no such
 * blob, or -1 on error (reported). *mode (if given) receives the entry's mode even when it is
 * not a blob (a submodule, a directory): those return SG_REPO_NOTFOUND. */
int sg_repo_read_at(struct sg_buf *out, git_filemode_t *mode, git_repository *repo,
		    const git_oid *commit, const char *path);
/* The blob id of path in commit's tree, without reading the blob (to learn its size first
 * with git_odb_read_header). Returns as sg_repo_read_at. */
int sg_repo_blob_at(git_oid *out, git_filemode_t *mode, git_repository *repo,
		    const git_oid *commit, const char *path);

/* The paths (blobs added or modified, not deleted) that an update brings: old..new for an
 * update, and for a new ref the commits that none of the refs matching the `known` globs
 * (NULL-terminated) has. NULL-terminated, caller frees with sg_strv_free. */
int sg_repo_changed_paths(char ***out, git_repository *repo, const struct sg_update *u,
			  const char *const *known);

/* Returns 0, or -1 after saying how to get full history when repo is shallow. */
int sg_repo_require_history(git_repository *repo, const char *why);

/* 1 if commit a is an ancestor of (or equal to) b, 0 if not, -1 on error. */
int sg_repo_is_ancestor(git_repository *repo, const git_oid *a, const git_oid *b);
/* Resolve a revision ("HEAD~2", "refs/heads/x", a hex prefix) to a commit id. */
int sg_repo_resolve(git_oid *out, git_repository *repo, const char *rev);

#endif

#ifndef SG_ATTEST_H
#define SG_ATTEST_H
/*
 * Attestations: "the staging deploy job ran its tests on this commit, with this result",
 * stored as git notes under refs/notes/stagegate. One note holds one JSON object per line
 * ({"env","result","user","time","message"}), so several jobs can attest the same commit and
 * lines that are not ours survive untouched.
 */
#include <stddef.h>
#include <git2.h>

#include "buf.h"
#include "update.h"

#define SG_ATTEST_REF "refs/notes/stagegate"

struct sg_attestation {
	char *env;		/* "staging" */
	char *result;		/* "pass" or "fail" */
	char *user;
	char *message;		/* NULL when none */
	long long time;		/* seconds since the epoch, UTC */
};

struct sg_attestations {
	struct sg_attestation *v;
	size_t n, alloc;
};

void sg_attestation_release(struct sg_attestation *a);
void sg_attestations_release(struct sg_attestations *list);

/* One attestation as a JSON line, newline included. */
void sg_attest_format(struct sg_buf *out, const struct sg_attestation *a);
/* Parse one line. 0, or -1 (nothing reported) when it is not an attestation. */
int sg_attest_parse_line(struct sg_attestation *out, const char *line, size_t len);
/* Append every attestation line of a note's text to list; other lines are skipped. */
void sg_attest_parse_note(struct sg_attestations *list, const char *text);

/* "2024-05-01T12:00:00Z" and back. parse returns 0 or -1. */
void sg_attest_time_format(struct sg_buf *out, long long t);
int sg_attest_time_parse(long long *out, const char *s);

/*
 * The notes commit a check must read: the new value of refs/notes/stagegate when this push
 * updates it (in pre-receive the ref is not moved yet, its objects are in quarantine), else
 * the ref itself. Returns 1 with *out (caller frees with git_commit_free), 0 when there are
 * no notes, -1 on error (reported).
 */
int sg_attest_notes_commit(git_commit **out, git_repository *repo,
			   const struct sg_updates *updates);

/* Append the attestations that notes holds for commit to list. notes may be NULL (none).
 * Returns 0 or -1 (reported). */
int sg_attest_read(struct sg_attestations *list, git_repository *repo, git_commit *notes,
		   const git_oid *commit);

/* Make a notes commit on top of parent (NULL: the first one) whose note for target is the
 * old note plus a's line. *out receives the new notes commit; no ref is moved. */
int sg_attest_write(git_oid *out, git_repository *repo, git_commit *parent,
		    const git_oid *target, const struct sg_attestation *a,
		    const git_signature *sig);

#endif

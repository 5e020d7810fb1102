/*
 * Reflog reading for the soak rule. Reachability, not tip equality: staging moves on after a
 * commit lands, and the commit is still running there as part of everything after it.
 */
#include <stdio.h>

#include "msg.h"
#include "soak.h"
#include "banned.h"

static int contains(git_repository *repo, const git_oid *tip, const git_oid *commit)
{
	int r;

	if (git_oid_is_zero(tip))
		return 0;
	if (git_oid_equal(tip, commit))
		return 1;
	r = git_graph_descendant_of(repo, tip, commit);
	if (r < 0) {
		/* An old tip whose objects were pruned cannot contain a live commit. */
		git_error_clear();
		return 0;
	}
	return r;
}

int sg_soak_since(long long *since, git_repository *repo, const char *ref,
		  const git_oid *commit)
{
	git_reflog *log = NULL;
	size_t i, n;
	int err, found = 0;

	err = git_reflog_read(&log, repo, ref);
	if (err < 0)
		return sg_error_git(err, "cannot read the reflog of '%s'", ref);
	n = git_reflog_entrycount(log);
	/* Index 0 is the newest entry. */
	for (i = 0; i < n; i++) {
		const git_reflog_entry *e = git_reflog_entry_byindex(log, i);
		const git_signature *who = git_reflog_entry_committer(e);

		if (!contains(repo, git_reflog_entry_id_new(e), commit))
			break;
		*since = (long long)who->when.time;
		found = 1;
	}
	git_reflog_free(log);
	return found;
}

const char *sg_soak_duration(char *buf, size_t size, long long s)
{
	long long m = s / 60;

	if (s < 0)
		m = 0;
	if (m < 60)
		snprintf(buf, size, "%lld min", m);
	else if (m < 24 * 60)
		snprintf(buf, size, "%lld h %lld min", m / 60, m % 60);
	else
		snprintf(buf, size, "%lld d %lld h", m / (24 * 60), m / 60 % 24);
	return buf;
}

/*
 * Reflog reading for the soak rule. Reachability, not tip equality: staging moves on after a
 * commit lands, and the commit is still running there as part of everything after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int sg_soak_read(git_reflog **out, git_repository *repo, const char *ref)
{
	int err = git_reflog_read(out, repo, ref);

	if (err < 0)
		return sg_error_git(err, "cannot read the reflog of '%s'", ref);
	return 0;
}

int sg_soak_since(long long *since, git_repository *repo, git_reflog *log,
		  const git_oid *commits, size_t n)
{
	size_t i, j, entries = git_reflog_entrycount(log), alive = n;
	char *running = sg_calloc(n ? n : 1, 1);
	int found = 0;

	memset(running, 1, n);
	/* Index 0 is the newest entry. A commit drops out at the first entry that does not
	 * contain it; the walk ends when every commit has. */
	for (i = 0; i < entries && alive; i++) {
		const git_reflog_entry *e = git_reflog_entry_byindex(log, i);
		long long when = (long long)git_reflog_entry_committer(e)->when.time;

		for (j = 0; j < n; j++) {
			if (!running[j])
				continue;
			if (!contains(repo, git_reflog_entry_id_new(e), &commits[j])) {
				running[j] = 0;
				alive--;
				continue;
			}
			if (!found || when < *since)
				*since = when;
			found = 1;
		}
	}
	free(running);
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

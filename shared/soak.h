#ifndef SG_SOAK_H
#define SG_SOAK_H
/*
 * Soak time: how long a commit has been on a branch, from that branch's reflog. A server
 * with core.logAllRefUpdates=always (install.sh --server sets it) logs every push.
 */
#include <git2.h>

/*
 * Since when commit has been ref's tip or reachable from it without a break, judged from
 * ref's reflog: the entries are read newest first until one that does not contain commit.
 * Returns 1 with *since (seconds since the epoch), 0 when the reflog is missing or has no
 * entry containing commit, -1 on error (reported).
 */
int sg_soak_since(long long *since, git_repository *repo, const char *ref,
		  const git_oid *commit);

/* "42 min", "2 h 5 min", "3 d 4 h" for a duration in seconds, into a caller buffer. */
const char *sg_soak_duration(char *buf, size_t size, long long seconds);

#endif

#ifndef SG_SOAK_H
#define SG_SOAK_H
/*
 * Soak time: how long a commit has been on a branch, from that branch's reflog. A server
 * with core.logAllRefUpdates=always (install.sh --server sets it) logs every push.
 */
#include <git2.h>

/* Read ref's reflog once, for any number of sg_soak_since questions. A ref without a
 * reflog gives an empty one. *out is freed with git_reflog_free. Returns 0 or -1 (reported). */
int sg_soak_read(git_reflog **out, git_repository *repo, const char *ref);

/*
 * Since when any of the n commits has been the ref's tip or reachable from it without a
 * break, judged from the ref's reflog log: the entries are read newest first, each tested
 * against every commit still in the running, until none is. Returns 1 with the earliest such
 * time in *since (seconds since the epoch), 0 when no entry contains any of the commits.
 */
int sg_soak_since(long long *since, git_repository *repo, git_reflog *log,
		  const git_oid *commits, size_t n);

/* "42 min", "2 h 5 min", "3 d 4 h" for a duration in seconds, into a caller buffer. */
const char *sg_soak_duration(char *buf, size_t size, long long seconds);

#endif

#ifndef SG_CHARTSRC_H
#define SG_CHARTSRC_H
/*
 * A chart's source repository: which paths version the chart (given, or derived from the
 * chartpress.yaml of the commit a version names), the commit where they last changed under
 * git's default history simplification, and the verdict on one chart version.
 */
#include <stddef.h>
#include <git2.h>

#include "chartver.h"

struct sg_buf;
struct sg_helmindex;

#define SG_CHARTSRC_NONE 1	/* no commit in the history touches the paths */

/*
 * What one run has already computed, keyed by what determines it: ancestor counts by commit
 * id, chartpress paths by the chartpress.yaml blob id (with the chart and the layout), last
 * changes by start commit and paths. Object ids name content, so one cache serves every
 * source repository of a run. Allocated by sg_chartsrc_cache_new, freed with
 * sg_chartsrc_cache_free (NULL is fine).
 */
struct sg_chartsrc_cache;

struct sg_chartsrc_cache *sg_chartsrc_cache_new(void);
void sg_chartsrc_cache_free(struct sg_chartsrc_cache *c);

/*
 * The commit `git log -1 <from> -- <paths>` prints: walking from `from`, the first commit that
 * is not TREESAME to its parents on paths (NULL-terminated, repository-relative, "" or "." for
 * the whole tree). A merge TREESAME to any parent is no change and only the first such parent
 * is followed; a root commit is a change when a path exists in it. Returns 0 and fills *out,
 * SG_CHARTSRC_NONE, or -1 after reporting.
 */
int sg_chartsrc_last_change(git_oid *out, git_repository *repo, const git_oid *from,
			    char *const *paths);

/* 1 when commit is not TREESAME to its parents on paths (it would be shown), 0, or -1. */
int sg_chartsrc_is_change(git_repository *repo, const git_oid *commit, char *const *paths);

/*
 * Normalize a path relative to base (a repository-relative directory, "" for the top):
 * "./x", "a/../b", trailing slashes. Returns a new string ("" for the top) or NULL when the
 * path climbs out of the repository or is absolute: such a path can never name a file of it.
 */
char *sg_chartsrc_norm_path(const char *base, const char *path);

enum sg_chartsrc_verdict {
	SG_VERDICT_OK,
	SG_VERDICT_SKIPPED,		/* no SHA in the version */
	SG_VERDICT_COUNT_MISMATCH,	/* warning */
	SG_VERDICT_UNPUBLISHED,
	SG_VERDICT_NOT_A_CHANGE,
	SG_VERDICT_AMBIGUOUS,
	SG_VERDICT_UNKNOWN_COMMIT,
	SG_VERDICT_NO_PATHS		/* cannot tell the chart's paths at that commit */
};

const char *sg_chartsrc_verdict_name(enum sg_chartsrc_verdict v);
/* 1 for verdicts that are errors (the version must not be used), 0 otherwise. */
int sg_chartsrc_verdict_is_error(enum sg_chartsrc_verdict v);

/* Where a chart comes from; every pointer borrowed from the caller. */
struct sg_chartsrc {
	git_repository *repo;
	const char *dir;		/* for messages ("../binderhub"), NULL: this repository */
	const char *chart;		/* chart name, or NULL */
	char *const *paths;		/* explicit paths (normalized), or NULL: derive from
					   chartpress.yaml */
	const char *chartpress;		/* chartpress.yaml path, or NULL: search */
	const char *chart_dir;		/* with no paths: always watched, with or without a
					   chartpress.yaml (a chart of the guarded repository) */
	const char *ref;		/* the source's branch, or NULL: HEAD */
	const struct sg_helmindex *index;	/* or NULL: publication not checked */
	struct sg_chartsrc_cache *cache;	/* or NULL: nothing is remembered */
};

struct sg_chartsrc_result {
	enum sg_chartsrc_verdict verdict;	/* the worst that applies */
	struct sg_chartver ver;
	int has_commit;
	git_oid commit;
	int has_last_change;
	git_oid last_change;		/* what git log -1 <sha> -- paths prints */
	char *suggested;		/* corrected version, or NULL */
	int suggested_published;	/* 1, 0, -1 unknown */
	int published;			/* 1, 0, -1 not checked */
	int count_mismatch;		/* the count is wrong (a warning); the count is not
					   computed when the verdict is already an error */
	size_t count;			/* ancestor count when computed */
	char **paths;			/* the paths used (sg_strv_free), NULL when none */
	char *detail;			/* extra words for the message, or NULL */
};

void sg_chartsrc_result_release(struct sg_chartsrc_result *r);

/*
 * Judge one version against src. Returns 0 with *out filled (release it), or -1 when the
 * verdict could not be reached (reported; a shallow source is reported with the command that
 * fetches its history).
 */
int sg_chartsrc_verify(struct sg_chartsrc_result *out, const struct sg_chartsrc *src,
		       const char *version);

/*
 * The version chartpress would give the tip of src->ref (NULL: HEAD), laid out like `like` (a
 * version carrying a SHA), appended to out. With published set, the newest published version
 * of the chart whose commit is reachable from the tip instead (src->index and src->chart
 * needed). Returns 0 (*commit_out, if given, is the version's commit), SG_CHARTSRC_NONE when
 * there is none with the reason in why for the caller to print with its own advice (how to
 * fix it depends on the caller: a flag, a config key), or -1 after reporting (unreadable, or
 * shallow).
 */
int sg_chartsrc_latest(struct sg_buf *out, git_oid *commit_out, const struct sg_chartsrc *src,
		       const char *like, int published, struct sg_buf *why);

/*
 * Set libgit2's process-wide options for one long read-only pass over history: no SHA-1
 * re-check of every object read (git does not do it on read either) and no object cache,
 * which a walk that reads each commit once never hits but pays for on every read. Only for
 * the main of a standalone command that reads a source repository it was pointed at
 * (chart-version, bump); never from a check, which also reads the objects a push brings.
 */
void sg_chartsrc_fast_reads(void);

/*
 * The fix to suggest for an error verdict, appended to out (nothing for other verdicts): the
 * corrected version for not-a-chart-change, more digits for ambiguous, ... For the callers
 * that read the charts: config (the chart-sha check, bump): no-paths points at
 * charts[].source.paths.
 */
void sg_chartsrc_hint(struct sg_buf *out, const struct sg_chartsrc_result *r);

/* The first paths of a list, for messages: "helm-chart/x, setup.py, ..." ("" shown as "."). */
void sg_chartsrc_paths_text(struct sg_buf *out, char *const *paths);

#endif

#ifndef SG_CHARTVER_H
#define SG_CHARTVER_H
/*
 * Chart versions as chartpress writes them: <base>-<suffix>, the suffix carrying the
 * abbreviated SHA of the last commit that changed the chart. Parsing finds that SHA in every
 * layout chartpress has used; formatting writes the same layout with another SHA, for hints.
 */
#include <stddef.h>

enum sg_chartver_format {
	SG_CHARTVER_NONE,   /* a version that carries no SHA */
	SG_CHARTVER_PLAIN,  /* base-sha: "0.1.0-441f5ea", "v0.7-2cdcb44" */
	SG_CHARTVER_COUNT,  /* base-[pre.]NNN.sha: "0.1.0-002.441f5ea" (count of 3+ digits) */
	SG_CHARTVER_N,      /* base-[pre.]nNNN.hSHA: "0.9.0-beta.3.n007.hc58048a" (chartpress 0.5+) */
	SG_CHARTVER_GIT     /* base-[pre.]git.N.hSHA: "1.0.0-0.dev.git.3983.h383374de" (1.x+) */
};

struct sg_chartver {
	enum sg_chartver_format format;
	char base[128];     /* "0.1.0", "v0.7", "1.0.0": the text before the first '-' or '+' */
	char pre[128];      /* prerelease before the count: "beta.3", "0.dev", ""; the whole
	                       prerelease for NONE */
	char sha[41];       /* lowercase hex as written; "" for NONE */
	long count;         /* -1 when the format has none */
	int count_width;    /* digits written, to reproduce zero padding ("n007" -> 3); 0 if none */
};

/*
 * Parse s. Returns 0 with format NONE for a version that carries no SHA ("3.3.7",
 * "1.0.0-beta.1", "0.0.1-set.by.chartpress"), 0 with the fields for one that does, -1 when s
 * is not a version at all (sg_semver_parse_loose) or its base does not fit; *out is untouched
 * on failure. A SHA is 7 to 40 lowercase hex digits; anything else ("441F5EA", "g441f5ea", six
 * digits) leaves the version NONE. Only the prerelease is searched: build metadata is ignored
 * and not kept. A lone prerelease of 7+ decimal digits ("0.1.0-1234567") reads as a SHA,
 * since chartpress wrote such SHAs bare before it added the 'h' prefix.
 */
int sg_chartver_parse(struct sg_chartver *out, const char *s);

/*
 * Write v's layout with sha (kept at the length given) and count (ignored by PLAIN, which also
 * takes no pre) into out of size n: {PLAIN, "0.1.0"} + "441f5ea" -> "0.1.0-441f5ea". COUNT
 * and N counts are padded with zeros to count_width (3 when it is 0), as chartpress pads them;
 * a GIT count is written plain, as chartpress writes it, unless v's own count was written with
 * leading zeros (count_width wider than v->count), in which case that padding is kept.
 * Returns 0, or -1 with out set to "" (when n > 0) if it does not fit, the format is NONE, sha
 * is not 7-40 lowercase hex, count is negative where one is needed, or the result would not
 * parse back as the same format.
 */
int sg_chartver_format(char *out, size_t n, const struct sg_chartver *v, const char *sha,
		       long count);

#endif

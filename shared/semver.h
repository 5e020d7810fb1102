#ifndef SG_SEMVER_H
#define SG_SEMVER_H
/*
 * Versions the way helm reads them (Masterminds/semver v3): lenient parsing, semver
 * precedence and the constraint ranges of chart dependencies, so that a check predicts what
 * helm will accept, pick or refuse. Nothing here allocates or prints.
 */
#include <stddef.h>

struct sg_semver {
	unsigned long long major, minor, patch;
	char pre[128];    /* prerelease without the '-', "" if none */
	char meta[128];   /* build metadata without '+', "" if none */
	int has_v;        /* input began with 'v' */
	int parts;        /* how many of major.minor.patch were written (1-3) */
};

/*
 * Parse lenient semver as Masterminds NewVersion does: optional leading 'v' (lowercase only),
 * 1 to 3 numeric parts (missing ones are 0, leading zeros allowed, each must fit 64 bits),
 * optional -prerelease and +metadata made of non-empty dot-separated [0-9A-Za-z-] identifiers,
 * e.g. "v0.7-2cdcb44", "1.0.0-0.dev.git.3983.h383374de", "20240731-224556.git.8607.hf7abb041",
 * "0.0.1-set.by.chartpress", "3.3.7". A numeric prerelease identifier with a leading zero
 * ("0.1.0-002.441f5ea") is refused, as helm 3 refuses it. Returns 0, or -1 when the text is
 * not a version or a part does not fit the struct; *out is untouched on failure.
 */
int sg_semver_parse(struct sg_semver *out, const char *s);

/*
 * As sg_semver_parse, but numeric prerelease identifiers may have leading zeros, as
 * Masterminds v1 (helm 2) allowed and as chartpress wrote them before 0.5
 * ("0.1.0-002.441f5ea"). For reading old versions, not for judging what helm 3 accepts.
 */
int sg_semver_parse_loose(struct sg_semver *out, const char *s);

/*
 * 1 when s is strict SemVer 2.0.0 (semver.org's grammar: no 'v', exactly three parts, no
 * leading zeros in numeric parts or numeric prerelease identifiers, no empty identifiers),
 * else 0 (also for NULL). Numbers are checked by grammar only, not for size.
 */
int sg_semver_is_strict(const char *s);

/*
 * -1, 0 or 1 by semver precedence: major, minor, patch numerically; a prerelease sorts before
 * its release; prerelease identifiers compare numerically when both are digits (at any length),
 * numeric before alphanumeric, otherwise in ASCII order, and a shorter list that is a prefix of a
 * longer one sorts first. Build metadata is ignored. Neither may be NULL.
 */
int sg_semver_cmp(const struct sg_semver *a, const struct sg_semver *b);

/*
 * 1 when a and b are the same version as helm compares chart versions, semantically:
 * "v0.7.0-2cdcb44" equals "v0.7-2cdcb44", build metadata ignored. Read leniently
 * (sg_semver_parse_loose). When either is not a version, 1 only if the texts are identical.
 * NULL equals nothing.
 */
int sg_semver_equal_str(const char *a, const char *b);

enum sg_semver_move {
	SG_SEMVER_SAME,
	SG_SEMVER_PATCH,
	SG_SEMVER_MINOR,
	SG_SEMVER_MAJOR,
	SG_SEMVER_DOWNGRADE
};

/*
 * Kind of move from a to b by base version (major.minor.patch only; prerelease and metadata
 * are not looked at; neither may be NULL): 1.2.0 -> 2.0.0-beta.1 is MAJOR, 3.3.7 -> 3.3.8 PATCH,
 * 4.0.0-0.dev.git.1.habc -> 4.1.0 MINOR, the same base is SAME, a lower base DOWNGRADE.
 */
enum sg_semver_move sg_semver_move(const struct sg_semver *a, const struct sg_semver *b);

/*
 * Constraint ranges as helm dependency versions use them (Masterminds v3 NewConstraint):
 * operators = != > < >= => <= =< ~ ~> ^ or none, x, X and * wildcards ("1.2.x", "*"),
 * hyphen ranges ("1.2.3 - 1.4.5", spaces required around the '-'), terms joined by spaces or
 * commas (AND), "||" between alternatives (OR). A prerelease version only satisfies an AND
 * group in which some term names a prerelease, as in Masterminds. Masterminds's quirks are
 * kept on purpose, since the point is to agree with helm: "" is not a constraint, "^*" admits
 * only 0.0.0, and a hyphen range may follow a term only after a comma ("1, 2 - 3" but not
 * "1 2 - 3").
 *
 * sg_semver_constraint_valid returns 1 if c is a valid constraint, else 0 (also for NULL).
 * sg_semver_satisfies returns 1 or 0, or -1 when c is not a valid constraint or an argument
 * is NULL.
 */
int sg_semver_constraint_valid(const char *c);
int sg_semver_satisfies(const struct sg_semver *v, const char *c);

#endif

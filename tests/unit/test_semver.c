/*
 * Unit tests for shared/semver.c: parsing as helm (Masterminds/semver v3) reads versions,
 * strict SemVer 2.0.0, precedence, version moves and constraint ranges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "semver.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static struct sg_semver ver(const char *s)
{
	struct sg_semver v;

	if (sg_semver_parse(&v, s) != 0)
		fail_msg("'%s' does not parse", s);
	return v;
}

static int cmp_str(const char *a, const char *b)
{
	struct sg_semver va = ver(a);
	struct sg_semver vb = ver(b);

	return sg_semver_cmp(&va, &vb);
}

static enum sg_semver_move move_str(const char *a, const char *b)
{
	struct sg_semver va = ver(a);
	struct sg_semver vb = ver(b);

	return sg_semver_move(&va, &vb);
}

struct sat_case {
	const char *constraint;
	const char *version;
	int want;
};

static void run_sat(const struct sat_case *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct sg_semver v;
		int got;

		if (sg_semver_parse(&v, t[i].version) != 0)
			fail_msg("'%s' does not parse", t[i].version);
		got = sg_semver_satisfies(&v, t[i].constraint);
		if (got != t[i].want)
			fail_msg("'%s' against '%s': got %d, want %d", t[i].version,
				 t[i].constraint, got, t[i].want);
	}
}

/* Parsing */

static void parse_reads_a_plain_release(void **state)
{
	struct sg_semver v = ver("3.3.7");

	(void)state;
	assert_true(v.major == 3 && v.minor == 3 && v.patch == 7);
	assert_string_equal(v.pre, "");
	assert_string_equal(v.meta, "");
	assert_int_equal(v.has_v, 0);
	assert_int_equal(v.parts, 3);
}

static void parse_reads_leading_v_and_two_parts(void **state)
{
	struct sg_semver v = ver("v0.7-2cdcb44");

	(void)state;
	assert_true(v.major == 0 && v.minor == 7 && v.patch == 0);
	assert_string_equal(v.pre, "2cdcb44");
	assert_int_equal(v.has_v, 1);
	assert_int_equal(v.parts, 2);
}

static void parse_fills_missing_parts_with_zero(void **state)
{
	struct sg_semver v = ver("1");

	(void)state;
	assert_true(v.major == 1 && v.minor == 0 && v.patch == 0);
	assert_int_equal(v.parts, 1);
	v = ver("1.2");
	assert_true(v.major == 1 && v.minor == 2 && v.patch == 0);
	assert_int_equal(v.parts, 2);
	v = ver("v2+build.1");
	assert_true(v.major == 2 && v.minor == 0 && v.patch == 0);
	assert_string_equal(v.meta, "build.1");
}

static void parse_keeps_a_chartpress_dev_prerelease(void **state)
{
	struct sg_semver v = ver("1.0.0-0.dev.git.3983.h383374de");

	(void)state;
	assert_true(v.major == 1 && v.minor == 0 && v.patch == 0);
	assert_string_equal(v.pre, "0.dev.git.3983.h383374de");
	assert_string_equal(v.meta, "");
}

static void parse_reads_a_date_as_major(void **state)
{
	struct sg_semver v = ver("20240731-224556.git.8607.hf7abb041");

	(void)state;
	assert_true(v.major == 20240731ULL && v.minor == 0 && v.patch == 0);
	assert_string_equal(v.pre, "224556.git.8607.hf7abb041");
	assert_int_equal(v.parts, 1);
}

static void parse_reads_the_chartpress_placeholder(void **state)
{
	struct sg_semver v = ver("0.0.1-set.by.chartpress");

	(void)state;
	assert_true(v.major == 0 && v.minor == 0 && v.patch == 1);
	assert_string_equal(v.pre, "set.by.chartpress");
}

static void parse_splits_prerelease_from_metadata(void **state)
{
	struct sg_semver v = ver("1.2.3-beta.1+build.5");

	(void)state;
	assert_string_equal(v.pre, "beta.1");
	assert_string_equal(v.meta, "build.5");
	v = ver("1.0.0+21AF26D3----117B344092BD");
	assert_string_equal(v.pre, "");
	assert_string_equal(v.meta, "21AF26D3----117B344092BD");
	v = ver("1.0.0-x-y-z.--");
	assert_string_equal(v.pre, "x-y-z.--");
	v = ver("0.0.1+1750.5619aab");
	assert_string_equal(v.meta, "1750.5619aab");
}

static void parse_coerces_leading_zeros_in_numbers(void **state)
{
	struct sg_semver v = ver("01.002.0003");

	(void)state;
	assert_true(v.major == 1 && v.minor == 2 && v.patch == 3);
}

static void parse_refuses_leading_zero_numeric_prerelease(void **state)
{
	struct sg_semver v;

	(void)state;
	/* helm 3 refuses these; chartpress moved to n002.h441f5ea because of it */
	assert_int_equal(sg_semver_parse(&v, "0.1.0-002.441f5ea"), -1);
	assert_int_equal(sg_semver_parse(&v, "1.0.0-01"), -1);
	assert_int_equal(sg_semver_parse(&v, "1.0.0-0"), 0);
	assert_int_equal(sg_semver_parse(&v, "1.0.0-0a"), 0);
	assert_int_equal(sg_semver_parse(&v, "1.0.0-n002"), 0);
	/* metadata has no such rule */
	assert_int_equal(sg_semver_parse(&v, "1.0.0+001"), 0);
}

static void parse_loose_takes_leading_zero_prerelease(void **state)
{
	struct sg_semver v;

	(void)state;
	assert_int_equal(sg_semver_parse_loose(&v, "0.1.0-002.441f5ea"), 0);
	assert_string_equal(v.pre, "002.441f5ea");
	assert_int_equal(sg_semver_parse_loose(&v, "nope"), -1);
	assert_int_equal(sg_semver_parse_loose(&v, "1.2.3-"), -1);
}

static void parse_refuses_what_is_not_a_version(void **state)
{
	static const char *const bad[] = {
		"", "v", "V1.2.3", "1.2.3.4", "1.", "1..2", ".1", "1.2.", "1.2.3-", "1.2.3+",
		"1.2.3-a..b", "1.2.3-a.", "1.2.3-.a", "1.2.3+a..b", "1.2.3-a_b", " 1.2.3", "1.2.3 ",
		"1.2.3-+", "-1.2.3", "x.1.2", "1.x", "1.2.3-beta!", "1.2.3+b+c", "vv1", "latest",
		"1.2.3\n", "1,2,3", "1.2.3-\xc3\xa9",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++) {
		struct sg_semver v;

		if (sg_semver_parse(&v, bad[i]) != -1)
			fail_msg("'%s' parsed", bad[i]);
	}
}

static void parse_refuses_numbers_beyond_64_bits(void **state)
{
	struct sg_semver v;

	(void)state;
	assert_int_equal(sg_semver_parse(&v, "18446744073709551615.0.0"), 0);
	assert_true(v.major == 18446744073709551615ULL);
	assert_int_equal(sg_semver_parse(&v, "18446744073709551616.0.0"), -1);
	assert_int_equal(sg_semver_parse(&v, "1.99999999999999999999"), -1);
	assert_int_equal(sg_semver_parse(&v, "1.0.99999999999999999999"), -1);
	/* prerelease numbers are text and may be any length */
	assert_int_equal(sg_semver_parse(&v, "1.0.0-99999999999999999999"), 0);
}

static void parse_refuses_prerelease_that_does_not_fit(void **state)
{
	char s[300];
	struct sg_semver v;

	(void)state;
	memcpy(s, "1.0.0-", 6);
	memset(s + 6, 'a', 127);
	s[6 + 127] = '\0';
	assert_int_equal(sg_semver_parse(&v, s), 0);
	assert_int_equal(strlen(v.pre), 127);
	memset(s + 6, 'a', 128);
	s[6 + 128] = '\0';
	assert_int_equal(sg_semver_parse(&v, s), -1);
	memcpy(s, "1.0.0+", 6);
	assert_int_equal(sg_semver_parse(&v, s), -1);
}

static void parse_leaves_output_alone_on_failure(void **state)
{
	struct sg_semver v = ver("1.2.3-rc.1");

	(void)state;
	assert_int_equal(sg_semver_parse(&v, "1.2.3-01"), -1);
	assert_true(v.major == 1 && v.minor == 2 && v.patch == 3);
	assert_string_equal(v.pre, "rc.1");
}

static void parse_refuses_null(void **state)
{
	struct sg_semver v;

	(void)state;
	assert_int_equal(sg_semver_parse(&v, NULL), -1);
	assert_int_equal(sg_semver_parse(NULL, "1.0.0"), -1);
	assert_int_equal(sg_semver_parse_loose(NULL, "1.0.0"), -1);
}

/* Strict SemVer 2.0.0 */

static void strict_accepts_semver_org_examples(void **state)
{
	static const char *const good[] = {
		"0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta", "1.1.2+meta-valid",
		"1.0.0-alpha", "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1",
		"1.0.0-alpha0.valid", "1.0.0-alpha.0valid", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
		"1.0.0-x-y-z.--", "1.0.0-alpha+001", "1.0.0+20130313144700",
		"1.0.0-beta+exp.sha.5114f85", "1.0.0+21AF26D3----117B344092BD",
		"1.0.0-rc.1+build.1", "2.0.0-rc.1+build.123", "1.2.3-beta", "10.2.3-DEV-SNAPSHOT",
		"1.2.3-SNAPSHOT-123", "2.0.0+build.1848", "2.0.1-alpha.1227", "1.0.0-alpha+beta",
		"1.2.3----RC-SNAPSHOT.12.9.1--.12+788", "1.2.3----R-S.12.9.1--.12+meta",
		"1.0.0+0.build.1-rc.10000aaa-kk-0.1",
		"99999999999999999999999.999999999999999999.99999999999999999",
		"1.0.0-0A.is.legal", "0.2.0-n123.h441f5ea", "1.0.0-0.dev.git.3983.h383374de",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(good); i++)
		if (!sg_semver_is_strict(good[i]))
			fail_msg("'%s' is not strict", good[i]);
}

static void strict_refuses_lenient_forms(void **state)
{
	static const char *const bad[] = {
		"", "1", "1.2", "v1.2.3", "v0.7-2cdcb44", "1.2.3-0123", "1.2.3-0123.0123",
		"1.1.2+.123", "+invalid", "-invalid", "-invalid+invalid", "-invalid.01", "alpha",
		"alpha.beta", "alpha.beta.1", "alpha.1", "alpha+beta", "alpha_beta", "alpha.",
		"alpha..", "beta", "1.0.0-alpha_beta", "-alpha.", "1.0.0-alpha..", "1.0.0-alpha..1",
		"1.0.0-alpha...1", "1.0.0-alpha....1", "1.0.0-alpha.....1", "1.0.0-alpha......1",
		"1.0.0-alpha.......1", "01.1.1", "1.01.1", "1.1.01", "1.2.3.DEV", "1.2-SNAPSHOT",
		"1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788", "1.2-RC-SNAPSHOT", "-1.0.3-gamma+b7718",
		"+justmeta", "9.8.7+meta+meta", "9.8.7-whatever+meta+meta", "1.2.3-", "1.2.3+",
		"0.1.0-002.441f5ea", " 1.0.0", "1.0.0 ", "1.2.3.4",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++)
		if (sg_semver_is_strict(bad[i]))
			fail_msg("'%s' is strict", bad[i]);
	assert_int_equal(sg_semver_is_strict(NULL), 0);
}

/* Precedence */

static void cmp_follows_semver_org_prerelease_order(void **state)
{
	static const char *const order[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < N_OF(order); i++)
		for (j = 0; j < N_OF(order); j++) {
			int want = (i > j) - (i < j);
			int got = cmp_str(order[i], order[j]);

			if (got != want)
				fail_msg("cmp('%s', '%s') = %d, want %d", order[i], order[j], got,
					 want);
		}
}

static void cmp_orders_release_numbers_numerically(void **state)
{
	static const char *const order[] = {
		"0.0.0", "0.0.1", "0.1.0", "0.9.9", "1.0.0", "1.9.0", "1.10.0", "1.11.0", "2.0.0",
		"2.1.0", "2.1.1", "10.0.0",
	};
	size_t i;

	(void)state;
	for (i = 0; i + 1 < N_OF(order); i++) {
		assert_int_equal(cmp_str(order[i], order[i + 1]), -1);
		assert_int_equal(cmp_str(order[i + 1], order[i]), 1);
	}
}

static void cmp_ignores_build_metadata(void **state)
{
	(void)state;
	assert_int_equal(cmp_str("1.0.0+a", "1.0.0+b"), 0);
	assert_int_equal(cmp_str("1.0.0-rc.1+x", "1.0.0-rc.1"), 0);
	assert_int_equal(cmp_str("1.0.0+zzz", "1.0.1"), -1);
}

static void cmp_puts_a_prerelease_below_its_release(void **state)
{
	(void)state;
	assert_int_equal(cmp_str("1.0.0-rc.1", "1.0.0"), -1);
	assert_int_equal(cmp_str("1.0.0", "1.0.0-0"), 1);
	assert_int_equal(cmp_str("1.0.0-0", "0.9.9"), 1);
}

static void cmp_puts_numeric_identifiers_below_alphanumeric(void **state)
{
	(void)state;
	assert_int_equal(cmp_str("1.0.0-999", "1.0.0-a"), -1);
	assert_int_equal(cmp_str("1.0.0-1a", "1.0.0-99"), 1);
	assert_int_equal(cmp_str("1.0.0-alpha.9", "1.0.0-alpha.10"), -1);
	assert_int_equal(cmp_str("1.0.0-Alpha", "1.0.0-alpha"), -1);
	assert_int_equal(cmp_str("1.0.0-a-b", "1.0.0-a"), 1);
}

static void cmp_orders_long_numeric_identifiers(void **state)
{
	(void)state;
	assert_int_equal(cmp_str("1.0.0-99999999999999999999999", "1.0.0-9"), 1);
	assert_int_equal(cmp_str("1.0.0-99999999999999999999999", "1.0.0-alpha"), -1);
	assert_int_equal(cmp_str("1.0.0-18446744073709551616", "1.0.0-18446744073709551617"), -1);
}

static void cmp_treats_missing_parts_as_zero(void **state)
{
	(void)state;
	assert_int_equal(cmp_str("1.2", "1.2.0"), 0);
	assert_int_equal(cmp_str("v1", "1.0.0"), 0);
	assert_int_equal(cmp_str("v0.7-2cdcb44", "0.7.0-2cdcb44"), 0);
}

static void cmp_orders_chartpress_builds_by_count(void **state)
{
	(void)state;
	assert_int_equal(cmp_str("1.0.0-0.dev.git.3983.h383374de", "1.0.0-0.dev.git.3990.habc1234"),
			 -1);
	assert_int_equal(cmp_str("0.9.0-beta.1.git.12.hdfgh345", "0.9.0-beta.2"), -1);
	assert_int_equal(cmp_str("0.9.0-beta.3", "0.9.0"), -1);
}

/* Semantic equality */

static void equal_str_ignores_a_missing_patch(void **state)
{
	(void)state;
	assert_int_equal(sg_semver_equal_str("v0.7.0-2cdcb44", "v0.7-2cdcb44"), 1);
	assert_int_equal(sg_semver_equal_str("1.2", "1.2.0"), 1);
}

static void equal_str_ignores_the_v(void **state)
{
	(void)state;
	assert_int_equal(sg_semver_equal_str("v1.2.3", "1.2.3"), 1);
}

static void equal_str_tells_different_shas_apart(void **state)
{
	(void)state;
	assert_int_equal(sg_semver_equal_str("0.1.0-441f5ea", "0.1.0-441f5eb"), 0);
	assert_int_equal(sg_semver_equal_str("1.2.3", "1.2.4"), 0);
	assert_int_equal(sg_semver_equal_str("1.2.3-rc.1", "1.2.3"), 0);
}

static void equal_str_ignores_metadata(void **state)
{
	(void)state;
	assert_int_equal(sg_semver_equal_str("1.0.0+a", "1.0.0+b"), 1);
}

static void equal_str_reads_old_chartpress_counts(void **state)
{
	(void)state;
	assert_int_equal(sg_semver_equal_str("0.1.0-002.441f5ea", "0.1-002.441f5ea"), 1);
	assert_int_equal(sg_semver_equal_str("0.1.0-002.441f5ea", "0.1.0-2.441f5ea"), 1);
}

static void equal_str_compares_non_versions_as_text(void **state)
{
	(void)state;
	assert_int_equal(sg_semver_equal_str("latest", "latest"), 1);
	assert_int_equal(sg_semver_equal_str("latest", "stable"), 0);
	assert_int_equal(sg_semver_equal_str("1.0.0", "1.0.0 "), 0);
	assert_int_equal(sg_semver_equal_str(NULL, "1.0.0"), 0);
	assert_int_equal(sg_semver_equal_str("1.0.0", NULL), 0);
}

/* Moves */

static void move_patch(void **state)
{
	(void)state;
	assert_int_equal(move_str("3.3.7", "3.3.8"), SG_SEMVER_PATCH);
	assert_int_equal(move_str("3.3.7", "3.3.8-beta.1"), SG_SEMVER_PATCH);
}

static void move_minor_ignores_prerelease(void **state)
{
	(void)state;
	assert_int_equal(move_str("4.0.0-0.dev.git.1.habc1234", "4.1.0"), SG_SEMVER_MINOR);
	assert_int_equal(move_str("3.3.7", "3.4.0"), SG_SEMVER_MINOR);
	assert_int_equal(move_str("3.3.7", "3.4.9"), SG_SEMVER_MINOR);
}

static void move_major_to_a_prerelease(void **state)
{
	(void)state;
	assert_int_equal(move_str("1.2.0", "2.0.0-beta.1"), SG_SEMVER_MAJOR);
	assert_int_equal(move_str("3.3.8", "4.0.0"), SG_SEMVER_MAJOR);
	assert_int_equal(move_str("0.9.9", "1.0.0"), SG_SEMVER_MAJOR);
}

static void move_same_base_is_same(void **state)
{
	(void)state;
	assert_int_equal(move_str("1.0.0-beta.1", "1.0.0"), SG_SEMVER_SAME);
	assert_int_equal(move_str("1.0.0", "1.0.0-beta.1"), SG_SEMVER_SAME);
	assert_int_equal(move_str("v3.3", "3.3.0+meta"), SG_SEMVER_SAME);
}

static void move_lower_base_is_downgrade(void **state)
{
	(void)state;
	assert_int_equal(move_str("2.0.0", "1.9.9"), SG_SEMVER_DOWNGRADE);
	assert_int_equal(move_str("1.3.0", "1.2.9"), SG_SEMVER_DOWNGRADE);
	assert_int_equal(move_str("1.2.3", "1.2.2"), SG_SEMVER_DOWNGRADE);
	assert_int_equal(move_str("1.2.3-beta", "1.2.2"), SG_SEMVER_DOWNGRADE);
}

/* Constraint syntax */

static void constraint_valid_accepts_helm_forms(void **state)
{
	static const char *const good[] = {
		"^1.2.3", "~1.2", "~>1.2", ">=1.0.0 <2.0.0", ">= 1.0.0, < 2.0.0", "1.2.x", "1.2.X",
		"1.2.*", "*", "x", "X.x.X", "1.2.3 - 1.4.5", "=1.2.3", "= 1.2.3", "!=1.2.3", "=<1.2",
		"=>1.2", "<=1.2", ">1", "<1", "1", "v1.2.3", "1.2.3-beta.1+build",
		"v2.3.5-20161202202307-sha.e8fc5e5", ">= 1.2.3, < 2.0 || => 3.0, < 4", "1 || 2 || 3",
		"1||2", "1.0.0 - 2.0.0, <=2.0.0", "1.0.0 - 2.0.0 <=2.0.0", "2 - 3 4.0.0 - 5.1",
		"2 - 3, 2 - 3", "1, 2 - 3", "1 || 2 - 3", "  ^1.2.3  ", "\t>=1\t<2\t", "12.3.34 ~1.2.3",
		">=1.1    <2    !=1.2.3", "*-0", ">0.0.0-0", "^1.2.x-alpha", "1.0.0-alpha - 2.0.0",
		">=01.02.03", "1 - 2<3",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(good); i++)
		if (!sg_semver_constraint_valid(good[i]))
			fail_msg("'%s' is not valid", good[i]);
}

static void constraint_valid_refuses_garbage(void **state)
{
	static const char *const bad[] = {
		"", "   ", "foo", ">= bar", "BAR >= 1.2.3", "12.3.4.1234", "12.23.4.1234",
		"12.3.34~ 1.2.3", "1.2.3 ||", "|| 1.2.3", "1 || || 2", "1.2.3,", ",1.2.3", ">=1,,<2",
		"1.2.3 | 1.2.4", "1 ||| 2", "1x", "x1", "xx", "1.2x", "1.x1", ">=1.0.0 - 2.0.0",
		"=1 - 2", "1.0.0 -2.0.0", "1.0.0- 2.0.0", "1.0.0 - ", "1 - 2 - 3", ">>1", "> =1",
		"^1.0.0-01", "1.2.3-", "1.2.3+", "1.", "1..2", "V1", ">1<2", "1,2,", "~ >1",
		"18446744073709551616", "1.18446744073709551616", ">= 1.2.3 &&  < 2", "1.0.0 2.0.0 -",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++)
		if (sg_semver_constraint_valid(bad[i]))
			fail_msg("'%s' is valid", bad[i]);
	assert_int_equal(sg_semver_constraint_valid(NULL), 0);
}

static void constraint_hyphen_range_after_a_spaced_term_is_refused(void **state)
{
	(void)state;
	/* Masterminds's range rewrite swallows the space and glues the terms together */
	assert_int_equal(sg_semver_constraint_valid("1 2 - 3"), 0);
	assert_int_equal(sg_semver_constraint_valid(">=1.0.0 2.0.0 - 3.0.0"), 0);
	assert_int_equal(sg_semver_constraint_valid("1, 2 - 3"), 1);
	assert_int_equal(sg_semver_constraint_valid("1,2 - 3"), 1);
}

/* Constraint checks */

static void satisfies_caret(void **state)
{
	static const struct sat_case t[] = {
		{ "^1.2.3", "1.2.3", 1 }, { "^1.2.3", "1.8.9", 1 }, { "^1.2.3", "2.8.9", 0 },
		{ "^1.2.3", "1.2.1", 0 }, { "^1.1.0", "2.1.0", 0 }, { "^1.2.0", "2.2.1", 0 },
		{ "^1.2", "1.8.9", 1 }, { "^1.2", "2.8.9", 0 }, { "^1", "1.8.9", 1 },
		{ "^1", "2.8.9", 0 }, { "^1.x", "1.1.1", 1 }, { "^2.x", "1.1.1", 0 },
		{ "^1.x", "2.1.1", 0 }, { "^0.2.3", "0.2.5", 1 }, { "^0.2.3", "0.5.6", 0 },
		{ "^0.2", "0.2.5", 1 }, { "^0.2", "0.5.6", 0 }, { "^0.0.3", "0.0.3", 1 },
		{ "^0.0.3", "0.0.4", 0 }, { "^0.0", "0.0.3", 1 }, { "^0.0", "0.1.4", 0 },
		{ "^0.0", "1.0.4", 0 }, { "^0", "0.2.3", 1 }, { "^0", "1.1.4", 0 },
		{ "^0.0.1", "0.0.1", 1 }, { "^0.0.1", "0.3.1", 0 }, { "^0.0.0", "1.2.3", 0 },
		{ "^1.1", "4.3.2", 0 }, { "^3.3.7", "3.3.8", 1 }, { "^3.3.7", "4.0.0", 0 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_caret_star_admits_only_zero(void **state)
{
	/* Masterminds records no wildcard minor for "^*", so it behaves as "^0.0.0" in helm */
	static const struct sat_case t[] = {
		{ "^*", "0.0.0", 1 }, { "^*", "0.0.1", 0 }, { "^*", "1.2.3", 0 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_caret_with_prerelease(void **state)
{
	static const struct sat_case t[] = {
		{ "^1.2.0", "1.2.1-alpha.1", 0 }, { "^1.2.0-alpha.0", "1.2.1-alpha.1", 1 },
		{ "^1.2.0-alpha.0", "1.2.1-alpha.0", 1 }, { "^1.2.0-alpha.2", "1.2.0-alpha.1", 0 },
		{ "^0.2.3-beta.2", "0.2.3-beta.4", 1 }, { "^0.2.3-beta.2", "0.2.4-beta.2", 1 },
		{ "^0.2.3-beta.2", "0.3.4-beta.2", 0 }, { "^0.2.3-beta.2", "0.2.3-beta.2", 1 },
		{ "^1.x", "1.1.1-beta1", 0 }, { "^1.1.2-alpha", "1.2.1-beta1", 1 },
		{ "^1.2.x-alpha", "1.1.1-beta1", 0 }, { "^1.1.1-alpha", "1.1.1-beta", 1 },
		{ "^1.1.1-beta", "1.1.1-alpha", 0 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_tilde(void **state)
{
	static const struct sat_case t[] = {
		{ "~1.2.3", "1.2.4", 1 }, { "~1.2.3", "1.3.4", 0 }, { "~1.2.3", "1.2.2", 0 },
		{ "~1.2", "1.2.4", 1 }, { "~1.2", "1.3.4", 0 }, { "~1", "1.2.4", 1 },
		{ "~1", "2.3.4", 0 }, { "~0.2.3", "0.2.5", 1 }, { "~0.2.3", "0.3.5", 0 },
		{ "~*", "2.1.1", 1 }, { "~1.x", "2.1.1", 0 }, { "~1.x", "1.3.5", 1 },
		{ "~1.x", "1.4", 1 }, { "~1.1", "1.2.3", 0 }, { "~1.3", "2.4.5", 0 },
		{ "~0.0.0", "1.2.3", 1 }, { "~>1.2", "1.2.9", 1 }, { "~>1.2", "1.3.0", 0 },
		{ "~ 1.2.3", "1.2.5", 1 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_tilde_with_prerelease(void **state)
{
	static const struct sat_case t[] = {
		{ "~1.2.3-beta.2", "1.2.3-beta.4", 1 }, { "~1.2.3-beta.2", "1.2.4-beta.2", 1 },
		{ "~1.2.3-beta.2", "1.3.4-beta.2", 0 }, { "~1.1", "1.1.1-alpha", 0 },
		{ "~1.1-alpha", "1.1.1-beta", 1 }, { "~1.1.1-beta", "1.1.1-alpha", 0 },
		{ "~1.1.1-beta", "1.1.1", 1 }, { "~1", "1.3.5-beta", 0 },
		{ "~1.3.6-alpha", "1.3.5-beta", 0 }, { "~1.3.5-alpha", "1.3.5-beta", 1 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_x_ranges_and_wildcards(void **state)
{
	static const struct sat_case t[] = {
		{ "*", "1", 1 }, { "*", "4.5.6", 1 }, { "*", "1.2.3-alpha.1", 0 },
		{ "*-0", "1.2.3-alpha.1", 1 }, { "2.*", "1", 0 }, { "2.*", "3.4.5", 0 },
		{ "2.*", "2.1.1", 1 }, { "2.1.*", "2.1.1", 1 }, { "2.1.*", "2.2.1", 0 },
		{ "1.2.x", "1.2.0", 1 }, { "1.2.x", "1.2.99", 1 }, { "1.2.x", "1.3.0", 0 },
		{ "1.2.X", "1.2.7", 1 }, { "1.x", "1.4", 1 }, { "1.x.x", "1.9.9", 1 },
		{ "0.x.x", "1.2.3", 0 }, { "0.0.x", "1.2.3", 0 }, { "4.1.x", "4.1.3", 1 },
		{ "2", "1", 0 }, { "2", "3.4.5", 0 }, { "2", "2.1.1", 1 }, { "2.1", "2.1.1", 1 },
		{ "2.1", "2.2.1", 0 }, { "x", "7.0.0", 1 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_equal(void **state)
{
	static const struct sat_case t[] = {
		{ "=2.0.0", "1.2.3", 0 }, { "=2.0.0", "2.0.0", 1 }, { "=2.0", "1.2.3", 0 },
		{ "=2.0", "2.0.0", 1 }, { "=2.0", "2.0.1", 1 }, { "4.1", "4.1.0", 1 },
		{ "=0", "1", 0 }, { "0.0.0", "1.2.3", 0 }, { "= 2.0", "2.0.0", 1 },
		{ "1.2.3", "1.2.3", 1 }, { "1.2.3", "1.2.3+build", 1 }, { "1.2.3+build", "1.2.3", 1 },
		{ "v1.2.3", "1.2.3", 1 }, { "1.2.3-rc.1", "1.2.3-rc.1", 1 },
		{ "1.2.3-rc.1", "1.2.3", 0 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_not_equal(void **state)
{
	static const struct sat_case t[] = {
		{ "!=4.1.0", "4.1.0", 0 }, { "!=4.1.0", "4.1.1", 1 }, { "!=4.1", "4.1.0", 0 },
		{ "!=4.1", "4.1.1", 0 }, { "!=4.1", "5.1.0-alpha.1", 0 }, { "!=4.1-alpha", "4.1.0", 1 },
		{ "!=4.1", "5.1.0", 1 }, { "!=4.1-alpha", "4.1.0-alpha", 0 },
		{ "!=4.1-alpha", "4.1.1-alpha", 0 }, { "!=4.x", "5.1.0", 1 }, { "!=4.x", "4.1.0", 0 },
		{ "!=4.1.x", "4.2.0", 1 }, { "!=4.2.x", "4.2.3", 0 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_greater_and_less(void **state)
{
	static const struct sat_case t[] = {
		{ "<11", "0.1.0", 1 }, { "<11", "11.1.0", 0 }, { "<1.1", "0.1.0", 1 },
		{ "<1.1", "1.1.0", 0 }, { "<1.1", "1.1.1", 0 }, { "<1.x", "1.1.1", 0 },
		{ "<1.x", "0.1.1", 1 }, { "<1.x", "2.0.0", 0 }, { "<1.1.x", "1.2.1", 0 },
		{ "<1.1.x", "1.1.500", 0 }, { "<1.1.x", "1.0.500", 1 }, { "<1.2.x", "1.1.1", 1 },
		{ "<=11", "1.2.3", 1 }, { "<=11", "12.2.3", 0 }, { "<=11", "11.2.3", 1 },
		{ "<=1.1", "1.2.3", 0 }, { "<=1.1", "0.1.0", 1 }, { "<=1.1", "1.1.0", 1 },
		{ "<=1.1", "1.1.1", 1 }, { "<=1.x", "1.1.0", 1 }, { "<=2.x", "3.0.0", 0 },
		{ "<=1.1.x", "1.2.500", 0 }, { "<=4.5", "3.4.0", 1 }, { "<=4.5", "3.7.0", 1 },
		{ "<=4.5", "4.6.3", 0 }, { "=<1.1", "1.1.9", 1 }, { ">1.1", "4.1.0", 1 },
		{ ">1.1", "1.1.0", 0 }, { ">0", "0.0.0", 0 }, { ">0", "1", 1 },
		{ ">11", "11.1.0", 0 }, { ">11.1", "11.1.0", 0 }, { ">11.1", "11.1.1", 0 },
		{ ">11.1", "11.2.1", 1 }, { ">=11", "11.1.2", 1 }, { ">=11.1", "11.1.2", 1 },
		{ ">=11.1", "11.0.2", 0 }, { ">=1.1", "4.1.0", 1 }, { ">=1.1", "1.1.0", 1 },
		{ ">=1.1", "0.0.9", 0 }, { ">=0", "0", 1 }, { "=>1.1", "1.1.0", 1 },
		{ ">1.2.3", "1.2.4", 1 }, { ">1.2.3", "1.2.3", 0 }, { "<1.2.3", "1.2.2", 1 },
		{ "<1.2.3", "1.2.3", 0 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_comparisons_with_prerelease(void **state)
{
	static const struct sat_case t[] = {
		{ ">0", "0.0.1-alpha", 0 }, { ">0.0", "0.0.1-alpha", 0 }, { ">0-0", "0.0.1-alpha", 0 },
		{ ">0.0-0", "0.0.1-alpha", 0 }, { ">0", "0.0.0-alpha", 0 },
		{ ">0-0", "0.0.0-alpha", 0 }, { ">0.0.0-0", "0.0.0-alpha", 1 },
		{ ">1.2.3-alpha.1", "1.2.3-alpha.2", 1 }, { ">1.2.3-alpha.1", "1.3.3-alpha.2", 1 },
		{ ">=0", "0.0.1-alpha", 0 }, { ">=0.0", "0.0.1-alpha", 0 },
		{ ">=0-0", "0.0.1-alpha", 1 }, { ">=0.0-0", "0.0.1-alpha", 1 },
		{ ">=0", "0.0.0-alpha", 0 }, { ">=0-0", "0.0.0-alpha", 1 },
		{ ">=0.0.0-0", "0.0.0-alpha", 1 }, { ">=0.0.0-0", "1.2.3", 1 },
		{ ">=0.0.0-0", "3.4.5-beta.1", 1 }, { "<0", "0.0.0-alpha", 0 },
		{ "<0-z", "0.0.0-alpha", 1 }, { ">=1.1", "4.1.0-beta", 0 },
		{ "<=1.1", "0.1.0-alpha", 0 }, { "<=1.1-a", "0.1.0-alpha", 1 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_and_with_commas_and_spaces(void **state)
{
	static const struct sat_case t[] = {
		{ ">1.1, <2", "1.1.1", 0 }, { ">1.1, <2", "1.2.1", 1 }, { ">1.1, <3", "4.3.2", 0 },
		{ ">=1.1, <2, !=1.2.3", "1.2.3", 0 }, { ">1.1 <2", "1.1.1", 0 },
		{ ">1.1 <2", "1.2.1", 1 }, { ">1.1    <3", "4.3.2", 0 },
		{ ">=1.1    <2    !=1.2.3", "1.2.3", 0 }, { "> 1.1, <     2", "1.1.1", 0 },
		{ ">   1.1, <2", "1.2.1", 1 }, { ">= 1.1 <2 != 1.2.3", "1.2.3", 0 },
		{ ">=1.0.0 <2.0.0", "1.9.9", 1 }, { ">=1.0.0 <2.0.0", "2.0.0", 0 },
		{ ">=1.0.0,<2.0.0", "0.9.9", 0 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_or_alternatives(void **state)
{
	static const struct sat_case t[] = {
		{ ">=1.1, <2, !=1.2.3 || > 3", "4.1.2", 1 }, { ">=1.1, <2, !=1.2.3 || > 3", "3.1.2", 0 },
		{ ">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", 1 }, { ">=1.1, <2, !=1.2.3 || > 3", "3.0.0", 0 },
		{ ">=1.1, <2, !=1.2.3 || > 3", "1.2.3", 0 }, { ">=1.1 <2 !=1.2.3 || > 3", "4.1.2", 1 },
		{ ">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", 1 }, { "1.2.3 || 2.0.0", "2.0.0", 1 },
		{ "1.2.3||2.0.0", "1.2.3", 1 }, { "1.2.3 || 2.0.0", "1.2.4", 0 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_hyphen_range(void **state)
{
	static const struct sat_case t[] = {
		{ "1.2.3 - 1.4.5", "1.2.3", 1 }, { "1.2.3 - 1.4.5", "1.4.5", 1 },
		{ "1.2.3 - 1.4.5", "1.3.0", 1 }, { "1.2.3 - 1.4.5", "1.2.2", 0 },
		{ "1.2.3 - 1.4.5", "1.4.6", 0 }, { "1.1 - 2", "1.1.1", 1 },
		{ "1.5.0 - 4.5", "3.7.0", 1 }, { "1.5.0 - 4.5", "4.5.9", 1 },
		{ "1.5.0 - 4.5", "4.6.0", 0 }, { "1.1-3", "4.3.2", 0 },
		{ "1.0.0 - 2.0.0 <=2.0.0", "1.5.0", 1 }, { "1.0.0 - 2.0.0, <=2.0.0", "1.5.0", 1 },
		{ "2 - 3 4.0.0 - 5.1", "4.5.0", 0 }, { "3 - 4 || => 3.0, < 4", "3.5.0", 1 },
		{ "1.0.0 - 2.0.0", "1.5.0-beta", 0 }, { "1.0.0-0 - 2.0.0", "1.5.0-beta", 1 },
		{ "1 - 2<3", "2.1.0", 1 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_skips_prereleases_unless_named(void **state)
{
	static const struct sat_case t[] = {
		{ ">=1.0.0", "1.5.0-beta", 0 }, { ">=1.0.0-0", "1.5.0-beta", 1 },
		{ "^4.0.0", "4.0.0-0.dev.git.3983.h383374de", 0 },
		{ "^4.0.0-0", "4.0.0-0.dev.git.3983.h383374de", 1 },
		{ "*", "1.0.0-0.dev.git.3983.h383374de", 0 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_prerelease_in_one_term_opens_its_and_group(void **state)
{
	/* Masterminds 3.4: one term naming a prerelease lets prereleases through its whole group */
	static const struct sat_case t[] = {
		{ ">=1.0.0-0 <2.0.0", "1.5.0-beta", 1 }, { "<2.0.0, >=1.0.0-0", "1.5.0-beta", 1 },
		{ "<2.0.0 || >=3.0.0-0", "1.5.0-beta", 0 }, { "<2.0.0 || >=3.0.0-0", "3.1.0-rc.1", 1 },
		{ "1.0.0-0 - 2.0.0", "2.0.0-rc.1", 1 }, { "1.0.0 - 2.0.0-0", "1.5.0-beta", 1 },
	};

	(void)state;
	run_sat(t, N_OF(t));
}

static void satisfies_refuses_an_invalid_constraint(void **state)
{
	struct sg_semver v = ver("1.2.3");

	(void)state;
	assert_int_equal(sg_semver_satisfies(&v, ""), -1);
	assert_int_equal(sg_semver_satisfies(&v, "foo"), -1);
	assert_int_equal(sg_semver_satisfies(&v, "1.2.3 ||"), -1);
	/* an earlier alternative matching does not excuse a broken later one */
	assert_int_equal(sg_semver_satisfies(&v, "1.2.3 || nope"), -1);
	assert_int_equal(sg_semver_satisfies(&v, NULL), -1);
	assert_int_equal(sg_semver_satisfies(NULL, "1.2.3"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_reads_a_plain_release),
		cmocka_unit_test(parse_reads_leading_v_and_two_parts),
		cmocka_unit_test(parse_fills_missing_parts_with_zero),
		cmocka_unit_test(parse_keeps_a_chartpress_dev_prerelease),
		cmocka_unit_test(parse_reads_a_date_as_major),
		cmocka_unit_test(parse_reads_the_chartpress_placeholder),
		cmocka_unit_test(parse_splits_prerelease_from_metadata),
		cmocka_unit_test(parse_coerces_leading_zeros_in_numbers),
		cmocka_unit_test(parse_refuses_leading_zero_numeric_prerelease),
		cmocka_unit_test(parse_loose_takes_leading_zero_prerelease),
		cmocka_unit_test(parse_refuses_what_is_not_a_version),
		cmocka_unit_test(parse_refuses_numbers_beyond_64_bits),
		cmocka_unit_test(parse_refuses_prerelease_that_does_not_fit),
		cmocka_unit_test(parse_leaves_output_alone_on_failure),
		cmocka_unit_test(parse_refuses_null),
		cmocka_unit_test(strict_accepts_semver_org_examples),
		cmocka_unit_test(strict_refuses_lenient_forms),
		cmocka_unit_test(cmp_follows_semver_org_prerelease_order),
		cmocka_unit_test(cmp_orders_release_numbers_numerically),
		cmocka_unit_test(cmp_ignores_build_metadata),
		cmocka_unit_test(cmp_puts_a_prerelease_below_its_release),
		cmocka_unit_test(cmp_puts_numeric_identifiers_below_alphanumeric),
		cmocka_unit_test(cmp_orders_long_numeric_identifiers),
		cmocka_unit_test(cmp_treats_missing_parts_as_zero),
		cmocka_unit_test(cmp_orders_chartpress_builds_by_count),
		cmocka_unit_test(equal_str_ignores_a_missing_patch),
		cmocka_unit_test(equal_str_ignores_the_v),
		cmocka_unit_test(equal_str_tells_different_shas_apart),
		cmocka_unit_test(equal_str_ignores_metadata),
		cmocka_unit_test(equal_str_reads_old_chartpress_counts),
		cmocka_unit_test(equal_str_compares_non_versions_as_text),
		cmocka_unit_test(move_patch),
		cmocka_unit_test(move_minor_ignores_prerelease),
		cmocka_unit_test(move_major_to_a_prerelease),
		cmocka_unit_test(move_same_base_is_same),
		cmocka_unit_test(move_lower_base_is_downgrade),
		cmocka_unit_test(constraint_valid_accepts_helm_forms),
		cmocka_unit_test(constraint_valid_refuses_garbage),
		cmocka_unit_test(constraint_hyphen_range_after_a_spaced_term_is_refused),
		cmocka_unit_test(satisfies_caret),
		cmocka_unit_test(satisfies_caret_star_admits_only_zero),
		cmocka_unit_test(satisfies_caret_with_prerelease),
		cmocka_unit_test(satisfies_tilde),
		cmocka_unit_test(satisfies_tilde_with_prerelease),
		cmocka_unit_test(satisfies_x_ranges_and_wildcards),
		cmocka_unit_test(satisfies_equal),
		cmocka_unit_test(satisfies_not_equal),
		cmocka_unit_test(satisfies_greater_and_less),
		cmocka_unit_test(satisfies_comparisons_with_prerelease),
		cmocka_unit_test(satisfies_and_with_commas_and_spaces),
		cmocka_unit_test(satisfies_or_alternatives),
		cmocka_unit_test(satisfies_hyphen_range),
		cmocka_unit_test(satisfies_skips_prereleases_unless_named),
		cmocka_unit_test(satisfies_prerelease_in_one_term_opens_its_and_group),
		cmocka_unit_test(satisfies_refuses_an_invalid_constraint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

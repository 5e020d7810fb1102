/*
 * Unit tests for shared/chartver.c: finding the commit in each chartpress version layout,
 * telling near misses from SHAs, and rebuilding a version around another commit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "chartver.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static struct sg_chartver cv(const char *s)
{
	struct sg_chartver v;

	if (sg_chartver_parse(&v, s) != 0)
		fail_msg("'%s' does not parse", s);
	return v;
}

static void assert_layout(const char *s, enum sg_chartver_format format, const char *base,
			  const char *pre, const char *sha, long count, int width)
{
	struct sg_chartver v = cv(s);

	if (v.format != format)
		fail_msg("'%s': format %d, want %d", s, (int)v.format, (int)format);
	assert_string_equal(v.base, base);
	assert_string_equal(v.pre, pre);
	assert_string_equal(v.sha, sha);
	assert_int_equal(v.count, count);
	assert_int_equal(v.count_width, width);
}

static void assert_no_sha(const char *s)
{
	struct sg_chartver v = cv(s);

	if (v.format != SG_CHARTVER_NONE)
		fail_msg("'%s' read as format %d with sha '%s'", s, (int)v.format, v.sha);
	assert_string_equal(v.sha, "");
	assert_int_equal(v.count, -1);
	assert_int_equal(v.count_width, 0);
}

/* Parsing: each layout */

static void parse_plain(void **state)
{
	(void)state;
	assert_layout("0.1.0-441f5ea", SG_CHARTVER_PLAIN, "0.1.0", "", "441f5ea", -1, 0);
}

static void parse_plain_with_v_and_two_parts(void **state)
{
	(void)state;
	assert_layout("v0.7-2cdcb44", SG_CHARTVER_PLAIN, "v0.7", "", "2cdcb44", -1, 0);
}

static void parse_count(void **state)
{
	(void)state;
	assert_layout("0.1.0-002.441f5ea", SG_CHARTVER_COUNT, "0.1.0", "", "441f5ea", 2, 3);
	assert_layout("0.1.0-1234.441f5ea", SG_CHARTVER_COUNT, "0.1.0", "", "441f5ea", 1234, 4);
}

static void parse_count_after_prerelease(void **state)
{
	(void)state;
	assert_layout("0.1.2-alpha.1.005.abcd1234", SG_CHARTVER_COUNT, "0.1.2", "alpha.1",
		      "abcd1234", 5, 3);
}

static void parse_n(void **state)
{
	(void)state;
	assert_layout("0.2.0-n123.h441f5ea", SG_CHARTVER_N, "0.2.0", "", "441f5ea", 123, 3);
	assert_layout("0.1.0-n002.h441f5ea", SG_CHARTVER_N, "0.1.0", "", "441f5ea", 2, 3);
}

static void parse_n_after_prerelease(void **state)
{
	(void)state;
	assert_layout("0.9.0-beta.3.n007.hc58048a", SG_CHARTVER_N, "0.9.0", "beta.3", "c58048a", 7,
		      3);
}

static void parse_git(void **state)
{
	(void)state;
	assert_layout("1.0.0-0.dev.git.3983.h383374de", SG_CHARTVER_GIT, "1.0.0", "0.dev",
		      "383374de", 3983, 4);
	assert_layout("0.3.2-0.dev.git.267.h766bf8f", SG_CHARTVER_GIT, "0.3.2", "0.dev", "766bf8f",
		      267, 3);
}

static void parse_git_after_beta(void **state)
{
	(void)state;
	assert_layout("4.0.0-beta.1.git.12.habc1234", SG_CHARTVER_GIT, "4.0.0", "beta.1",
		      "abc1234", 12, 2);
}

static void parse_git_with_a_date_as_major(void **state)
{
	(void)state;
	assert_layout("20240731-224556.git.8607.hf7abb041", SG_CHARTVER_GIT, "20240731", "224556",
		      "f7abb041", 8607, 4);
}

static void parse_git_without_prerelease(void **state)
{
	(void)state;
	assert_layout("1.0.0-git.0.h383374de", SG_CHARTVER_GIT, "1.0.0", "", "383374de", 0, 1);
}

static void parse_full_length_sha(void **state)
{
	(void)state;
	assert_layout("0.1.0-0123456789abcdef0123456789abcdef01234567", SG_CHARTVER_PLAIN, "0.1.0",
		      "", "0123456789abcdef0123456789abcdef01234567", -1, 0);
	assert_layout("1.0.0-0.dev.git.1.h0123456789abcdef0123456789abcdef01234567",
		      SG_CHARTVER_GIT, "1.0.0", "0.dev", "0123456789abcdef0123456789abcdef01234567",
		      1, 1);
}

static void parse_all_digit_sha_is_a_sha(void **state)
{
	(void)state;
	/* chartpress wrote such SHAs bare before it added the 'h' prefix */
	assert_layout("0.1.0-1234567", SG_CHARTVER_PLAIN, "0.1.0", "", "1234567", -1, 0);
	assert_layout("0.1.0-002.0123456", SG_CHARTVER_COUNT, "0.1.0", "", "0123456", 2, 3);
	assert_layout("0.2.0-n001.h1234567", SG_CHARTVER_N, "0.2.0", "", "1234567", 1, 3);
}

static void parse_ignores_build_metadata(void **state)
{
	(void)state;
	assert_layout("0.2.0-n123.h441f5ea+build.7", SG_CHARTVER_N, "0.2.0", "", "441f5ea", 123, 3);
	/* a SHA in metadata is no chartpress layout */
	assert_no_sha("0.0.1+1750.5619aab");
}

/* Parsing: versions without a SHA */

static void parse_release_has_no_sha(void **state)
{
	struct sg_chartver v = cv("3.3.7");

	(void)state;
	assert_no_sha("3.3.7");
	assert_string_equal(v.base, "3.3.7");
	assert_string_equal(v.pre, "");
}

static void parse_prerelease_release_has_no_sha(void **state)
{
	struct sg_chartver v = cv("1.0.0-beta.1");

	(void)state;
	assert_no_sha("1.0.0-beta.1");
	assert_string_equal(v.base, "1.0.0");
	assert_string_equal(v.pre, "beta.1");
	assert_no_sha("0.9.0-beta.3");
	assert_no_sha("1.0.0-rc.1.2");
	assert_no_sha("v1.14.5");
}

static void parse_placeholder_has_no_sha(void **state)
{
	struct sg_chartver v = cv("0.0.1-set.by.chartpress");

	(void)state;
	assert_no_sha("0.0.1-set.by.chartpress");
	assert_string_equal(v.pre, "set.by.chartpress");
	/* '-' is an identifier character, so this is a version too */
	assert_no_sha("0.1.0--");
}

/* Parsing: near misses */

static void parse_six_hex_digits_is_no_sha(void **state)
{
	(void)state;
	assert_no_sha("0.1.0-441f5e");
	assert_no_sha("0.1.0-002.441f5e");
	assert_no_sha("0.2.0-n123.h441f5e");
	assert_no_sha("1.0.0-0.dev.git.3983.h38337d");
}

static void parse_41_hex_digits_is_no_sha(void **state)
{
	(void)state;
	assert_no_sha("0.1.0-0123456789abcdef0123456789abcdef012345678");
	assert_no_sha("0.2.0-n1.h0123456789abcdef0123456789abcdef012345678");
}

static void parse_uppercase_hex_is_no_sha(void **state)
{
	(void)state;
	assert_no_sha("0.1.0-441F5EA");
	assert_no_sha("0.1.0-441f5eA");
	assert_no_sha("0.1.0-002.441F5EA");
	assert_no_sha("0.2.0-n123.h441F5EA");
	assert_no_sha("0.2.0-N123.h441f5ea");
	assert_no_sha("1.0.0-0.dev.git.3983.H383374de");
	assert_no_sha("1.0.0-0.dev.GIT.3983.h383374de");
}

static void parse_git_describe_g_prefix_is_no_sha(void **state)
{
	(void)state;
	assert_no_sha("0.1.0-g441f5ea");
	assert_no_sha("0.1.0-14-g441f5ea");
}

static void parse_non_hex_is_no_sha(void **state)
{
	(void)state;
	assert_no_sha("0.1.0-441f5eg");
	assert_no_sha("0.1.2-005.asdf1234");
	assert_no_sha("0.2.0-n005.hasdf123");
}

static void parse_n_and_git_need_the_h_prefix(void **state)
{
	(void)state;
	assert_no_sha("0.2.0-n123.441f5ea");
	assert_no_sha("1.0.0-0.dev.git.39.383374de");
	/* with three digits or more it is the old count layout after a prerelease */
	assert_layout("1.0.0-0.dev.git.3983.383374de", SG_CHARTVER_COUNT, "1.0.0", "0.dev.git",
		      "383374de", 3983, 4);
}

static void parse_count_needs_three_digits(void **state)
{
	(void)state;
	assert_no_sha("0.1.0-02.441f5ea");
	assert_no_sha("0.1.0-2.441f5ea");
}

static void parse_missing_or_bad_count_is_no_sha(void **state)
{
	(void)state;
	assert_no_sha("1.0.0-0.dev.git.h383374de");
	assert_no_sha("1.0.0-0.dev.git.x1.h383374de");
	assert_no_sha("0.2.0-n.h441f5ea");
	assert_no_sha("0.2.0-nabc.h441f5ea");
	assert_no_sha("0.2.0-h441f5ea");
	assert_no_sha("0.1.0-441f5ea.002");
	assert_no_sha("0.1.0-beta.441f5ea");
	assert_no_sha("1.0.0-0.dev.git.99999999999999999999.h383374de");
}

static void parse_refuses_what_is_not_a_version(void **state)
{
	static const char *const bad[] = {
		"", "latest", "v", "1.2.3.4-441f5ea", "0.1.0-", "0.1.0_441f5ea", "0.1.0-441f5ea.",
		"441f5ea", " 0.1.0-441f5ea", "0.1.0-441f5ea ", "V0.7-2cdcb44",
		"0.1.0-n002..h441f5ea",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++) {
		struct sg_chartver v;

		if (sg_chartver_parse(&v, bad[i]) != -1)
			fail_msg("'%s' parsed", bad[i]);
	}
}

static void parse_refuses_null(void **state)
{
	struct sg_chartver v;

	(void)state;
	assert_int_equal(sg_chartver_parse(&v, NULL), -1);
	assert_int_equal(sg_chartver_parse(NULL, "0.1.0-441f5ea"), -1);
}

static void parse_refuses_a_base_that_does_not_fit(void **state)
{
	char s[200];
	struct sg_chartver v;

	(void)state;
	memset(s, '0', 130);
	memcpy(s + 130, "1-441f5ea", sizeof("1-441f5ea"));
	assert_int_equal(sg_chartver_parse(&v, s), -1);
}

static void parse_leaves_output_alone_on_failure(void **state)
{
	struct sg_chartver v = cv("0.2.0-n123.h441f5ea");

	(void)state;
	assert_int_equal(sg_chartver_parse(&v, "not a version"), -1);
	assert_int_equal(v.format, SG_CHARTVER_N);
	assert_string_equal(v.sha, "441f5ea");
}

/* Formatting */

static void format_from(const char *version, const char *sha, long count, const char *want)
{
	struct sg_chartver v = cv(version);
	char out[128];

	if (sg_chartver_format(out, sizeof(out), &v, sha, count) != 0)
		fail_msg("format of '%s' with %s/%ld failed", version, sha, count);
	assert_string_equal(out, want);
}

static void format_plain(void **state)
{
	struct sg_chartver v;
	char out[64];

	(void)state;
	memset(&v, 0, sizeof(v));
	v.format = SG_CHARTVER_PLAIN;
	memcpy(v.base, "0.1.0", sizeof("0.1.0"));
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", -1), 0);
	assert_string_equal(out, "0.1.0-441f5ea");
}

static void format_plain_keeps_the_v_base(void **state)
{
	(void)state;
	format_from("v0.7-2cdcb44", "441f5ea", 99, "v0.7-441f5ea");
}

static void format_count_pads_to_the_written_width(void **state)
{
	(void)state;
	format_from("0.1.0-002.441f5ea", "deadbee", 17, "0.1.0-017.deadbee");
	format_from("0.1.2-alpha.1.005.abcd1234", "deadbee", 6, "0.1.2-alpha.1.006.deadbee");
	format_from("0.1.0-0002.441f5ea", "deadbee", 3, "0.1.0-0003.deadbee");
}

static void format_n_pads_and_grows_past_the_width(void **state)
{
	(void)state;
	format_from("0.9.0-beta.3.n007.hc58048a", "deadbee", 42, "0.9.0-beta.3.n042.hdeadbee");
	format_from("0.2.0-n123.h441f5ea", "deadbee", 1234, "0.2.0-n1234.hdeadbee");
}

static void format_git_keeps_the_count_unpadded(void **state)
{
	(void)state;
	format_from("1.0.0-0.dev.git.3983.h383374de", "deadbeef", 3990,
		    "1.0.0-0.dev.git.3990.hdeadbeef");
	/* "git.07" would be refused by helm 3 */
	format_from("4.0.0-beta.1.git.12.habc1234", "deadbee", 7, "4.0.0-beta.1.git.7.hdeadbee");
	format_from("20240731-224556.git.8607.hf7abb041", "edc17750", 8610,
		    "20240731-224556.git.8610.hedc17750");
}

static void format_keeps_padding_a_git_count_was_written_with(void **state)
{
	(void)state;
	format_from("1.0.0-0.dev.git.007.h383374de", "deadbee", 8, "1.0.0-0.dev.git.008.hdeadbee");
	format_from("1.0.0-0.dev.git.0.h383374de", "deadbee", 12, "1.0.0-0.dev.git.12.hdeadbee");
}

static void format_keeps_the_sha_length_given(void **state)
{
	(void)state;
	format_from("0.1.0-441f5ea", "0123456789abcdef0123456789abcdef01234567", 0,
		    "0.1.0-0123456789abcdef0123456789abcdef01234567");
	format_from("0.2.0-n123.h441f5eab", "abcdef0", 123, "0.2.0-n123.habcdef0");
}

static void format_round_trips_every_layout(void **state)
{
	static const char *const versions[] = {
		"0.1.0-441f5ea", "v0.7-2cdcb44", "0.1.0-002.441f5ea", "0.1.2-alpha.1.005.abcd1234",
		"0.2.0-n123.h441f5ea", "0.1.0-n002.h441f5ea", "0.9.0-beta.3.n007.hc58048a",
		"1.0.0-0.dev.git.3983.h383374de", "4.0.0-beta.1.git.12.habc1234",
		"20240731-224556.git.8607.hf7abb041", "0.3.2-0.dev.git.267.h766bf8f",
		"1.0.0-git.0.h383374de", "0.1.0-1234567",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(versions); i++) {
		struct sg_chartver v = cv(versions[i]);
		char out[128];

		assert_int_equal(sg_chartver_format(out, sizeof(out), &v, v.sha, v.count), 0);
		assert_string_equal(out, versions[i]);
	}
}

static void format_fails_when_it_does_not_fit(void **state)
{
	struct sg_chartver v = cv("0.2.0-n123.h441f5ea");
	char out[32];

	(void)state;
	/* "0.2.0-n123.h441f5ea" needs 20 bytes with its NUL */
	assert_int_equal(sg_chartver_format(out, 20, &v, "441f5ea", 123), 0);
	assert_string_equal(out, "0.2.0-n123.h441f5ea");
	memset(out, 'x', sizeof(out));
	assert_int_equal(sg_chartver_format(out, 19, &v, "441f5ea", 123), -1);
	assert_string_equal(out, "");
	assert_int_equal(sg_chartver_format(out, 1, &v, "441f5ea", 123), -1);
	assert_int_equal(sg_chartver_format(out, 0, &v, "441f5ea", 123), -1);
	assert_int_equal(sg_chartver_format(NULL, 32, &v, "441f5ea", 123), -1);
}

static void format_refuses_a_version_without_sha(void **state)
{
	struct sg_chartver v = cv("3.3.7");
	char out[64];

	(void)state;
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 1), -1);
	assert_string_equal(out, "");
}

static void format_refuses_a_bad_sha(void **state)
{
	static const char *const bad[] = {
		"441f5e", "441F5EA", "g441f5ea", "h441f5ea", "", "441f5ea ",
		"0123456789abcdef0123456789abcdef012345678",
	};
	struct sg_chartver v = cv("0.2.0-n123.h441f5ea");
	char out[128];
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(bad); i++)
		if (sg_chartver_format(out, sizeof(out), &v, bad[i], 1) != -1)
			fail_msg("sha '%s' formatted as '%s'", bad[i], out);
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, NULL, 1), -1);
	assert_int_equal(sg_chartver_format(out, sizeof(out), NULL, "441f5ea", 1), -1);
}

static void format_needs_a_count_where_the_layout_has_one(void **state)
{
	static const char *const versions[] = {
		"0.1.0-002.441f5ea", "0.2.0-n123.h441f5ea", "1.0.0-0.dev.git.3983.h383374de",
	};
	char out[128];
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(versions); i++) {
		struct sg_chartver v = cv(versions[i]);

		assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "deadbee", -1), -1);
		assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "deadbee", 0), 0);
	}
}

static void format_defaults_the_width_of_a_hand_built_version(void **state)
{
	struct sg_chartver v;
	char out[128];

	(void)state;
	memset(&v, 0, sizeof(v));
	memcpy(v.base, "0.1.0", sizeof("0.1.0"));
	v.format = SG_CHARTVER_COUNT;
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 2), 0);
	assert_string_equal(out, "0.1.0-002.441f5ea");
	v.format = SG_CHARTVER_N;
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 2), 0);
	assert_string_equal(out, "0.1.0-n002.h441f5ea");
	v.format = SG_CHARTVER_GIT;
	memcpy(v.pre, "0.dev", sizeof("0.dev"));
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 2), 0);
	assert_string_equal(out, "0.1.0-0.dev.git.2.h441f5ea");
}

static void format_refuses_what_would_not_read_back(void **state)
{
	struct sg_chartver v;
	char out[128];

	(void)state;
	memset(&v, 0, sizeof(v));
	v.format = SG_CHARTVER_PLAIN;
	/* no base */
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 0), -1);
	memcpy(v.base, "not a base", sizeof("not a base"));
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 0), -1);
	/* PLAIN takes no prerelease */
	memcpy(v.base, "0.1.0", sizeof("0.1.0"));
	memcpy(v.pre, "beta", sizeof("beta"));
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 0), -1);
	/* a two-digit count would read back as no count at all */
	v.format = SG_CHARTVER_COUNT;
	v.pre[0] = '\0';
	v.count_width = 2;
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 5), -1);
	/* a bad prerelease */
	v.count_width = 3;
	memcpy(v.pre, "a..b", sizeof("a..b"));
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 5), -1);
	/* fields that are not terminated */
	v.pre[0] = '\0';
	memset(v.base, '1', sizeof(v.base));
	assert_int_equal(sg_chartver_format(out, sizeof(out), &v, "441f5ea", 5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_plain),
		cmocka_unit_test(parse_plain_with_v_and_two_parts),
		cmocka_unit_test(parse_count),
		cmocka_unit_test(parse_count_after_prerelease),
		cmocka_unit_test(parse_n),
		cmocka_unit_test(parse_n_after_prerelease),
		cmocka_unit_test(parse_git),
		cmocka_unit_test(parse_git_after_beta),
		cmocka_unit_test(parse_git_with_a_date_as_major),
		cmocka_unit_test(parse_git_without_prerelease),
		cmocka_unit_test(parse_full_length_sha),
		cmocka_unit_test(parse_all_digit_sha_is_a_sha),
		cmocka_unit_test(parse_ignores_build_metadata),
		cmocka_unit_test(parse_release_has_no_sha),
		cmocka_unit_test(parse_prerelease_release_has_no_sha),
		cmocka_unit_test(parse_placeholder_has_no_sha),
		cmocka_unit_test(parse_six_hex_digits_is_no_sha),
		cmocka_unit_test(parse_41_hex_digits_is_no_sha),
		cmocka_unit_test(parse_uppercase_hex_is_no_sha),
		cmocka_unit_test(parse_git_describe_g_prefix_is_no_sha),
		cmocka_unit_test(parse_non_hex_is_no_sha),
		cmocka_unit_test(parse_n_and_git_need_the_h_prefix),
		cmocka_unit_test(parse_count_needs_three_digits),
		cmocka_unit_test(parse_missing_or_bad_count_is_no_sha),
		cmocka_unit_test(parse_refuses_what_is_not_a_version),
		cmocka_unit_test(parse_refuses_null),
		cmocka_unit_test(parse_refuses_a_base_that_does_not_fit),
		cmocka_unit_test(parse_leaves_output_alone_on_failure),
		cmocka_unit_test(format_plain),
		cmocka_unit_test(format_plain_keeps_the_v_base),
		cmocka_unit_test(format_count_pads_to_the_written_width),
		cmocka_unit_test(format_n_pads_and_grows_past_the_width),
		cmocka_unit_test(format_git_keeps_the_count_unpadded),
		cmocka_unit_test(format_keeps_padding_a_git_count_was_written_with),
		cmocka_unit_test(format_keeps_the_sha_length_given),
		cmocka_unit_test(format_round_trips_every_layout),
		cmocka_unit_test(format_fails_when_it_does_not_fit),
		cmocka_unit_test(format_refuses_a_version_without_sha),
		cmocka_unit_test(format_refuses_a_bad_sha),
		cmocka_unit_test(format_needs_a_count_where_the_layout_has_one),
		cmocka_unit_test(format_defaults_the_width_of_a_hand_built_version),
		cmocka_unit_test(format_refuses_what_would_not_read_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

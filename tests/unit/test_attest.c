/*
 * Unit tests for shared/attest.c: the JSON line format of attestations, its parsing (foreign
 * lines in a note are skipped) and the UTC timestamps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "attest.h"

static void format_then_parse_round_trips(void **state)
{
	struct sg_attestation a = { "staging", "pass", "ci-bot", "tests \"ok\"\nall", 1700000000 };
	struct sg_attestation b;
	struct sg_buf line = SG_BUF_INIT;

	(void)state;
	sg_attest_format(&line, &a);
	assert_string_equal(line.buf, "{\"env\":\"staging\",\"result\":\"pass\",\"user\":\"ci-bot\","
			    "\"time\":\"2023-11-14T22:13:20Z\","
			    "\"message\":\"tests \\\"ok\\\"\\nall\"}\n");
	assert_int_equal(sg_attest_parse_line(&b, line.buf, line.len - 1), 0);
	assert_string_equal(b.env, "staging");
	assert_string_equal(b.result, "pass");
	assert_string_equal(b.user, "ci-bot");
	assert_string_equal(b.message, "tests \"ok\"\nall");
	assert_int_equal(b.time, 1700000000);
	sg_attestation_release(&b);
	sg_buf_release(&line);
}

static void format_leaves_out_an_absent_message(void **state)
{
	struct sg_attestation a = { "prod", "fail", "alice", NULL, 0 };
	struct sg_buf line = SG_BUF_INIT;

	(void)state;
	sg_attest_format(&line, &a);
	assert_string_equal(line.buf, "{\"env\":\"prod\",\"result\":\"fail\",\"user\":\"alice\","
			    "\"time\":\"1970-01-01T00:00:00Z\"}\n");
	sg_buf_release(&line);
}

static void parse_refuses_what_is_not_an_attestation(void **state)
{
	static const char *const bad[] = {
		"", "deployed by hand", "[1, 2]", "{\"env\": \"staging\"}",
		"{\"env\":\"s\",\"result\":\"pass\",\"user\":\"u\",\"time\":\"yesterday\"}",
		"{\"env\":\"s\",\"result\":\"pass\",\"user\":\"u\",\"time\":\"2024-13-01T00:00:00Z\"}",
		"{\"env\": [", NULL
	};
	struct sg_attestation a;
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++)
		assert_int_equal(sg_attest_parse_line(&a, bad[i], strlen(bad[i])), -1);
}

static void a_note_keeps_only_attestation_lines(void **state)
{
	const char *note =
		"Reviewed-by: someone\n"
		"{\"env\":\"staging\",\"result\":\"fail\",\"user\":\"ci\",\"time\":\"2024-05-01T10:00:00Z\"}\n"
		"\n"
		"{\"env\":\"staging\",\"result\":\"pass\",\"user\":\"ci\",\"time\":\"2024-05-01T11:00:00Z\"}";
	struct sg_attestations list;

	(void)state;
	memset(&list, 0, sizeof(list));
	sg_attest_parse_note(&list, note);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.v[0].result, "fail");
	assert_string_equal(list.v[1].result, "pass");
	assert_int_equal(list.v[1].time - list.v[0].time, 3600);
	sg_attestations_release(&list);
}

static void times_parse_as_utc(void **state)
{
	long long t;
	struct sg_buf b = SG_BUF_INIT;

	(void)state;
	assert_int_equal(sg_attest_time_parse(&t, "2024-02-29T23:59:59Z"), 0);
	assert_int_equal(t, 1709251199);
	sg_attest_time_format(&b, t);
	assert_string_equal(b.buf, "2024-02-29T23:59:59Z");
	assert_int_equal(sg_attest_time_parse(&t, "2024-02-29T23:59:59"), -1);
	assert_int_equal(sg_attest_time_parse(&t, "2024-02-29T23:59:59Z+1"), -1);
	sg_buf_release(&b);
}

static void times_parse_strictly(void **state)
{
	static const char *const bad[] = {
		"2024-02-31T00:00:00Z",		/* no such day: not March 2nd */
		"2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-00-10T00:00:00Z",
		"2024-05-00T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z",
		"2024-05-01T12:00:60Z", "+024-05-01T12:00:00Z", "2024--5-01T12:00:00Z",
		"2024-05- 1T12:00:00Z", "2024-05-01T 1:00:00Z", "2024-05-01t12:00:00Z",
		"2024-5-1T12:00:00Z", "2024-05-01T12:00:00.5Z", " 2024-05-01T12:00:00Z",
		"", NULL
	};
	long long t = 42;
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		if (sg_attest_time_parse(&t, bad[i]) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(t, 42);
	}
	assert_int_equal(sg_attest_time_parse(&t, "1970-01-01T00:00:00Z"), 0);
	assert_int_equal(t, 0);
	assert_int_equal(sg_attest_time_parse(&t, "2000-12-31T23:59:59Z"), 0);
	assert_int_equal(t, 978307199);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_then_parse_round_trips),
		cmocka_unit_test(format_leaves_out_an_absent_message),
		cmocka_unit_test(parse_refuses_what_is_not_an_attestation),
		cmocka_unit_test(a_note_keeps_only_attestation_lines),
		cmocka_unit_test(times_parse_as_utc),
		cmocka_unit_test(times_parse_strictly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

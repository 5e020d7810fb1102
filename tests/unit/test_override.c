/*
 * Unit tests for shared/override.c: who may override, and the audit line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "override.h"

static char *users[] = { "alice", "carol", NULL };
static const struct sg_override policy = { "stagegate.override", users, 2, "audit.log" };

static void a_listed_user_with_a_reason_may_override(void **state)
{
	struct sg_buf why = SG_BUF_INIT;

	(void)state;
	assert_int_equal(sg_override_allowed(&why, &policy, "carol", "staging is down"), 0);
	assert_int_equal(why.len, 0);
}

static void an_unlisted_user_may_not(void **state)
{
	struct sg_buf why = SG_BUF_INIT;

	(void)state;
	assert_int_equal(sg_override_allowed(&why, &policy, "Alice", "outage"), -1);
	assert_string_equal(why.buf, "user 'Alice' is not in promotion.override.users");
	sg_buf_release(&why);
}

static void a_blank_reason_is_no_reason(void **state)
{
	struct sg_buf why = SG_BUF_INIT;

	(void)state;
	assert_int_equal(sg_override_allowed(&why, &policy, "alice", " \t"), -1);
	assert_non_null(strstr(why.buf, "the reason is empty"));
	sg_buf_release(&why);
}

static void nobody_may_override_without_users(void **state)
{
	struct sg_override none = { "stagegate.override", NULL, 0, NULL };
	struct sg_buf why = SG_BUF_INIT;

	(void)state;
	assert_int_equal(sg_override_allowed(&why, &none, "alice", "outage"), -1);
	assert_string_equal(why.buf, "nobody may override: promotion.override.users is empty");
	sg_buf_release(&why);
}

static void the_audit_line_names_refs_and_refusals(void **state)
{
	struct sg_updates u;
	struct sg_diags d;
	struct sg_buf line = SG_BUF_INIT;
	git_oid a, b;

	(void)state;
	sg_updates_init(&u);
	sg_diags_init(&d, "promotion");
	git_oid_fromstr(&a, "1111111111111111111111111111111111111111");
	git_oid_fromstr(&b, "2222222222222222222222222222222222222222");
	sg_updates_add(&u, &a, &b, "refs/heads/prod");
	sg_diag_set_ref(sg_diags_add(&d, SG_ERROR, "promotion-untested", "not on \"staging\""),
			"refs/heads/prod", NULL);
	sg_diags_add(&d, SG_NOTE, "promotion", "a note is not a refusal");
	sg_override_audit_line(&line, 1700000000, "receive-pack-4242-987654", "promotion", "alice", "outage\n#42",
			       &u, &d);
	assert_string_equal(line.buf,
		"{\"time\":\"2023-11-14T22:13:20Z\",\"push\":\"receive-pack-4242-987654\",\"user\":\"alice\","
		"\"check\":\"promotion\","
		"\"reason\":\"outage\\n#42\",\"refs\":[{\"ref\":\"refs/heads/prod\","
		"\"old\":\"1111111111111111111111111111111111111111\","
		"\"new\":\"2222222222222222222222222222222222222222\"}],"
		"\"refused\":[{\"rule\":\"promotion-untested\",\"ref\":\"refs/heads/prod\","
		"\"message\":\"not on \\\"staging\\\"\"}]}\n");
	sg_buf_release(&line);
	sg_diags_release(&d);
	sg_updates_release(&u);
}

static void the_audit_log_is_relative_to_git_dir_unless_absolute(void **state)
{
	struct sg_override abs = { "x", NULL, 0, "/var/log/stagegate.log" };
	struct sg_buf p = SG_BUF_INIT;

	(void)state;
	sg_override_audit_path(&p, &abs, NULL);
	assert_string_equal(p.buf, "/var/log/stagegate.log");
	sg_buf_release(&p);
}

static void audit_lines_are_appended_whole(void **state)
{
	char dir[] = "/tmp/sg-override-XXXXXX";
	struct sg_buf path = SG_BUF_INIT, line = SG_BUF_INIT, got = SG_BUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	sg_buf_addf(&path, "%s/audit.log", dir);
	sg_buf_addstr(&line, "{\"a\":1}\n");
	assert_int_equal(sg_override_append(path.buf, &line), 0);
	assert_int_equal(sg_override_append(path.buf, &line), 0);
	assert_int_equal(sg_buf_read_file(&got, path.buf), 0);
	assert_string_equal(got.buf, "{\"a\":1}\n{\"a\":1}\n");
	unlink(path.buf);
	sg_buf_reset(&path);
	/* A directory where the log should be: refused, not ignored. */
	assert_int_equal(sg_override_append(dir, &line), -1);
	rmdir(dir);
	sg_buf_release(&path);
	sg_buf_release(&line);
	sg_buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_listed_user_with_a_reason_may_override),
		cmocka_unit_test(an_unlisted_user_may_not),
		cmocka_unit_test(a_blank_reason_is_no_reason),
		cmocka_unit_test(nobody_may_override_without_users),
		cmocka_unit_test(the_audit_line_names_refs_and_refusals),
		cmocka_unit_test(the_audit_log_is_relative_to_git_dir_unless_absolute),
		cmocka_unit_test(audit_lines_are_appended_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

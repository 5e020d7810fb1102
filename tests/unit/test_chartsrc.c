/*
 * Unit tests for shared/chartsrc.c path normalization and shared/helmindex.c lookups (the
 * history walk itself is tested through real git in tests/chart-sha.bats).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "chartsrc.h"
#include "helmindex.h"

static void norm(const char *base, const char *path, const char *want)
{
	char *got = sg_chartsrc_norm_path(base, path);

	if (!want) {
		if (got)
			fail_msg("'%s' + '%s' gave '%s', want NULL", base, path, got);
		return;
	}
	if (!got)
		fail_msg("'%s' + '%s' gave NULL, want '%s'", base, path, want);
	assert_string_equal(got, want);
	free(got);
}

static void norm_paths(void **state)
{
	(void)state;
	norm("helm-chart", ".", "helm-chart");
	norm("helm-chart", "../setup.py", "setup.py");
	norm("helm-chart", "../binderhub/", "binderhub");
	norm("helm-chart", "./images//x/", "helm-chart/images/x");
	norm("", ".", "");
	norm("", "a/b/../c", "a/c");
	norm("helm-chart", "../../x", NULL);
	norm("", "/etc", NULL);
}

static const char index_text[] =
	"apiVersion: v1\n"
	"entries:\n"
	"  binderhub:\n"
	"    - {name: binderhub, version: v0.7-2cdcb44}\n"
	"    - {name: binderhub, version: 0.1.0-441f5ea}\n"
	"  other: []\n";

static void index_lookup(void **state)
{
	struct sg_helmindex *idx = NULL;

	(void)state;
	assert_int_equal(sg_helmindex_parse(&idx, "index.yaml", index_text, sizeof(index_text) - 1), 0);
	assert_int_equal(sg_helmindex_has(idx, "binderhub", "v0.7.0-2cdcb44"), 1);
	assert_int_equal(sg_helmindex_has(idx, "binderhub", "0.1.0-441f5ea"), 1);
	assert_int_equal(sg_helmindex_has(idx, "binderhub", "0.1.0-441f5eb"), 0);
	assert_int_equal(sg_helmindex_has(idx, "other", "0.1.0-441f5ea"), 0);
	assert_int_equal(sg_helmindex_has(idx, "missing", "0.1.0-441f5ea"), 0);
	assert_string_equal(sg_helmindex_version(idx, "binderhub", 1), "0.1.0-441f5ea");
	assert_null(sg_helmindex_version(idx, "binderhub", 2));
	sg_helmindex_free(idx);
}

static void verdict_names(void **state)
{
	(void)state;
	assert_string_equal(sg_chartsrc_verdict_name(SG_VERDICT_NOT_A_CHANGE), "not-a-chart-change");
	assert_int_equal(sg_chartsrc_verdict_is_error(SG_VERDICT_COUNT_MISMATCH), 0);
	assert_int_equal(sg_chartsrc_verdict_is_error(SG_VERDICT_UNPUBLISHED), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(norm_paths),
		cmocka_unit_test(index_lookup),
		cmocka_unit_test(verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

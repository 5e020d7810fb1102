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
#include <unistd.h>

#include <git2.h>

#include "buf.h"
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

/* A chain of n commits whose last one adds the file x. */
static git_oid chain(git_repository *repo, int n)
{
	git_signature *sig = NULL;
	git_treebuilder *tb = NULL;
	git_tree *empty = NULL, *withx = NULL;
	git_commit *parent = NULL;
	git_oid tid, bid, cid;
	int i;

	assert_int_equal(git_signature_new(&sig, "t", "t@x", 1600000000, 0), 0);
	assert_int_equal(git_treebuilder_new(&tb, repo, NULL), 0);
	assert_int_equal(git_treebuilder_write(&tid, tb), 0);
	assert_int_equal(git_tree_lookup(&empty, repo, &tid), 0);
	assert_int_equal(git_blob_create_from_buffer(&bid, repo, "x\n", 2), 0);
	assert_int_equal(git_treebuilder_insert(NULL, tb, "x", &bid, GIT_FILEMODE_BLOB), 0);
	assert_int_equal(git_treebuilder_write(&tid, tb), 0);
	assert_int_equal(git_tree_lookup(&withx, repo, &tid), 0);
	for (i = 0; i < n; i++) {
		const git_commit *parents[1] = { parent };

		assert_int_equal(git_commit_create(&cid, repo, NULL, sig, sig, NULL, "c",
						   i == n - 1 ? withx : empty, parent ? 1 : 0,
						   parents), 0);
		git_commit_free(parent);
		assert_int_equal(git_commit_lookup(&parent, repo, &cid), 0);
	}
	git_commit_free(parent);
	git_tree_free(empty);
	git_tree_free(withx);
	git_treebuilder_free(tb);
	git_signature_free(sig);
	return cid;
}

/* The ancestor count's set starts at 1024 slots and grows at half full: 600 commits cross it. */
static void count_past_first_growth(void **state)
{
	char dir[] = "/tmp/sg-test-chartsrc.XXXXXX";
	char *const paths[] = { "x", NULL };
	git_repository *repo = NULL;
	struct sg_chartsrc src;
	struct sg_chartsrc_result r;
	struct sg_buf v = SG_BUF_INIT, cmd = SG_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid tip;

	(void)state;
	assert_non_null(mkdtemp(dir));
	git_libgit2_init();
	assert_int_equal(git_repository_init(&repo, dir, 1), 0);
	tip = chain(repo, 600);
	memset(&src, 0, sizeof(src));
	src.repo = repo;
	src.paths = paths;
	src.cache = sg_chartsrc_cache_new();
	sg_buf_addf(&v, "0.1.0-n1.h%s", git_oid_tostr(hex, 8, &tip));
	assert_int_equal(sg_chartsrc_verify(&r, &src, sg_buf_str(&v)), 0);
	assert_int_equal(r.verdict, SG_VERDICT_COUNT_MISMATCH);
	assert_int_equal(r.count, 600);
	sg_chartsrc_result_release(&r);
	/* the second time the count comes from the cache, and agrees */
	assert_int_equal(sg_chartsrc_verify(&r, &src, sg_buf_str(&v)), 0);
	assert_int_equal(r.count, 600);
	sg_chartsrc_result_release(&r);
	sg_chartsrc_cache_free(src.cache);
	git_repository_free(repo);
	git_libgit2_shutdown();
	sg_buf_addf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(sg_buf_str(&cmd)), 0);
	sg_buf_release(&cmd);
	sg_buf_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(count_past_first_growth),
		cmocka_unit_test(norm_paths),
		cmocka_unit_test(index_lookup),
		cmocka_unit_test(verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

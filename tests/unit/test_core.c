/*
 * Unit tests of the core library: YAML trees with positions, config validation and the
 * deployment model, hook input parsing, globs, suggestions, diagnostics and child processes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "buf.h"
#include "gitlib.h"
#include "config.h"
#include "diag.h"
#include "glob.h"
#include "run.h"
#include "strv.h"
#include "suggest.h"
#include "update.h"
#include "yamldoc.h"

static struct sg_yaml_doc *parse_ok(const char *text)
{
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;

	assert_int_equal(sg_yaml_parse(&doc, text, strlen(text), 0, &err), 0);
	return doc;
}

static void yaml_positions_are_one_based(void **state)
{
	struct sg_yaml_doc *doc = parse_ok("a: 1\nhub:\n  db:\n    type: postgres\n");
	const struct sg_yaml_node *n = sg_yaml_path(sg_yaml_root(doc), "hub.db.type");

	(void)state;
	assert_non_null(n);
	assert_string_equal(n->value, "postgres");
	assert_int_equal(n->start.line, 4);
	assert_int_equal(n->start.col, 11);
	assert_null(sg_yaml_path(sg_yaml_root(doc), "hub.db.url"));
	sg_yaml_free(doc);
}

static void yaml_duplicate_keys_kept_last_wins(void **state)
{
	struct sg_yaml_doc *doc = parse_ok("k: 1\nk: 2\n");
	const struct sg_yaml_node *root = sg_yaml_root(doc);

	(void)state;
	assert_int_equal(root->n, 2);
	assert_string_equal(sg_yaml_get(root, "k")->value, "2");
	assert_int_equal(sg_yaml_get_key(root, "k")->start.line, 2);
	sg_yaml_free(doc);
}

static void yaml_error_has_problem_and_context(void **state)
{
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;
	const char *text = "a: [1, 2\nb: 3\n";

	(void)state;
	assert_int_equal(sg_yaml_parse(&doc, text, strlen(text), 0, &err), -1);
	assert_null(doc);
	assert_true(strlen(err.problem) > 0);
	assert_true(strlen(err.context) > 0);
	assert_int_equal(err.context_pos.line, 1);
	assert_int_equal(err.context_pos.col, 4);
}

static void yaml_aliases_link_without_expanding(void **state)
{
	struct sg_yaml_doc *doc = parse_ok("a: &x {k: v}\nb: *x\nc: *nope\n");
	const struct sg_yaml_node *root = sg_yaml_root(doc);

	(void)state;
	assert_string_equal(sg_yaml_path(root, "b.k")->value, "v");
	assert_null(sg_yaml_get(root, "c"));
	assert_int_equal(doc->nnodes, 9);
	sg_yaml_free(doc);
}

static void yaml_depth_limit_is_an_error(void **state)
{
	struct sg_buf b = SG_BUF_INIT;
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		sg_buf_addch(&b, '[');
	for (i = 0; i < 200; i++)
		sg_buf_addch(&b, ']');
	assert_int_equal(sg_yaml_parse(&doc, b.buf, b.len, 100, &err), -1);
	assert_non_null(strstr(err.problem, "nesting deeper than 100"));
	assert_int_equal(sg_yaml_parse(&doc, b.buf, b.len, 300, &err), 0);
	assert_int_equal(doc->max_depth, 200);
	sg_yaml_free(doc);
	sg_buf_release(&b);
}

static void yaml_scalars_typed_as_helm_reads_them(void **state)
{
	struct sg_yaml_doc *doc = parse_ok("a: yes\nb: 'yes'\nc: 1.5\nd: ~\ne: text\n");
	const struct sg_yaml_node *r = sg_yaml_root(doc);

	(void)state;
	assert_int_equal(sg_yaml_bool(sg_yaml_get(r, "a")), 1);
	assert_int_equal(sg_yaml_bool(sg_yaml_get(r, "b")), -1);
	assert_true(sg_yaml_is_nonstring(sg_yaml_get(r, "c")));
	assert_true(sg_yaml_is_null(sg_yaml_get(r, "d")));
	assert_false(sg_yaml_is_nonstring(sg_yaml_get(r, "e")));
	sg_yaml_free(doc);
}

static struct sg_config *config_ok(const char *text)
{
	struct sg_config *cfg = NULL;

	assert_int_equal(sg_config_parse(&cfg, "t.yml", text, strlen(text)), 0);
	return cfg;
}

static void config_error(const char *text)
{
	struct sg_config *cfg = NULL;

	assert_int_equal(sg_config_parse(&cfg, "t.yml", text, strlen(text)), -1);
	assert_null(cfg);
}

static void config_chain_resolves_upstream(void **state)
{
	struct sg_config *cfg = config_ok(
		"deployments:\n"
		"  - name: hub\n"
		"    chain: [dev, staging, prod]\n"
		"    urls: {prod: 'https://hub', staging: 'https://s.hub'}\n");
	struct sg_target t;

	(void)state;
	assert_int_equal(sg_config_resolve(&t, cfg, "prod", 0), 1);
	assert_string_equal(t.upstream, "staging");
	assert_string_equal(t.url, "https://hub");
	assert_string_equal(t.upstream_url, "https://s.hub");
	sg_target_release(&t);
	assert_int_equal(sg_config_resolve(&t, cfg, "staging", 0), 1);
	assert_string_equal(t.upstream, "dev");
	sg_target_release(&t);
	assert_int_equal(sg_config_resolve(&t, cfg, "dev", 0), 0);
	assert_int_equal(sg_config_resolve(&t, cfg, "dev", 1), 1);
	assert_null(t.upstream);
	sg_target_release(&t);
	assert_int_equal(sg_config_resolve(&t, cfg, "feature", 0), 0);
	sg_config_free(cfg);
}

static void config_pattern_expands_named_groups(void **state)
{
	struct sg_config *cfg = config_ok(
		"deployments:\n"
		"  - name: courses\n"
		"    match: '^(?<hub>[a-z0-9-]+)-prod$'\n"
		"    from: '${hub}-staging'\n"
		"    urls: {staging: 'https://${hub}-staging.example.org'}\n"
		"    values: ['deployments/${hub}/config/${stage}.yaml']\n");
	struct sg_target t;
	struct sg_buf b = SG_BUF_INIT;

	(void)state;
	assert_int_equal(sg_config_resolve(&t, cfg, "physics-prod", 0), 1);
	assert_string_equal(t.upstream, "physics-staging");
	assert_string_equal(t.env, "prod");
	assert_string_equal(t.upstream_url, "https://physics-staging.example.org");
	sg_target_expand(&b, &t, cfg->deployments[0].values[0]);
	assert_string_equal(b.buf, "deployments/physics/config/prod.yaml");
	sg_target_release(&t);
	assert_int_equal(sg_config_resolve(&t, cfg, "physics-staging", 0), 0);
	assert_int_equal(sg_config_resolve(&t, cfg, "physics-staging", 1), 1);
	assert_null(t.upstream);
	assert_string_equal(t.env, "staging");
	assert_string_equal(t.url, "https://physics-staging.example.org");
	sg_target_release(&t);
	assert_int_equal(sg_config_resolve(&t, cfg, "prod", 0), 0);
	sg_buf_release(&b);
	sg_config_free(cfg);
}

static void config_defaults_and_stage_lists(void **state)
{
	struct sg_config *cfg = config_ok("stages:\n  pre-push: [promotion]\n  ci: ~\n");

	(void)state;
	assert_true(sg_config_runs(cfg, SG_STAGE_PRE_PUSH, "promotion"));
	assert_false(sg_config_runs(cfg, SG_STAGE_PRE_PUSH, "helm-lint"));
	assert_int_equal(cfg->stages[SG_STAGE_CI].n, 0);
	assert_true(sg_config_runs(cfg, SG_STAGE_PRE_RECEIVE, "promotion"));
	assert_int_equal(cfg->stages[SG_STAGE_UPDATE].n, 0);
	assert_string_equal(cfg->promotion.override.push_option, "stagegate.override");
	sg_config_free(cfg);
}

static void config_rejects_mistakes(void **state)
{
	(void)state;
	config_error("deployments:\n  - name: x\n    chian: [a, b]\n");
	config_error("deployments:\n  - name: x\n    chain: [prod]\n");
	config_error("deployments:\n  - name: x\n    chain: [a, a]\n");
	config_error("deployments:\n  - chain: [a, b]\n");
	config_error("deployments:\n  - name: x\n    match: '(['\n    from: y\n");
	config_error("deployments:\n  - name: x\n    match: 'a'\n");
	config_error("deployments:\n  - {name: x, chain: [s, p]}\n  - {name: y, chain: [t, p]}\n");
	config_error("promotion: {soak_minutes: -3}\n");
	config_error("promotion: {require_attestation: maybe}\n");
	config_error("stages: {pre-push: [Bad Name]}\n");
	config_error("version: 2\n");
	config_error("a: 1\na: 2\n");
	config_error("--- {}\n--- {}\n");
	config_error("[1, 2]\n");
	config_error("deployments:\n  - name: x\n    match: '^(?<hub>.+)-prod$'\n"
		     "    from: '${hb}-staging'\n");
	config_error("deployments:\n  - name: x\n    match: '^(.+)-prod$'\n"
		     "    from: '${2}-staging'\n");
	config_error("deployments:\n  - name: x\n    chain: [staging, prod]\n"
		     "    urls: {prod: 'https://${hub}.org'}\n");
	config_error("deployments:\n  - name: x\n    match: '^(?<hub>.+)-prod$'\n"
		     "    from: '${hub}-staging'\n    values: ['d/${hb}/${stage}.yaml']\n");
	config_error("deployments:\n  - {name: a, chain: [physics-staging, physics-prod]}\n"
		     "  - {name: b, match: '^(?<hub>.+)-prod$', from: '${hub}-staging'}\n");
	config_error("deployments:\n  - name: ''\n    chain: [a, b]\n");
	config_error("deployments:\n  - name: x\n    chain: [a, ~]\n");
	config_error("deployments:\n  - name: x\n    chain: [a, b]\n    urls: [a]\n");
	config_error("promotion: {soak_minutes: 99999999999999999999999}\n");
	config_error("promotion: {require_attestation: yes}\n");
}

static void config_empty_file_is_defaults(void **state)
{
	struct sg_config *cfg = config_ok("");

	(void)state;
	assert_int_equal(cfg->ndeployments, 0);
	sg_config_free(cfg);
}

#define OID_A "1111111111111111111111111111111111111111"
#define OID_B "2222222222222222222222222222222222222222"
#define ZERO "0000000000000000000000000000000000000000"

static void update_parses_receive_lines(void **state)
{
	struct sg_updates u;
	const char *in = OID_A " " OID_B " refs/heads/prod\n" ZERO " " OID_A " refs/heads/new\r\n";

	(void)state;
	sg_updates_init(&u);
	assert_int_equal(sg_updates_parse_receive(&u, in, strlen(in), "stdin"), 0);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.v[0].ref, "refs/heads/prod");
	assert_true(sg_oid_is_zero(&u.v[1].old_oid));
	assert_string_equal(sg_ref_branch(u.v[1].ref), "new");
	sg_updates_release(&u);
}

static void update_rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"garbage\n",
		OID_A " " OID_B "\n",
		OID_A " " OID_B " refs/heads/x extra\n",
		"zz" OID_A " " OID_B " refs/heads/x\n",
		OID_A " " OID_B " not-a-ref\n",
		OID_A " " OID_B " refs/heads/a..b\n",
		OID_A "  " OID_B " refs/heads/x\n",
		NULL
	};
	struct sg_updates u;
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		sg_updates_init(&u);
		assert_int_equal(sg_updates_parse_receive(&u, bad[i], strlen(bad[i]), "t"), -1);
		sg_updates_release(&u);
	}
	sg_updates_init(&u);
	assert_int_equal(sg_updates_parse_receive(&u, "a\0b", 3, "t"), -1);
	sg_updates_release(&u);
}

static void update_parses_push_lines(void **state)
{
	struct sg_updates u;
	const char *in = "refs/heads/x " OID_B " refs/heads/prod " OID_A "\n"
			 "(delete) " ZERO " refs/heads/old " OID_A "\n";

	(void)state;
	sg_updates_init(&u);
	assert_int_equal(sg_updates_parse_push(&u, in, strlen(in), "stdin"), 0);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.v[0].ref, "refs/heads/prod");
	assert_true(sg_oid_is_zero(&u.v[1].new_oid));
	sg_updates_release(&u);
	/* A push by SHA or expression: the local side is not a ref name. */
	in = "0a0b0c0d HEAD~1 " OID_B " refs/heads/prod " OID_A "\n";
	sg_updates_init(&u);
	assert_int_equal(sg_updates_parse_push(&u, in, strlen(in), "stdin"), -1);
	sg_updates_release(&u);
	in = OID_B " " OID_B " refs/heads/prod " OID_A "\n";
	sg_updates_init(&u);
	assert_int_equal(sg_updates_parse_push(&u, in, strlen(in), "stdin"), 0);
	assert_int_equal(u.n, 1);
	assert_string_equal(u.v[0].ref, "refs/heads/prod");
	sg_updates_release(&u);
}

static void glob_matches_like_gitignore(void **state)
{
	(void)state;
	assert_true(sg_glob_match("**/*.yaml", "a.yaml"));
	assert_true(sg_glob_match("**/*.yaml", "deployments/x/config/a.yaml"));
	assert_true(sg_glob_match("deployments/*/config/*.yaml", "deployments/x/config/a.yaml"));
	assert_false(sg_glob_match("deployments/*/config/*.yaml", "deployments/x/y/config/a.yaml"));
	assert_true(sg_glob_match("**/secrets/**", "deployments/x/secrets/prod.yaml"));
	assert_false(sg_glob_match("*.yaml", "dir/a.yaml"));
	assert_true(sg_glob_match("a?c.y[am]ml", "abc.yaml"));
	assert_false(sg_glob_match("a?c", "a/c"));
	/* An unclosed class is a literal '[', and never read past its end. */
	assert_true(sg_glob_match("a[", "a["));
	assert_false(sg_glob_match("a[!", "ab"));
	assert_true(sg_glob_match("x[ab", "x[ab"));
}

static void strv_pushes_and_sort_uniques(void **state)
{
	char **v = NULL;

	(void)state;
	assert_int_equal(sg_strv_len(v), 0);
	assert_int_equal(sg_strv_push(&v, "b"), 1);
	sg_strv_push(&v, "a");
	sg_strv_push(&v, "b");
	assert_int_equal(sg_strv_push(&v, "c"), 4);
	sg_strv_sort_unique(v);
	assert_int_equal(sg_strv_len(v), 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	assert_string_equal(v[2], "c");
	assert_null(v[3]);
	sg_strv_free(v);
	sg_strv_free(NULL);
}

static void suggest_finds_typos(void **state)
{
	static const char *const keys[] = { "memory", "cpu", "image", "storage" };

	(void)state;
	assert_string_equal(sg_suggest("memmory", keys, 4), "memory");
	assert_string_equal(sg_suggest("iamge", keys, 4), "image");
	assert_null(sg_suggest("network", keys, 4));
	assert_null(sg_suggest("cpu", keys, 4));
	assert_int_equal(sg_edit_distance("kitten", "sitting"), 3);
}

static void diag_json_round_trips(void **state)
{
	struct sg_diags d;
	struct sg_diag *x, back;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	sg_diags_init(&d, "helm-lint");
	x = sg_diags_add(&d, SG_ERROR, "duplicate-key", "key \"a\" twice\twith tab");
	sg_diag_set_pos(x, "values.yaml", 12, 3);
	sg_diag_set_hint(x, "first defined at 4:3");
	sg_diag_write(f, x, SG_FORMAT_JSON, 0);
	fclose(f);
	assert_string_equal(text, "{\"check\":\"helm-lint\",\"rule\":\"duplicate-key\","
			    "\"severity\":\"error\",\"path\":\"values.yaml\",\"line\":12,\"col\":3,"
			    "\"message\":\"key \\\"a\\\" twice\\twith tab\","
			    "\"hint\":\"first defined at 4:3\"}\n");
	assert_int_equal(sg_diag_parse_json(&back, text, len - 1), 0);
	assert_string_equal(back.message, "key \"a\" twice\twith tab");
	assert_int_equal(back.line, 12);
	assert_int_equal(back.severity, SG_ERROR);
	sg_diag_release(&back);
	assert_int_equal(sg_diag_parse_json(&back, "hello", 5), -1);
	assert_int_equal(sg_diag_parse_json(&back, "{\"severity\":\"bad\",\"message\":\"m\"}", 33),
			 -1);
	free(text);
	sg_diags_release(&d);
}

static void diag_json_survives_latin1(void **state)
{
	struct sg_diags d;
	struct sg_diag *x, back;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	sg_diags_init(&d, "promotion");
	x = sg_diags_add(&d, SG_ERROR, "r", "commit 'caf\xe9' and \xc3\xa9t\xc3\xa9");
	sg_diag_write(f, x, SG_FORMAT_JSON, 0);
	fclose(f);
	assert_int_equal(sg_diag_parse_json(&back, text, len - 1), 0);
	assert_string_equal(back.message, "commit 'caf\xef\xbf\xbd' and \xc3\xa9t\xc3\xa9");
	sg_diag_release(&back);
	free(text);
	sg_diags_release(&d);
}

static void diag_text_and_github(void **state)
{
	struct sg_diags d;
	struct sg_diag *x;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	sg_diags_init(&d, "lint");
	x = sg_diags_add(&d, SG_WARNING, "truthy", "50%% yes, a:b");
	sg_diag_set_pos(x, "a,b.yaml", 2, 5);
	sg_diag_write(f, x, SG_FORMAT_TEXT, 0);
	sg_diag_write(f, x, SG_FORMAT_GITHUB, 0);
	fclose(f);
	assert_string_equal(text, "a,b.yaml:2:5: warning: 50% yes, a:b [truthy]\n"
			    "::warning file=a%2Cb.yaml,line=2,col=5,title=lint truthy::50%25 yes, a:b\n");
	free(text);
	sg_diags_release(&d);
}

static void run_maps_statuses(void **state)
{
	const char *const ok[] = { "/bin/sh", "-c", "cat; echo err >&2; exit 3", NULL };
	const char *const seg[] = { "/bin/sh", "-c", "kill -SEGV $$", NULL };
	const char *const missing[] = { "/nonexistent/check", NULL };
	const char *const slow[] = { "/bin/sh", "-c", "sleep 5", NULL };
	struct sg_child c[4];
	struct sg_buf why = SG_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		sg_child_init(&c[i]);
	c[0].argv = ok;
	c[0].in = "hello";
	c[0].inlen = 5;
	c[1].argv = seg;
	c[2].argv = missing;
	c[3].argv = slow;
	c[3].timeout_ms = 100;
	assert_int_equal(sg_run_all(c, 4), 0);
	assert_int_equal(c[0].status, 3);
	assert_string_equal(c[0].out.buf, "hello");
	assert_string_equal(c[0].err.buf, "err\n");
	assert_int_equal(c[1].status, 128 + 11);
	assert_int_equal(c[2].status, 127);
	assert_int_not_equal(c[2].exec_errno, 0);
	assert_true(c[3].timed_out);
	sg_child_describe(&why, &c[1]);
	assert_non_null(strstr(why.buf, "killed by signal 11"));
	sg_buf_release(&why);
	for (i = 0; i < 4; i++)
		sg_child_release(&c[i]);
}

/* No child inherits a sibling's pipes (which made checks wait for each other's stdin to close,
 * one after another): started one after another, all see the same number of open fds. */
static void run_children_inherit_no_sibling_pipes(void **state)
{
	const char *const argv[] = { "/bin/sh", "-c", "cat >/dev/null; exec ls /proc/self/fd",
				     NULL };
	struct sg_child c[3];
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		sg_child_init(&c[i]);
		c[i].argv = argv;
		c[i].in = "x";
		c[i].inlen = 1;
	}
	assert_int_equal(sg_run_all(c, 3), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(c[i].status, 0);
	assert_string_equal(c[1].out.buf, c[0].out.buf);
	assert_string_equal(c[2].out.buf, c[0].out.buf);
	for (i = 0; i < 3; i++)
		sg_child_release(&c[i]);
}

/* A child that closes its output and hangs is still killed at its timeout. */
static void run_timeout_holds_after_output_closed(void **state)
{
	const char *const argv[] = { "/bin/sh", "-c", "exec >&- 2>&-; sleep 30", NULL };
	struct sg_child c;

	(void)state;
	sg_child_init(&c);
	c.argv = argv;
	c.timeout_ms = 100;
	assert_int_equal(sg_run_all(&c, 1), 0);
	assert_true(c.timed_out);
	assert_int_equal(c.status, 128 + 9);
	sg_child_release(&c);
}

static void run_feeds_large_input(void **state)
{
	const char *const cat[] = { "/bin/cat", NULL };
	struct sg_child c;
	struct sg_buf big = SG_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++)
		sg_buf_addstr(&big, "0123456789");
	sg_child_init(&c);
	c.argv = cat;
	c.in = big.buf;
	c.inlen = big.len;
	assert_int_equal(sg_run_all(&c, 1), 0);
	assert_int_equal(c.status, 0);
	assert_int_equal(c.out.len, big.len);
	sg_child_release(&c);
	sg_buf_release(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(yaml_positions_are_one_based),
		cmocka_unit_test(yaml_duplicate_keys_kept_last_wins),
		cmocka_unit_test(yaml_error_has_problem_and_context),
		cmocka_unit_test(yaml_aliases_link_without_expanding),
		cmocka_unit_test(yaml_depth_limit_is_an_error),
		cmocka_unit_test(yaml_scalars_typed_as_helm_reads_them),
		cmocka_unit_test(config_chain_resolves_upstream),
		cmocka_unit_test(config_pattern_expands_named_groups),
		cmocka_unit_test(config_defaults_and_stage_lists),
		cmocka_unit_test(config_rejects_mistakes),
		cmocka_unit_test(config_empty_file_is_defaults),
		cmocka_unit_test(update_parses_receive_lines),
		cmocka_unit_test(update_rejects_garbage),
		cmocka_unit_test(update_parses_push_lines),
		cmocka_unit_test(glob_matches_like_gitignore),
		cmocka_unit_test(strv_pushes_and_sort_uniques),
		cmocka_unit_test(suggest_finds_typos),
		cmocka_unit_test(diag_json_round_trips),
		cmocka_unit_test(diag_json_survives_latin1),
		cmocka_unit_test(diag_text_and_github),
		cmocka_unit_test(run_maps_statuses),
		cmocka_unit_test(run_feeds_large_input),
		cmocka_unit_test(run_children_inherit_no_sibling_pipes),
		cmocka_unit_test(run_timeout_holds_after_output_closed),
	};

	sg_git_init();
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
